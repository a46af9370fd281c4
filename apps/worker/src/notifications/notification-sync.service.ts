import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AccountStatus, ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { NetworkNotification, NotificationPage } from '@tributary/core';
import { PrismaService, recordSkipped, storePosts } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { compileNotificationMutes } from '@tributary/pipeline';
import type { NotificationMutes } from '@tributary/pipeline';
import { EventPublisher, JobQueue } from '@tributary/queue';
import type { JobPayloads } from '@tributary/queue';
import type { Job } from 'bullmq';
import { withConnector } from '../ingest/connector-outcome.js';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/** Enough to catch up after hours offline; a busier account syncs again from the kept gap. */
const SYNC_MAX_ITEMS = 400;

/**
 * A linked account's notifications, merged into the member's one list: `sync-notifications` fetches
 * what is new since the account's stored marker (queued by Mastodon's `notification` stream events,
 * by linking, and by PollService every NOTIFICATIONS_POLL_SECONDS), stores the posts they are about
 * as the account's server's word, judges each by the member's mute stages and stores it once per
 * (account, network id); `save-notifications-marker` tells the networks what the member read.
 * Both are idempotent.
 */
@Injectable()
export class NotificationSyncService {
  private readonly logger = new Logger(NotificationSyncService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @JobHandler('sync-notifications')
  async sync({ accountId }: JobPayloads['sync-notifications'], job: Job, token?: string) {
    const account = await this.db.client.linkedAccount.findUnique({ where: { id: accountId } });
    if (!account || account.status === AccountStatus.NeedsReauth)
      return { skipped: 'account no longer exists or needs re-authentication' };
    const recordError = async (message: string) => {
      await this.db.client.linkedAccount.updateMany({
        where: { id: account.id },
        data: { notificationsError: message.slice(0, 500) },
      });
    };
    return withConnector(
      { accounts: this.accounts, logger: this.logger, job, token },
      account,
      recordError,
      async (connector) => {
        const page = await connector.fetchNotifications(account.notificationsCursor, SYNC_MAX_ITEMS);
        const stored = await this.store(account, page);
        const now = new Date();
        await this.db.client.linkedAccount.updateMany({
          where: { id: account.id },
          data: {
            notificationsCursor: page.marker ?? account.notificationsCursor,
            notificationsSyncedAt: now,
            notificationsError: null,
            notificationsNextPollAt: new Date(now.getTime() + this.config.NOTIFICATIONS_POLL_SECONDS * 1000),
          },
        });
        if (!page.complete) await this.jobs.enqueue('sync-notifications', { accountId: account.id });
        return { fetched: page.items.length, new: stored.length, skipped: page.skipped.length };
      },
    );
  }

  /**
   * Stores the page's posts (no source: they reach no timeline, but the member may read them) and
   * the notifications not stored yet, then tells the member's clients. Returns the new ids.
   */
  private async store(account: LinkedAccount, page: NotificationPage): Promise<string[]> {
    await recordSkipped(this.db.client, account.network, account.id, page.skipped);
    if (page.items.length === 0) return [];
    const posts = page.items.flatMap((n) => (n.post ? [n.post] : []));
    const postIds = await storePosts(this.db.client, posts, page.trustDomain);
    const verdicts = await (await this.mutesOf(account.userId)).judge(page.items);
    const rows = await this.db.client.notification.createManyAndReturn({
      data: page.items.map((n, i) => {
        return {
          userId: account.userId,
          linkedAccountId: account.id,
          network: account.network,
          kind: n.kind,
          nativeId: n.nativeId,
          actor: { ...n.actor },
          postId: n.post ? (postIds.get(n.post.uri) ?? null) : null,
          subjectUri: n.subjectUri,
          groupKey: groupKey(account.id, n),
          createdAt: new Date(n.createdAt),
          hidden: verdicts[i]!.hidden,
          hiddenReason: verdicts[i]!.hiddenReason,
          decisions: verdicts[i]!.decisions as object[],
        };
      }),
      skipDuplicates: true,
      select: { id: true },
    });
    const ids = rows.map((r) => String(r.id));
    if (ids.length > 0) {
      await this.events
        .publish({ type: 'notifications', userId: account.userId, notificationIds: ids })
        .catch((error: unknown) =>
          this.logger.warn(`notification event not published: ${(error as Error).message}`),
        );
    }
    return ids;
  }

  /** The member's default pipeline's mute stages (none without one, or with a spec that no longer parses). */
  private async mutesOf(userId: string): Promise<NotificationMutes> {
    const pipeline = await this.db.client.pipeline.findFirst({
      where: { userId, isDefault: true },
      select: { spec: true },
    });
    try {
      return compileNotificationMutes(pipeline?.spec ?? { name: 'none', stages: [] });
    } catch (error) {
      this.logger.warn(`mute stages of ${userId} not usable: ${(error as Error).message}`);
      return compileNotificationMutes({ name: 'none', stages: [] });
    }
  }

  /**
   * Idempotent: saves the marker stored when it runs. On each account, the newest of its
   * notifications at or before the member's position (Mastodon's `notifications` marker takes its
   * id, Bluesky's `updateSeen` its time).
   */
  @JobHandler('save-notifications-marker')
  async saveMarker({ userId }: JobPayloads['save-notifications-marker']) {
    const marker = await this.db.client.notificationMarker.findUnique({ where: { userId } });
    if (!marker) return { saved: [] };
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { userId, status: { not: AccountStatus.NeedsReauth } },
    });
    const saved: string[] = [];
    for (const account of accounts) {
      const last = await this.db.client.notification.findFirst({
        where: {
          linkedAccountId: account.id,
          OR: [
            { createdAt: { lt: marker.lastReadAt } },
            { createdAt: marker.lastReadAt, id: { lte: marker.lastReadId } },
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { nativeId: true, createdAt: true },
      });
      if (!last) continue;
      try {
        const connector = await this.accounts.connectorFor(account);
        await connector.saveNotificationsRead({
          nativeId: last.nativeId,
          createdAt: last.createdAt.toISOString(),
        });
        saved.push(account.id);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        if (error.code === ConnectorErrorCode.Auth)
          await this.accounts.markNeedsReauth(account.id, error.message);
        else if (
          error.code === ConnectorErrorCode.Unavailable ||
          error.code === ConnectorErrorCode.RateLimited
        )
          throw error; // the job retries with backoff
        else this.logger.warn(`notifications marker of ${account.id} not saved: ${error.message}`);
      }
    }
    return { saved };
  }
}

/**
 * Notifications a client may show as one: likes and reposts of one post; follows of one account on
 * one day; anything else on its own.
 */
function groupKey(accountId: string, n: NetworkNotification): string {
  switch (n.kind) {
    case 'LIKE':
    case 'REPOST':
      return `${n.kind}:${n.subjectUri ?? `${accountId}:${n.nativeId}`}`;
    case 'FOLLOW':
      return `FOLLOW:${accountId}:${n.createdAt.slice(0, 10)}`;
    default:
      return `${n.kind}:${accountId}:${n.nativeId}`;
  }
}
