import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { streamEvents } from '@tributary/metrics';
import { AccountsService } from '@tributary/accounts';
import type { MastodonStream } from '@tributary/connector-mastodon';
import { AccountStatus, Network, SourceKind } from '@tributary/core';
import type { Post } from '@tributary/core';
import type { LinkedAccount } from '@tributary/db';
import { PrismaService } from '@tributary/db';
import { EventPublisher, JobQueue } from '@tributary/queue';
import { applyDeletions, storeEdits } from '../ingest/origin-changes.js';
import { LeaderLock } from './leader-lock.js';
import { WorkerRedis } from './redis.provider.js';

type WantedAccount = LinkedAccount & {
  sources: { id: string; kind: SourceKind; externalId: string }[];
};

/** How often the set of open streams is matched against the linked accounts. */
const RECONCILE_INTERVAL_MS = 30_000;
/** An instance found without a streaming API is tried again after this long (it may gain one). */
const STREAMING_RECHECK_MS = 24 * 3600_000;

interface OpenStream {
  stream: MastodonStream;
  accountId: string;
  /** The sealed credentials it was opened with: a re-link (new token) reopens it. */
  credentials: string;
}

/**
 * Freshness for Mastodon: a stream per Mastodon source (the user stream for home, the list and
 * hashtag streams for lists and followed hashtags), consumed by the leader only (one consumer per
 * deployment). A stream event does not store the status itself: it queues a sync of its source, which is idempotent, deduplicated and fetches from the stored marker,
 * so a burst of events is one sync and nothing the stream missed (while reconnecting, before this
 * worker became leader) is skipped. Polling is PollService's alone (every source, every POLL_INTERVAL_SECONDS), so a stream that is down adds no syncs of its
 * own; an instance without a streaming API (404/405) is recorded once and not retried for a day.
 */
@Injectable()
export class MastodonStreamsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MastodonStreamsService.name);
  /** By source id: the home (user stream), each list and each followed hashtag. */
  private readonly streams = new Map<string, OpenStream>();
  private lock: LeaderLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    private readonly redis: WorkerRedis,
    private readonly events: EventPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.lock = new LeaderLock(this.redis.client, 'streams:mastodon');
    this.lock.start((leader) => {
      this.logger.log(
        leader ? 'leader: consuming Mastodon streams' : 'no longer leader: closing Mastodon streams',
      );
      if (leader) {
        void this.reconcile();
        this.timer = setInterval(() => void this.reconcile(), RECONCILE_INTERVAL_MS);
      } else {
        this.stopTimer();
        this.closeAll();
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTimer();
    await this.reconciling;
    this.closeAll();
    await this.lock?.stop();
  }

  /** Opens streams for active Mastodon accounts that have none, closes those no longer wanted. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.doReconcile()
      .catch((error: unknown) =>
        this.logger.error(`reconciling Mastodon streams failed: ${(error as Error).message}`),
      )
      .finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  private async doReconcile(): Promise<void> {
    const wanted = await this.db.client.linkedAccount.findMany({
      where: {
        network: Network.Mastodon,
        status: { not: AccountStatus.NeedsReauth },
        OR: [
          { streamingUnavailableSince: null },
          { streamingUnavailableSince: { lt: new Date(Date.now() - STREAMING_RECHECK_MS) } },
        ],
      },
      include: {
        sources: {
          where: { kind: { in: [SourceKind.Home, SourceKind.List, SourceKind.Hashtag] } },
          select: { id: true, kind: true, externalId: true },
        },
      },
    });
    if (!this.lock?.isLeader) return; // lost the lock while querying
    const byId = new Map(wanted.map((a) => [a.id, a]));
    for (const [sourceId, open] of this.streams) {
      const account = byId.get(open.accountId);
      if (account?.credentials !== open.credentials || !account.sources.some((x) => x.id === sourceId))
        this.close(sourceId);
    }
    for (const account of wanted) {
      for (const source of account.sources) {
        if (this.streams.has(source.id)) continue;
        if (!this.lock.isLeader || !(await this.open(account, source))) break;
      }
    }
  }

  /** Opens the stream of one source; false when the account's streams cannot open now. */
  private async open(account: WantedAccount, source: WantedAccount['sources'][number]): Promise<boolean> {
    const which =
      source.kind === SourceKind.List
        ? { stream: 'list' as const, list: source.externalId }
        : source.kind === SourceKind.Hashtag
          ? { stream: 'hashtag' as const, tag: source.externalId.replace(/^#/, '') }
          : { stream: 'user' as const };
    try {
      const stream = await this.accounts.mastodonStream(account, {
        ...which,
        // An edit is not new to the timeline (a sync would not see it): the edited status is
        // stored over the old one and run through the pipelines again.
        onStatus: (result, event) => {
          streamEvents.inc({ stream: `mastodon:${new URL(account.serviceUrl).host}` });
          void (event === 'status.update' && 'ok' in result
            ? this.storeEdit(account.userId, account.serviceUrl, result.ok.post)
            : this.sync(source.id));
        },
        onDelete: (statusId) => void this.storeDeletion(account.serviceUrl, statusId),
        // The user stream announces notifications: fetched from the account's marker, like a sync.
        ...(which.stream === 'user' ? { onNotification: () => void this.syncNotifications(account.id) } : {}),
        // Every (re)open catches up from the stored marker: whatever arrived while no stream
        // was listening is fetched, nothing is assumed delivered; edits and deletions made
        // meanwhile are looked for in the newest page (a sync reads only what is newer).
        onStateChange: (state) => {
          if (state !== 'open') return;
          void this.sync(source.id);
          void this.recheck(source.id);
          if (which.stream === 'user') void this.syncNotifications(account.id);
          if (account.streamingUnavailableSince) void this.setStreamingUnavailable(account.id, null);
        },
        onUnsupported: (status) => void this.onNoStreaming(account.id, status),
        onError: (error) => void this.onStreamError(account.id, error),
        maxBackoffMs: 30_000,
      });
      if (!this.lock?.isLeader || this.streams.has(source.id)) return true;
      this.streams.set(source.id, { stream, credentials: account.credentials, accountId: account.id });
      stream.start();
      return true;
    } catch (error) {
      // AUTH here has already marked the account; anything else is retried next round.
      this.logger.warn(`cannot open the stream of account ${account.id}: ${(error as Error).message}`);
      return false;
    }
  }

  private async sync(sourceId: string): Promise<void> {
    await this.jobs
      .enqueue('sync-source', { sourceId })
      .catch((error: unknown) =>
        this.logger.warn(`cannot queue sync of ${sourceId}: ${(error as Error).message}`),
      );
  }

  private async recheck(sourceId: string): Promise<void> {
    await this.jobs
      .enqueue('recheck-source', { sourceId })
      .catch((error: unknown) =>
        this.logger.warn(`cannot queue the re-check of ${sourceId}: ${(error as Error).message}`),
      );
  }

  private async syncNotifications(accountId: string): Promise<void> {
    await this.jobs
      .enqueue('sync-notifications', { accountId })
      .catch((error: unknown) =>
        this.logger.warn(`cannot queue notifications of ${accountId}: ${(error as Error).message}`),
      );
  }

  /** Stores an edited status as the instance's word, over what was stored, if it was. */
  private async storeEdit(userId: string, instance: string, post: Post): Promise<void> {
    try {
      const trustDomain = new URL(instance).origin;
      const where = { network: Network.Mastodon, uri: post.uri, trustDomain };
      if (!(await this.db.client.post.findFirst({ where, select: { id: true } }))) return;
      await storeEdits(this.db, this.jobs, this.events, userId, trustDomain, [post]);
    } catch (error) {
      this.logger.warn(`cannot store the edit of ${post.uri}: ${(error as Error).message}`);
    }
  }

  /** A status deleted at origin leaves the timelines of those who stored it (kept in the audit). */
  private async storeDeletion(instance: string, statusId: string): Promise<void> {
    try {
      await applyDeletions(this.db, this.events, new URL(instance).origin, [statusId]);
    } catch (error) {
      this.logger.warn(`cannot record the deletion of ${statusId}: ${(error as Error).message}`);
    }
  }

  /** Recorded once: the account is polled (PollService) and shows as such, nothing reconnects. */
  private async onNoStreaming(accountId: string, status: number): Promise<void> {
    this.logger.warn(
      `account ${accountId}: the instance has no streaming API (${status}); it is kept fresh by polling`,
    );
    // Recorded before the stream is forgotten, so a reconcile in between does not reopen it.
    await this.setStreamingUnavailable(accountId, new Date());
    this.closeAccount(accountId);
  }

  private async setStreamingUnavailable(accountId: string, since: Date | null): Promise<void> {
    await this.db.client.linkedAccount
      .updateMany({ where: { id: accountId }, data: { streamingUnavailableSince: since } })
      .catch((e: unknown) =>
        this.logger.error(`cannot record streaming of ${accountId}: ${(e as Error).message}`),
      );
  }

  /** The streaming server refusing the token is the same as the API refusing it. */
  private async onStreamError(accountId: string, error: Error): Promise<void> {
    if (!/\b401\b/.test(error.message)) {
      this.logger.debug(`stream of account ${accountId}: ${error.message}`);
      return;
    }
    this.closeAccount(accountId);
    await this.accounts
      .markNeedsReauth(accountId, 'the streaming API refused the access token')
      .catch((e: unknown) => this.logger.error(`cannot mark account ${accountId}: ${(e as Error).message}`));
  }

  private close(sourceId: string): void {
    this.streams.get(sourceId)?.stream.close();
    this.streams.delete(sourceId);
  }

  private closeAccount(accountId: string): void {
    for (const [sourceId, open] of [...this.streams]) if (open.accountId === accountId) this.close(sourceId);
  }

  private closeAll(): void {
    for (const sourceId of [...this.streams.keys()]) this.close(sourceId);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
