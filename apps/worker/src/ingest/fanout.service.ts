import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AppViewClient } from '@tributary/connector-bluesky';
import {
  AccountStatus,
  ConnectorError,
  ConnectorErrorCode,
  NETWORK_TRUST_DOMAIN,
  Network,
  splitPersonalLabels,
} from '@tributary/core';
import type { Author, PersonalLabels, Post, RepostReason } from '@tributary/core';
import {
  PrismaService,
  attachPosts,
  markDeletedAtOrigin,
  recordSkipped,
  releaseRepostAttachments,
  repostAttachments,
  tombstoned,
} from '@tributary/db';
import type { Attachment } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import type { JobPayloads } from '@tributary/queue';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';
import { LRUCache } from 'lru-cache';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * The AppView indexes a post a moment after the stream announces it (80–860 ms on the reference
 * network): a post it does not know yet is asked for again after these waits, then left to the
 * sources' polling (a post deleted at once never shows up).
 */
export const HYDRATE_RETRY_MS = [300, 700, 1_500, 3_000, 6_000, 12_000] as const;
/** Posts per `run-pipelines` job. */
const PIPELINE_BATCH = 500;

type Item = JobPayloads['fanout-posts']['items'][number];

/**
 * Fan-out on write for Bluesky: a post the stream announced is fetched once from the operator's
 * AppView (whatever the number of members it is for), stored once in the network's trust domain,
 * attached to every source the follow graph named, and the users' pipelines run. Idempotent: an
 * attachment already made is not made again, so replayed events add nothing.
 */
@Injectable()
export class FanoutService {
  private readonly logger = new Logger(FanoutService.name);
  private readonly appview: AppViewClient;
  /** Reposters' profiles: the same few accounts repost again and again. */
  private readonly profiles = new LRUCache<string, Author>({ max: 10_000, ttl: 15 * 60_000 });

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    @Inject(CONFIG) config: Config,
  ) {
    this.appview = new AppViewClient({ service: config.BLUESKY_APPVIEW_URL });
  }

  @JobHandler('fanout-posts')
  async fanout({ items, attempt }: JobPayloads['fanout-posts'], job: Job, token?: string) {
    try {
      return await this.attach(items, attempt);
    } catch (error) {
      if (error instanceof ConnectorError && error.code === ConnectorErrorCode.RateLimited) {
        await job.moveToDelayed(error.retryAt?.getTime() ?? Date.now() + 60_000, token);
        throw new DelayedError();
      }
      throw error;
    }
  }

  private async attach(items: readonly Item[], attempt: number) {
    // Sources removed, or whose account must be linked again, since the stream leader looked.
    const sources = await this.db.client.source.findMany({
      where: {
        id: { in: [...new Set(items.flatMap((i) => i.sourceIds))] },
        linkedAccount: { status: { not: AccountStatus.NeedsReauth } },
      },
      select: { id: true, linkedAccount: { select: { userId: true, labelers: true } } },
    });
    const userOf = new Map(sources.map((s) => [s.id, s.linkedAccount.userId]));
    const labelersOf = new Map(sources.map((s) => [s.id, new Set(s.linkedAccount.labelers)]));
    // One request for every member whatever their labelers: each source keeps its own labelers' labels.
    const { posts, skipped } = await this.appview.posts(
      items.map((i) => i.uri),
      sources.flatMap((s) => s.linkedAccount.labelers),
    );
    await recordSkipped(this.db.client, Network.Bluesky, null, skipped);
    const found = items.filter((i) => posts.has(i.uri));
    const missing = items.filter(
      (i) => !posts.has(i.uri) && !skipped.some((s) => recordUri(s.record) === i.uri),
    );
    const reasons = await this.reasons(found);

    const attachments: Attachment[] = found.flatMap((i) =>
      i.sourceIds
        .filter((id) => userOf.has(id))
        .map((sourceId) => ({
          sourceId,
          uri: i.uri,
          reason: i.reason ? reasons.get(i.reason.uri)! : null,
          labels: labelsFor(posts.get(i.uri)!, labelersOf.get(sourceId)!),
        })),
    );
    const attached = await this.withoutDeleted(
      await attachPosts(this.db.client, [...posts.values()], attachments, NETWORK_TRUST_DOMAIN),
      found,
    );

    const byUser = new Map<string, Set<string>>();
    for (const { sourceId, postId } of attached) {
      const userId = userOf.get(sourceId)!;
      if (!byUser.has(userId)) byUser.set(userId, new Set());
      byUser.get(userId)!.add(String(postId));
    }
    for (const [userId, ids] of byUser) {
      const postIds = [...ids];
      for (let i = 0; i < postIds.length; i += PIPELINE_BATCH)
        await this.jobs.enqueue('run-pipelines', { userId, postIds: postIds.slice(i, i + PIPELINE_BATCH) });
    }

    const wait = HYDRATE_RETRY_MS[attempt];
    if (missing.length > 0 && wait !== undefined)
      await this.jobs.enqueue('fanout-posts', { items: missing, attempt: attempt + 1 }, wait);
    else if (missing.length > 0)
      this.logger.log(`${missing.length} announced post(s) never reached the AppView; left to polling`);
    return { attached: attached.length, missing: missing.length, users: byUser.size };
  }

  /**
   * A delete the stream reported while this job fetched the post (its tombstone is there) wins:
   * the post is marked deleted (its entries come out hidden), a deleted repost's attachments go again.
   */
  private async withoutDeleted<T extends { sourceId: string; postId: bigint }>(
    attached: T[],
    items: readonly Item[],
  ): Promise<T[]> {
    const reposts = items.flatMap((i) => (i.reason ? [i.reason.uri] : []));
    const deleted = await tombstoned(this.db.client, [...items.map((i) => i.uri), ...reposts]);
    if (deleted.size === 0) return attached;
    await markDeletedAtOrigin(this.db.client, {
      network: Network.Bluesky,
      uris: [...deleted].filter((uri) => uri.includes('/app.bsky.feed.post/')),
    });
    const gone = await repostAttachments(
      this.db.client,
      reposts.filter((uri) => deleted.has(uri)),
    );
    await releaseRepostAttachments(this.db.client, [], gone);
    const goneKeys = new Set(gone.map((g) => `${g.sourceId}|${g.postId}`));
    return attached.filter((a) => !goneKeys.has(`${a.sourceId}|${a.postId}`));
  }

  /** Repost reasons by repost URI, the reposters' profiles hydrated (cached) from the AppView. */
  private async reasons(items: readonly Item[]): Promise<Map<string, RepostReason>> {
    const refs = items.flatMap((i) => (i.reason ? [i.reason] : []));
    const unknown = [...new Set(refs.map((r) => r.by))].filter((did) => !this.profiles.has(did));
    if (unknown.length > 0)
      for (const [did, author] of await this.appview.authors(unknown)) this.profiles.set(did, author);
    return new Map(
      refs.map((r) => [
        r.uri,
        {
          // An account the AppView no longer describes still reposted: named by its DID.
          by: this.profiles.get(r.by) ?? {
            network: Network.Bluesky,
            networkId: r.by,
            handle: r.by,
            displayName: null,
            avatarUrl: null,
            bot: false,
          },
          at: r.at,
          uri: r.uri,
        },
      ]),
    );
  }
}

/** The personal labels of `post` that are the source's account's: its own labelers' alone. */
function labelsFor(post: Post, labelers: ReadonlySet<string>): PersonalLabels | null {
  const { personal } = splitPersonalLabels(post);
  if (personal === null) return null;
  const post_ = personal.post.filter((l) => labelers.has(l.source));
  const quote = personal.quote.filter((l) => labelers.has(l.source));
  return post_.length + quote.length > 0 ? { post: post_, quote } : null;
}

function recordUri(record: unknown): string | null {
  const uri = (record as { uri?: unknown } | null)?.uri;
  return typeof uri === 'string' ? uri : null;
}
