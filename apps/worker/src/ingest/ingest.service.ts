import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import { MastodonConnector } from '@tributary/connector-mastodon';
import type { Config } from '@tributary/config';
import { AccountStatus } from '@tributary/core';
import type { NetworkConnector, SourceRef, TrustDomain } from '@tributary/core';
import {
  markTombstoned,
  PrismaService,
  recordSkipped,
  recordViewerStates,
  upsertIngested,
} from '@tributary/db';
import type { LinkedAccount, Source } from '@tributary/db';
import { EventPublisher, JobQueue } from '@tributary/queue';
import { hideDeletedPosts, publishOriginChanges } from '@tributary/timeline';
import type { JobPayloads } from '@tributary/queue';
import type { Job } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';
import { withConnector } from './connector-outcome.js';
import { recheckRecent } from './origin-changes.js';

/** Enough to catch up after hours offline without one sync running forever. */
const SYNC_MAX_ITEMS = 1000;
const BACKFILL_PAGE = 100;
/** Posts per `run-pipelines` job (jobs carry batches, not single posts). */
const PIPELINE_BATCH = 500;

type SourceWithAccount = Source & { linkedAccount: LinkedAccount };

/**
 * Moves posts from the networks into the store: `sync-source` fetches what is new since the stored
 * marker, `backfill-source` pages back through history with progress. Both are idempotent (posts
 * are upserted by URI within the trust domain that served them, markers only move forward after
 * the posts are stored), so a retried or duplicated job does no harm.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @JobHandler('sync-source')
  async sync({ sourceId }: JobPayloads['sync-source'], job: Job, token?: string) {
    const source = await this.loadSource(sourceId);
    if (!source) return { skipped: 'source no longer exists or its account needs re-authentication' };
    return this.withConnector(source, job, token, 'sync', async (connector) => {
      const asked = new Date();
      const result = await connector.fetchNewer(sourceRef(source), source.cursor, SYNC_MAX_ITEMS);
      const stored = await this.store(source, result.items, result.skipped, result.trustDomain, asked);
      const now = new Date();
      await this.db.client.source.update({
        where: { id: source.id },
        data: {
          cursor: result.marker ?? source.cursor,
          lastSyncedAt: now,
          lastError: null,
          nextPollAt: new Date(now.getTime() + this.config.POLL_INTERVAL_SECONDS * 1000),
        },
      });
      await this.db.client.linkedAccount.update({
        where: { id: source.linkedAccountId },
        data: { lastSyncedAt: now },
      });
      if (source.linkedAccount.status === AccountStatus.Error) {
        await this.accounts.setStatus(source.linkedAccountId, AccountStatus.Active, null);
      }
      // A server without streaming never announces edits or deletions: each poll looks for them.
      const rechecked =
        connector instanceof MastodonConnector && source.linkedAccount.streamingUnavailableSince
          ? await recheckRecent(
              this.db,
              this.jobs,
              this.events,
              connector,
              source,
              source.linkedAccount.userId,
            )
          : undefined;
      if (!result.complete) {
        // The marker keeps what this sync could not reach; the next sync goes on from there.
        this.logger.log(`source ${source.id}: more than ${SYNC_MAX_ITEMS} new items; syncing again`);
        await this.jobs.enqueue('sync-source', { sourceId: source.id });
      }
      return {
        fetched: result.items.length,
        new: stored.newPosts,
        skipped: result.skipped.length,
        ...rechecked,
      };
    });
  }

  /**
   * The re-check a poll of a server without streaming makes (edits, deletions at origin), once,
   * for a source whose stream opened again: whatever it announced while down, or while no worker
   * listened, was missed, and a sync only reads what is newer than its marker.
   */
  @JobHandler('recheck-source')
  async recheck({ sourceId }: JobPayloads['recheck-source'], job: Job, token?: string) {
    const source = await this.loadSource(sourceId);
    if (!source) return { skipped: 'source no longer exists or its account needs re-authentication' };
    return this.withConnector(source, job, token, 'sync', async (connector) =>
      connector instanceof MastodonConnector
        ? recheckRecent(this.db, this.jobs, this.events, connector, source, source.linkedAccount.userId)
        : { skipped: 'not a Mastodon source' },
    );
  }

  @JobHandler('backfill-source')
  async backfill({ sourceId }: JobPayloads['backfill-source'], job: Job, token?: string) {
    const source = await this.loadSource(sourceId);
    if (!source) return { skipped: 'source no longer exists or its account needs re-authentication' };
    if (source.backfillState === 'DONE') return { done: source.backfillDone };
    return this.withConnector(source, job, token, 'backfill', async (connector) => {
      let { backfillDone: done, backfillCursor: cursor } = source;
      const target = source.backfillTarget;
      await this.db.client.source.update({ where: { id: source.id }, data: { backfillState: 'RUNNING' } });
      let exhausted = false;
      while (done < target && !exhausted) {
        const asked = new Date();
        const page = await connector.fetchOlder(
          sourceRef(source),
          cursor,
          Math.min(BACKFILL_PAGE, target - done),
        );
        await this.store(source, page.items, page.skipped, page.trustDomain, asked);
        done += page.items.length;
        cursor = page.nextCursor;
        exhausted = page.nextCursor === null || page.items.length + page.skipped.length === 0;
        // Progress is saved per page, so a retried job resumes where this one stopped.
        await this.db.client.source.update({
          where: { id: source.id },
          data: { backfillDone: done, backfillCursor: cursor },
        });
        await job.updateProgress({ done, target });
      }
      await this.db.client.source.update({ where: { id: source.id }, data: { backfillState: 'DONE' } });
      return { done, target };
    });
  }

  private async loadSource(sourceId: string): Promise<SourceWithAccount | null> {
    const source = await this.db.client.source.findUnique({
      where: { id: sourceId },
      include: { linkedAccount: true },
    });
    // Unlinked meanwhile, or waiting for the user to link again: nothing to do, nothing to retry.
    if (!source || source.linkedAccount.status === AccountStatus.NeedsReauth) return null;
    return source;
  }

  /** Stores what the account's server said as that server's word (`trustDomain`, README "Security"). */
  private async store(
    source: SourceWithAccount,
    items: Parameters<typeof upsertIngested>[2],
    skipped: Parameters<typeof recordSkipped>[3],
    trustDomain: TrustDomain,
    observedAt: Date,
  ) {
    await this.resolveReplyParents(source, items, trustDomain);
    const { newPostIds } = await upsertIngested(this.db.client, source.id, items, trustDomain);
    // The account's own likes and reposts, as its server said when asked (the member's alone).
    const { id, userId, network } = source.linkedAccount;
    await recordViewerStates(
      this.db.client,
      { id, userId, network },
      items.flatMap((i) => (i.viewer ? [{ uri: i.post.uri, viewer: i.viewer }] : [])),
      observedAt,
    );
    await recordSkipped(this.db.client, source.linkedAccount.network, source.linkedAccountId, skipped);
    // A delete at origin that came before this sync stored a post (a page read just before it, a
    // timeline that still lists it) wins: the post is stored deleted, its entries come out hidden.
    const deleted = await markTombstoned(this.db.client, newPostIds);
    if (deleted.length > 0)
      await publishOriginChanges(this.events, 'removed', await hideDeletedPosts(this.db.sql, deleted));
    // After the posts are stored, so a retried sync that finds them stored enqueues nothing new.
    for (let i = 0; i < newPostIds.length; i += PIPELINE_BATCH) {
      await this.jobs.enqueue('run-pipelines', {
        userId: source.linkedAccount.userId,
        postIds: newPostIds.slice(i, i + PIPELINE_BATCH).map(String),
      });
    }
    return { newPosts: newPostIds.length, newPostIds };
  }

  /**
   * A reply parent the network named only by its id on the account's server (Mastodon) gets its
   * URI and author from the post the account already stored from that server under that id.
   */
  private async resolveReplyParents(
    source: SourceWithAccount,
    items: Parameters<typeof upsertIngested>[2],
    trustDomain: TrustDomain,
  ) {
    const ids = [...new Set(items.flatMap((i) => i.post.replyParent?.nativeId ?? []))];
    if (ids.length === 0) return;
    const stored = await this.db.client.post.findMany({
      where: {
        network: source.linkedAccount.network,
        // Ids are the server's own: only its rows (its trust domain) know the post by that id.
        trustDomain,
        nativeId: { in: ids },
        sources: { some: { source: { linkedAccountId: source.linkedAccountId } } },
      },
      select: { nativeId: true, uri: true, author: { select: { networkId: true } } },
    });
    const byId = new Map(
      stored.map((p) => [p.nativeId, { uri: p.uri, authorNetworkId: p.author.networkId }]),
    );
    for (const { post } of items) {
      const parent = post.replyParent?.nativeId ? byId.get(post.replyParent.nativeId) : undefined;
      if (parent) post.replyParent = parent;
    }
  }

  private withConnector<T>(
    source: SourceWithAccount,
    job: Job,
    token: string | undefined,
    what: 'sync' | 'backfill',
    work: (connector: NetworkConnector) => Promise<T>,
  ): Promise<T> {
    return withConnector(
      { accounts: this.accounts, logger: this.logger, job, token },
      source.linkedAccount,
      (message, refused) => this.recordError(source, message, refused ? what : null),
      work,
    );
  }

  /**
   * Keeps the error on the source. One the network refused (a feed or list deleted since it was
   * added) is asked again at the poll interval, not at every minute's poll, and its backfill ends
   * FAILED rather than showing RUNNING forever.
   */
  private async recordError(source: Source, message: string, refused: 'sync' | 'backfill' | null) {
    await this.db.client.source.update({
      where: { id: source.id },
      data: {
        lastError: message.slice(0, 500),
        ...(refused === 'sync'
          ? { nextPollAt: new Date(Date.now() + this.config.POLL_INTERVAL_SECONDS * 1000) }
          : {}),
        ...(refused === 'backfill' ? { backfillState: 'FAILED' as const } : {}),
      },
    });
  }
}

function sourceRef(source: Source): SourceRef {
  return { kind: source.kind, externalId: source.externalId };
}
