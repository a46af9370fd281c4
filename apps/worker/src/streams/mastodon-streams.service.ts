import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import type { MastodonStream } from '@tributary/connector-mastodon';
import { AccountStatus, Network, SourceKind } from '@tributary/core';
import type { Post } from '@tributary/core';
import { PrismaService, storePosts } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { applyDeletions } from '../ingest/origin-changes.js';
import { LeaderLock } from './leader-lock.js';
import { WorkerRedis } from './redis.provider.js';

/** How often the set of open streams is matched against the linked accounts. */
const RECONCILE_INTERVAL_MS = 30_000;
/** An instance found without a streaming API is tried again after this long (it may gain one). */
const STREAMING_RECHECK_MS = 24 * 3600_000;

interface OpenStream {
  stream: MastodonStream;
  /** The sealed credentials it was opened with: a re-link (new token) reopens it. */
  credentials: string;
}

/**
 * Freshness for Mastodon: one user stream per linked account, consumed by the leader only (one
 * consumer per deployment). A stream event does not store the status itself: it queues a sync of
 * the account's home source, which is idempotent, deduplicated and fetches from the stored marker,
 * so a burst of events is one sync and nothing the stream missed (while reconnecting, before this
 * worker became leader) is skipped. Lists and hashtags stay on polling. Polling is PollService's
 * alone (every source, every POLL_INTERVAL_SECONDS), so a stream that is down adds no syncs of its
 * own; an instance without a streaming API (404/405) is recorded once and not retried for a day.
 */
@Injectable()
export class MastodonStreamsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MastodonStreamsService.name);
  private readonly streams = new Map<string, OpenStream>();
  private lock: LeaderLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    private readonly redis: WorkerRedis,
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
      include: { sources: { where: { kind: SourceKind.Home }, select: { id: true } } },
    });
    if (!this.lock?.isLeader) return; // lost the lock while querying
    const byId = new Map(wanted.map((a) => [a.id, a]));
    for (const [accountId, open] of this.streams) {
      if (byId.get(accountId)?.credentials !== open.credentials) this.close(accountId);
    }
    for (const account of wanted) {
      const homeSourceId = account.sources[0]?.id;
      if (this.streams.has(account.id) || !homeSourceId) continue;
      try {
        const stream = await this.accounts.mastodonStream(account, {
          stream: 'user',
          // An edit is not new to the timeline (a sync would not see it): the edited status is
          // stored over the old one and run through the pipelines again.
          onStatus: (result, event) =>
            void (event === 'status.update' && 'ok' in result
              ? this.storeEdit(account.userId, account.serviceUrl, result.ok.post)
              : this.sync(homeSourceId)),
          // Every (re)open catches up from the stored marker: whatever arrived while no stream
          // was listening is fetched, nothing is assumed delivered.
          onStateChange: (state) => {
            if (state !== 'open') return;
            void this.sync(homeSourceId);
            if (account.streamingUnavailableSince) void this.setStreamingUnavailable(account.id, null);
          },
          onDelete: (statusId) => void this.storeDeletion(account.serviceUrl, statusId),
          onUnsupported: (status) => void this.onNoStreaming(account.id, status),
          onError: (error) => void this.onStreamError(account.id, error),
          maxBackoffMs: 30_000,
        });
        if (!this.lock.isLeader || this.streams.has(account.id)) continue;
        this.streams.set(account.id, { stream, credentials: account.credentials });
        stream.start();
      } catch (error) {
        // AUTH here has already marked the account; anything else is retried next round.
        this.logger.warn(`cannot open the stream of account ${account.id}: ${(error as Error).message}`);
      }
    }
  }

  private async sync(sourceId: string): Promise<void> {
    await this.jobs
      .enqueue('sync-source', { sourceId })
      .catch((error: unknown) =>
        this.logger.warn(`cannot queue sync of ${sourceId}: ${(error as Error).message}`),
      );
  }

  /** Stores an edited status as the instance's word, over what was stored, if it was. */
  private async storeEdit(userId: string, instance: string, post: Post): Promise<void> {
    try {
      const trustDomain = new URL(instance).origin;
      const where = { network: Network.Mastodon, uri: post.uri, trustDomain };
      if (!(await this.db.client.post.findFirst({ where, select: { id: true } }))) return;
      const ids = await storePosts(this.db.client, [post], trustDomain);
      const id = ids.get(post.uri);
      if (id !== undefined) await this.jobs.enqueue('run-pipelines', { userId, postIds: [String(id)] });
    } catch (error) {
      this.logger.warn(`cannot store the edit of ${post.uri}: ${(error as Error).message}`);
    }
  }

  /** A status deleted at origin leaves the timelines of those who stored it (kept in the audit). */
  private async storeDeletion(instance: string, statusId: string): Promise<void> {
    try {
      await applyDeletions(this.db, this.jobs, new URL(instance).origin, [statusId]);
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
    this.streams.delete(accountId);
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
    this.close(accountId);
    await this.accounts
      .markNeedsReauth(accountId, 'the streaming API refused the access token')
      .catch((e: unknown) => this.logger.error(`cannot mark account ${accountId}: ${(e as Error).message}`));
  }

  private close(accountId: string): void {
    this.streams.get(accountId)?.stream.close();
    this.streams.delete(accountId);
  }

  private closeAll(): void {
    for (const accountId of [...this.streams.keys()]) this.close(accountId);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
