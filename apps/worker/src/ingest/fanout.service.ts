import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AppViewClient, postFromRecord, recordSuffices } from '@tributary/connector-bluesky';
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
  fillSourceLabels,
  markDeletedAtOrigin,
  recordSkipped,
  releaseRepostAttachments,
  repostAttachments,
  storePosts,
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
/** A post stored from its record is enriched from the AppView this long after: it has indexed it by then, mostly. */
const ENRICH_AFTER_MS = 1_500;
/** Posts per `run-pipelines` job. */
const PIPELINE_BATCH = 500;
/** What a follow brings at once: one getAuthorFeed page of the newest posts and reposts. */
export const FOLLOW_BACKFILL = 50;

type Item = JobPayloads['fanout-posts']['items'][number];
type Attached = { sourceId: string; postId: bigint };

/**
 * Fan-out on write for Bluesky: a post the stream announced is stored once in the network's trust
 * domain (from the record the event carried where that suffices, else from the operator's AppView,
 * whatever the number of members it is for), attached to every source the follow graph named, and
 * the users' pipelines run; a post stored from its record gets the AppView's view a moment later
 * (`enrich-posts`). A new follow brings the account's newest posts (`fanout-follow`). Idempotent:
 * an attachment already made is not made again, so replayed events add nothing.
 */
@Injectable()
export class FanoutService {
  private readonly logger = new Logger(FanoutService.name);
  private readonly appview: AppViewClient;
  /** Authors' and reposters' profiles: the same accounts post and repost again and again. */
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
    return this.delayedWhenLimited(job, token, () => this.attach(items, attempt));
  }

  @JobHandler('enrich-posts')
  async enrichPosts({ uris, attempt }: JobPayloads['enrich-posts'], job: Job, token?: string) {
    return this.delayedWhenLimited(job, token, () => this.enrich(uris, attempt));
  }

  @JobHandler('fanout-follow')
  async fanoutFollow(data: JobPayloads['fanout-follow'], job: Job, token?: string) {
    return this.delayedWhenLimited(job, token, () => this.followed(data));
  }

  /** A rate-limited AppView: the job waits until it said to come back, without using an attempt. */
  private async delayedWhenLimited<T>(
    job: Job,
    token: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
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
    // Posts whose event carried a record that shows them: no wait for the AppView to index them.
    // Their labelers' labels come from the labelers' streams (BlueskyLabelsService).
    const fromRecords = attempt === 0 ? await this.fromRecords(items) : new Map<string, Post>();
    const rest = items.filter((i) => !fromRecords.has(i.uri));
    // One request for every member whatever their labelers: each source keeps its own labelers' labels.
    const { posts, skipped } =
      rest.length > 0
        ? await this.appview.posts(
            rest.map((i) => i.uri),
            sources.flatMap((s) => s.linkedAccount.labelers),
          )
        : { posts: new Map<string, Post>(), skipped: [] };
    for (const [uri, post] of fromRecords) posts.set(uri, post);
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
      found.map((i) => i.uri),
      found.flatMap((i) => (i.reason ? [i.reason.uri] : [])),
    );
    const users = await this.runPipelines(attached, userOf);
    if (fromRecords.size > 0)
      await this.jobs.enqueue('enrich-posts', { uris: [...fromRecords.keys()], attempt: 0 }, ENRICH_AFTER_MS);

    const wait = HYDRATE_RETRY_MS[attempt];
    if (missing.length > 0 && wait !== undefined)
      await this.jobs.enqueue('fanout-posts', { items: missing, attempt: attempt + 1 }, wait);
    else if (missing.length > 0)
      this.logger.log(`${missing.length} announced post(s) never reached the AppView; left to polling`);
    return { attached: attached.length, missing: missing.length, fromRecords: fromRecords.size, users };
  }

  /**
   * The new posts of `items` built from their stream records (record-post.ts), where the record
   * suffices and the author is known (stored, or one getProfiles for 25 new ones); the others wait
   * for the AppView's view.
   */
  private async fromRecords(items: readonly Item[]): Promise<Map<string, Post>> {
    let candidates = items.filter((i) => i.record && i.reason === null && recordSuffices(i.record.value));
    const out = new Map<string, Post>();
    if (candidates.length === 0) return out;
    // A replayed event must not put the record back over the AppView's view stored since.
    const stored = await this.db.client.post.findMany({
      where: {
        network: Network.Bluesky,
        trustDomain: NETWORK_TRUST_DOMAIN,
        uri: { in: candidates.map((i) => i.uri) },
      },
      select: { uri: true },
    });
    const known = new Set(stored.map((p) => p.uri));
    candidates = candidates.filter((i) => !known.has(i.uri));
    const authors = await this.authors(candidates.map((i) => authorOf(i.uri)));
    for (const item of candidates) {
      const author = authors.get(authorOf(item.uri));
      if (!author || !item.record) continue;
      const result = postFromRecord({
        uri: item.uri,
        cid: item.record.cid,
        record: item.record.value,
        author,
        seenAt: item.record.at,
      });
      if (result.ok) out.set(item.uri, result.post);
    }
    return out;
  }

  /**
   * The AppView's views of posts stored from their records replace them. Where the view changes
   * what a pipeline decides on (labels, a link card's image, the author's bot flag), the pipelines
   * of every user whose sources have the post run again, so entries agree with the post.
   */
  private async enrich(uris: readonly string[], attempt: number) {
    const before = await this.db.client.post.findMany({
      where: { network: Network.Bluesky, trustDomain: NETWORK_TRUST_DOMAIN, uri: { in: [...uris] } },
      select: {
        id: true,
        uri: true,
        data: true,
        sources: {
          select: {
            sourceId: true,
            labels: true,
            source: { select: { linkedAccount: { select: { labelers: true } } } },
          },
        },
      },
    });
    const stored = new Map(before.map((p) => [p.uri, decisive(p.data as unknown as Post)]));
    // With the labelers of every source holding the posts: one request, each source its own labels.
    const labelers = before.flatMap((p) => p.sources.flatMap((s) => s.source.linkedAccount.labelers));
    const { posts, skipped } = await this.appview.posts(uris, labelers);
    await recordSkipped(this.db.client, Network.Bluesky, null, skipped);
    await storePosts(this.db.client, [...posts.values()], NETWORK_TRUST_DOMAIN);
    const labelled = before.flatMap((p) => {
      const post = posts.get(p.uri);
      if (!post) return [];
      return p.sources.flatMap((s) => {
        const labels = s.labels === null ? labelsFor(post, new Set(s.source.linkedAccount.labelers)) : null;
        return labels ? [{ sourceId: s.sourceId, postId: p.id, labels }] : [];
      });
    });
    await fillSourceLabels(this.db.client, labelled);
    // The pipelines run again where what they decide on changed: for every holder, or one source.
    const rerun: Attached[] = [
      ...before
        .filter((p) => posts.has(p.uri) && stored.get(p.uri) !== decisive(posts.get(p.uri)!))
        .flatMap((p) => p.sources.map((s) => ({ sourceId: s.sourceId, postId: p.id }))),
      ...labelled,
    ];
    const users = await this.runPipelines(rerun, await this.usersOf(rerun.map((r) => r.sourceId)));
    const missing = uris.filter(
      (uri) => !posts.has(uri) && !skipped.some((s) => recordUri(s.record) === uri),
    );
    const wait = HYDRATE_RETRY_MS[attempt];
    if (missing.length > 0 && wait !== undefined)
      await this.jobs.enqueue('enrich-posts', { uris: missing, attempt: attempt + 1 }, wait);
    return { enriched: posts.size, labelled: labelled.length, users, missing: missing.length };
  }

  /**
   * A member came to follow `actor`: what the AppView's timeline then shows at once, the account's
   * newest posts and reposts, joins the member's HOME sources (one getAuthorFeed for them all).
   */
  private async followed({ member, actor, sourceIds }: JobPayloads['fanout-follow']) {
    // Unfollowed again before this ran: the unfollow has let go of it already.
    const still = await this.db.client.blueskyFollow.count({
      where: { memberDid: member, subjectDid: actor },
    });
    if (still === 0) return { skipped: 'no longer followed' };
    const { items, skipped } = await this.appview.authorFeed(actor, FOLLOW_BACKFILL);
    await recordSkipped(this.db.client, Network.Bluesky, null, skipped);
    const userOf = await this.usersOf(sourceIds);
    const attachments: Attachment[] = items.flatMap((item) =>
      sourceIds
        .filter((id) => userOf.has(id))
        .map((sourceId) => ({ sourceId, uri: item.post.uri, reason: item.reason })),
    );
    const attached = await this.withoutDeleted(
      await attachPosts(
        this.db.client,
        items.map((i) => i.post),
        attachments,
        NETWORK_TRUST_DOMAIN,
      ),
      items.map((i) => i.post.uri),
      items.flatMap((i) => (i.reason?.uri ? [i.reason.uri] : [])),
    );
    return { attached: attached.length, users: await this.runPipelines(attached, userOf) };
  }

  /** Source id -> its user, for the sources still there whose account need not be linked again. */
  private async usersOf(sourceIds: readonly string[]): Promise<Map<string, string>> {
    const sources = await this.db.client.source.findMany({
      where: {
        id: { in: [...new Set(sourceIds)] },
        linkedAccount: { status: { not: AccountStatus.NeedsReauth } },
      },
      select: { id: true, linkedAccount: { select: { userId: true } } },
    });
    return new Map(sources.map((s) => [s.id, s.linkedAccount.userId]));
  }

  /** Runs the pipelines of the users of these attachments over their posts; how many users. */
  private async runPipelines(attached: readonly Attached[], userOf: ReadonlyMap<string, string>) {
    const byUser = new Map<string, Set<string>>();
    for (const { sourceId, postId } of attached) {
      const userId = userOf.get(sourceId);
      if (userId === undefined) continue;
      if (!byUser.has(userId)) byUser.set(userId, new Set());
      byUser.get(userId)!.add(String(postId));
    }
    for (const [userId, ids] of byUser) {
      const postIds = [...ids];
      for (let i = 0; i < postIds.length; i += PIPELINE_BATCH)
        await this.jobs.enqueue('run-pipelines', { userId, postIds: postIds.slice(i, i + PIPELINE_BATCH) });
    }
    return byUser.size;
  }

  /**
   * A delete the stream reported while this job fetched the post (its tombstone is there) wins:
   * the post is marked deleted (its entries come out hidden), a deleted repost's attachments go again.
   */
  private async withoutDeleted<T extends Attached>(
    attached: T[],
    postUris: readonly string[],
    repostUris: readonly string[],
  ): Promise<T[]> {
    const deleted = await tombstoned(this.db.client, [...postUris, ...repostUris]);
    if (deleted.size === 0) return attached;
    await markDeletedAtOrigin(this.db.client, {
      network: Network.Bluesky,
      uris: [...deleted].filter((uri) => uri.includes('/app.bsky.feed.post/')),
    });
    const gone = await repostAttachments(
      this.db.client,
      repostUris.filter((uri) => deleted.has(uri)),
    );
    await releaseRepostAttachments(this.db.client, [], gone);
    const goneKeys = new Set(gone.map((g) => `${g.sourceId}|${g.postId}`));
    return attached.filter((a) => !goneKeys.has(`${a.sourceId}|${a.postId}`));
  }

  /**
   * Accounts by DID: cached, else as stored from the AppView's earlier answers, else asked for
   * (getProfiles, 25 a request). An account the AppView does not describe is absent.
   */
  private async authors(dids: readonly string[]): Promise<Map<string, Author>> {
    const unknown = [...new Set(dids)].filter((did) => !this.profiles.has(did));
    if (unknown.length > 0) {
      const rows = await this.db.client.author.findMany({
        where: { network: Network.Bluesky, trustDomain: NETWORK_TRUST_DOMAIN, networkId: { in: unknown } },
      });
      for (const r of rows)
        this.profiles.set(r.networkId, {
          network: Network.Bluesky,
          networkId: r.networkId,
          handle: r.handle,
          displayName: r.displayName,
          avatarUrl: r.avatarUrl,
          bot: r.bot,
        });
      const asked = unknown.filter((did) => !this.profiles.has(did));
      if (asked.length > 0)
        for (const [did, author] of await this.appview.authors(asked)) this.profiles.set(did, author);
    }
    return new Map(dids.flatMap((did) => (this.profiles.has(did) ? [[did, this.profiles.get(did)!]] : [])));
  }

  /** Repost reasons by repost URI, the reposters' profiles hydrated (cached) from the AppView. */
  private async reasons(items: readonly Item[]): Promise<Map<string, RepostReason>> {
    const refs = items.flatMap((i) => (i.reason ? [i.reason] : []));
    const profiles = await this.authors(refs.map((r) => r.by));
    return new Map(
      refs.map((r) => [
        r.uri,
        {
          // An account the AppView no longer describes still reposted: named by its DID.
          by: profiles.get(r.by) ?? {
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

const authorOf = (uri: string): string => uri.slice('at://'.length).split('/')[0] ?? '';

/** What of a post its pipelines decide on beyond what its record says (the view may change it). */
function decisive(post: Post): string {
  return JSON.stringify([
    post.labels,
    post.sensitive,
    post.linkCard,
    post.media,
    post.quote?.uri ?? null,
    post.author?.bot ?? false,
  ]);
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
