// The NetworkConnector for one linked Bluesky account: reads home/feeds/lists/author feeds through
// the account's PDS (which proxies to the AppView) and writes likes, reposts and posts back.
import { RichText } from '@atproto/api';
import type { Agent } from '@atproto/api';
import {
  ConnectorError,
  ConnectorErrorCode,
  NETWORK_TRUST_DOMAIN,
  NO_VIEWER,
  Network,
  RelationshipChange,
  SourceKind,
  hostIsListed,
} from '@tributary/core';
import type {
  ActorRef,
  FetchedPost,
  Profile,
  FetchedThread,
  IngestedItem,
  NetworkConnector,
  NewerItems,
  NotificationPage,
  OlderPage,
  PostDraft,
  PostTarget,
  SkippedItem,
  SourceDescription,
  SourceRef,
  TrustDomain,
  WriteOptions,
  WriteResult,
} from '@tributary/core';
import type { BlueskyApiSession } from './api-session.js';
import { NewerScan, feedItemKey, feedItemSortTime } from './feed-marker.js';
import {
  isNetworkLabeler,
  normalizeAuthor,
  normalizeFeedViewPost,
  normalizePostView,
  viewerOf,
} from './normalize-post.js';
import { recordKeyFor } from './record-key.js';
import { normalizeThread } from './normalize-thread.js';
import { fetchBlueskyNotifications } from './notifications.js';

export interface BlueskyConnectorOptions {
  /**
   * Labeler DIDs whose labels to request; default: the labelers the account subscribes to, read
   * from its preferences every LABELERS_TTL_MS.
   */
  labelers?: string[];
  /** How far below the newest seen item `fetchNewer` keeps looking for late-indexed posts. */
  overlapMs?: number;
  /** Write budget per account and hour, in Bluesky's points (create 3, delete 1). */
  writePointsPerHour?: number;
  /**
   * Hosts whose answers are the network's word (`hostIsListed` entries): services the operator
   * trusts to pass on the AppView's views unchanged. Answers from any other server (a PDS a member
   * runs) are that server's word only. Default: none.
   */
  trustedHosts?: readonly string[];
}

/**
 * How often the account's labeler subscriptions are read again: a connector lives as long as its
 * process caches it, and a member may subscribe to a labeler meanwhile.
 */
const LABELERS_TTL_MS = 15 * 60_000;
/** How deep replies and how far up ancestors getPostThread goes (its own maximums are 1000). */
const THREAD_DEPTH = 10;
const THREAD_PARENT_HEIGHT = 80;
/** app.bsky feed endpoints accept at most 100 items per page. */
const MAX_PAGE = 100;
/** Bluesky's published per-account write limit. */
const WRITE_POINTS_PER_HOUR = 5_000;
const POINTS = { create: 3, delete: 1 } as const;
const MAX_GRAPHEMES = 300;
/** The images embed takes at most four. */
const MAX_IMAGES = 4;
const AT_URI = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** The fields of an `app.bsky.feed.generator` record Tributary writes. */
export interface FeedGeneratorRecord {
  /** The DID of the service answering getFeedSkeleton (`did:web:<host>`). */
  did: string;
  /** At most 24 graphemes. */
  displayName: string;
  description?: string;
  /** The app sends app.bsky.feed.sendInteractions ("show more / less", "seen"). */
  acceptsInteractions: boolean;
}

interface FeedPage {
  feed: unknown[];
  cursor?: string;
  /** Origins of the servers that answered. */
  servedBy: string[];
}

function parseAtUri(
  uri: string,
  what: string,
  collection?: string,
): { did: string; collection: string; rkey: string } {
  const m = AT_URI.exec(uri);
  if (!m || (collection && m[2] !== collection)) {
    throw new ConnectorError(
      ConnectorErrorCode.BadInput,
      `${what} must be an at:// URI${collection ? ` of a ${collection} record` : ''}, got "${uri}"`,
    );
  }
  return { did: m[1] as string, collection: m[2] as string, rkey: m[3] as string };
}

function requireCid(target: PostTarget): void {
  if (!target.nativeId)
    throw new ConnectorError(ConnectorErrorCode.BadInput, `post ${target.uri} needs its CID as nativeId`);
}

/**
 * The labelers the account subscribes to, after the app's own (what Agent#getPreferences reports,
 * read without it: that method also writes preferences it would migrate, which is not ours to do
 * and not in the OAuth grant).
 */
/**
 * The labelers the account subscribes to, from its preferences. Read directly: Agent#getPreferences
 * may write migrated preferences back, which an OAuth grant without putPreferences refuses.
 */
async function labelerPreferences(agent: Agent): Promise<string[]> {
  const { data } = await agent.app.bsky.actor.getPreferences({});
  const own = data.preferences.flatMap((pref) =>
    pref.$type === 'app.bsky.actor.defs#labelersPref'
      ? ((pref as { labelers?: { did?: unknown }[] }).labelers ?? []).map((l) => l.did)
      : [],
  );
  return own.filter((did): did is string => typeof did === 'string');
}

/** A sliding one-hour window of write points, so one account never exceeds its quota. */
class WriteBudget {
  private spent: Array<[number, number]> = [];
  constructor(private readonly perHour: number) {}

  take(points: number): void {
    const now = Date.now();
    this.spent = this.spent.filter(([t]) => t > now - 3_600_000);
    const used = this.spent.reduce((sum, [, p]) => sum + p, 0);
    if (used + points > this.perHour) {
      const oldest = this.spent[0]?.[0] ?? now;
      throw new ConnectorError(
        ConnectorErrorCode.RateLimited,
        `Bluesky write budget of ${this.perHour} points per hour is used up for this account`,
        new Date(oldest + 3_600_000),
      );
    }
    this.spent.push([now, points]);
  }
}

export class BlueskyConnector implements NetworkConnector {
  readonly network = Network.Bluesky;
  /** The labelers read last, and when (monotonic clock). */
  private labelers: { dids: Promise<string[]>; readAt: number } | null = null;
  private readonly overlapMs: number;
  private readonly budget: WriteBudget;

  constructor(
    readonly session: BlueskyApiSession,
    private readonly options: BlueskyConnectorOptions = {},
  ) {
    this.overlapMs = options.overlapMs ?? 15 * 60_000;
    this.budget = new WriteBudget(options.writePointsPerHour ?? WRITE_POINTS_PER_HOUR);
  }

  /**
   * A feed is its generator's record as the AppView knows it (`getFeedGenerator`: the record exists
   * and its service DID declares a feed generator endpoint); a list is `getList`'s. Their names are
   * the display names.
   */
  async describeSource(source: SourceRef): Promise<SourceDescription> {
    switch (source.kind) {
      case SourceKind.Feed: {
        const feed = source.externalId;
        parseAtUri(feed, 'a feed', 'app.bsky.feed.generator');
        const { view } = await this.session.call('getFeedGenerator', async (agent) => {
          return (await agent.app.bsky.feed.getFeedGenerator({ feed })).data;
        });
        return { displayName: view.displayName || null };
      }
      case SourceKind.List: {
        const list = source.externalId;
        parseAtUri(list, 'a list', 'app.bsky.graph.list');
        const data = await this.session.call('getList', async (agent) => {
          return (await agent.app.bsky.graph.getList({ list, limit: 1 })).data;
        });
        return { displayName: data.list.name || null };
      }
      case SourceKind.Home:
      case SourceKind.Author:
        return { displayName: null };
      default:
        throw new ConnectorError(ConnectorErrorCode.BadInput, `Bluesky has no ${source.kind} sources`);
    }
  }

  async fetchNewer(source: SourceRef, marker: string | null, maxItems: number): Promise<NewerItems> {
    const chronological = source.kind !== SourceKind.Feed;
    const scan = new NewerScan(marker, chronological, this.overlapMs);
    const items: IngestedItem[] = [];
    const skipped: SkippedItem[] = [];
    let cursor: string | null = null;
    let scannedCount = 0;
    let complete = false;
    const servedBy: string[] = [];
    scanning: for (;;) {
      const page = await this.page(source, cursor, Math.min(MAX_PAGE, Math.max(maxItems, 1)));
      servedBy.push(...page.servedBy);
      for (const entry of page.feed) {
        // More is new than the caller wants now; it is left for the next pass or a backfill, so it
        // must not be recorded as seen.
        if (items.length + skipped.length >= maxItems) break scanning;
        scannedCount++;
        const verdict = scan.classify(feedItemKey(entry), feedItemSortTime(entry));
        if (verdict === 'stop') {
          complete = true;
          break scanning;
        }
        if (verdict === 'seen') continue;
        const result = normalizeFeedViewPost(entry);
        if (result.ok) items.push(result.item);
        else skipped.push(result.skipped);
      }
      // Ranked feeds have no "everything newer": one window of maxItems entries is a full pass.
      if (!chronological && scannedCount >= maxItems) {
        complete = true;
        break;
      }
      if (!page.cursor || page.feed.length === 0) {
        complete = true;
        break;
      }
      cursor = page.cursor;
    }
    return { items, skipped, marker: scan.marker(), complete, trustDomain: this.trustDomainOf(servedBy) };
  }

  async fetchOlder(source: SourceRef, cursor: string | null, limit: number): Promise<OlderPage> {
    const page = await this.page(source, cursor, Math.min(MAX_PAGE, Math.max(limit, 1)));
    const items: IngestedItem[] = [];
    const skipped: SkippedItem[] = [];
    for (const entry of page.feed) {
      const result = normalizeFeedViewPost(entry);
      if (result.ok) items.push(result.item);
      else skipped.push(result.skipped);
    }
    return {
      items,
      skipped,
      nextCursor: page.feed.length > 0 && page.cursor ? page.cursor : null,
      trustDomain: this.trustDomainOf(page.servedBy),
    };
  }

  async like(target: PostTarget, options?: WriteOptions): Promise<WriteResult> {
    const viewer = await this.viewerState(target);
    if (viewer.like) return { uri: viewer.like, nativeId: '', webUrl: null }; // already liked: idempotent
    requireCid(target);
    const res = await this.createRecord(
      'app.bsky.feed.like',
      { subject: { uri: target.uri, cid: target.nativeId } },
      options,
    );
    return { uri: res.uri, nativeId: res.cid, webUrl: null };
  }

  async unlike(target: PostTarget, ref: string | null): Promise<void> {
    const uri = ref ?? (await this.viewerState(target)).like;
    if (!uri) return;
    parseAtUri(uri, 'like reference', 'app.bsky.feed.like');
    this.budget.take(POINTS.delete);
    await this.session.call('deleteLike', (agent) => agent.deleteLike(uri));
  }

  async repost(target: PostTarget, options?: WriteOptions): Promise<WriteResult> {
    const viewer = await this.viewerState(target);
    if (viewer.repost) return { uri: viewer.repost, nativeId: '', webUrl: null };
    requireCid(target);
    const res = await this.createRecord(
      'app.bsky.feed.repost',
      { subject: { uri: target.uri, cid: target.nativeId } },
      options,
    );
    return { uri: res.uri, nativeId: res.cid, webUrl: null };
  }

  async unrepost(target: PostTarget, ref: string | null): Promise<void> {
    const uri = ref ?? (await this.viewerState(target)).repost;
    if (!uri) return;
    parseAtUri(uri, 'repost reference', 'app.bsky.feed.repost');
    this.budget.take(POINTS.delete);
    await this.session.call('deleteRepost', (agent) => agent.deleteRepost(uri));
  }

  async createPost(draft: PostDraft, options?: WriteOptions): Promise<WriteResult> {
    if (draft.contentWarning) {
      // Bluesky only has fixed self-labels (sexual, nudity, porn, graphic-media), no warning text.
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        'Bluesky posts cannot carry a content-warning text',
      );
    }
    const rt = new RichText({ text: draft.text });
    if (rt.graphemeLength > MAX_GRAPHEMES) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `Bluesky posts are limited to ${MAX_GRAPHEMES} characters, this one has ${rt.graphemeLength}`,
      );
    }
    const media = draft.media ?? [];
    if (!draft.text.trim() && media.length === 0)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'A post needs some text');
    if (media.length > MAX_IMAGES) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `Bluesky posts take at most ${MAX_IMAGES} images, this one has ${media.length}`,
      );
    }
    // Links, hashtags and mentions (resolved to DIDs) become facets with UTF-8 byte offsets.
    await this.session.call('resolveMentions', (agent) => rt.detectFacets(agent));
    const reply = draft.replyTo ? await this.replyRefs(draft.replyTo) : undefined;
    const images = [];
    for (const m of media) {
      // Blobs not referenced by a record are garbage-collected by the PDS, so a retry that uploads
      // again leaves nothing behind.
      const blob = await this.session.call(
        'uploadBlob',
        async (agent) => (await agent.uploadBlob(m.data, { encoding: m.mimeType })).data.blob,
      );
      images.push({ image: blob, alt: m.altText ?? '' });
    }
    const res = await this.createRecord(
      'app.bsky.feed.post',
      {
        text: rt.text,
        ...(rt.facets?.length ? { facets: rt.facets } : {}),
        ...(draft.language ? { langs: [draft.language] } : {}),
        ...(reply ? { reply } : {}),
        ...(images.length ? { embed: { $type: 'app.bsky.embed.images', images } } : {}),
      },
      options,
    );
    const { rkey } = parseAtUri(res.uri, 'created post');
    return {
      uri: res.uri,
      nativeId: res.cid,
      webUrl: `https://bsky.app/profile/${this.session.did}/post/${rkey}`,
    };
  }

  async deletePost(target: PostTarget): Promise<void> {
    const { did } = parseAtUri(target.uri, 'post', 'app.bsky.feed.post');
    if (did !== this.session.did)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'Only your own posts can be deleted');
    this.budget.take(POINTS.delete);
    await this.session.call('deletePost', (agent) => agent.deletePost(target.uri));
  }

  async fetchProfile(actor: ActorRef): Promise<Profile> {
    const view = await this.profileView(actor);
    const author = normalizeAuthor(view);
    if (!author)
      throw new ConnectorError(ConnectorErrorCode.Unavailable, `the profile of ${actor} is malformed`);
    const viewer = view.viewer ?? {};
    const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
    return {
      ...author,
      bio: typeof view.description === 'string' ? view.description : '',
      bannerUrl: typeof view.banner === 'string' ? view.banner : null,
      webUrl: `https://bsky.app/profile/${author.handle}`,
      followersCount: count(view.followersCount),
      followingCount: count(view.followsCount),
      postsCount: count(view.postsCount),
      relationship: {
        following: !!viewer.following,
        followedBy: !!viewer.followedBy,
        muted: !!viewer.muted,
        blocked: !!viewer.blocking,
        blockedBy: !!viewer.blockedBy,
      },
    };
  }

  async fetchAuthorPosts(actor: ActorRef, cursor: string | null, limit: number): Promise<OlderPage> {
    return this.fetchOlder({ kind: SourceKind.Author, externalId: actor }, cursor, limit);
  }

  /**
   * Follows and blocks are records in the account's repo; the profile's viewer state names the one
   * that stands, so a follow that exists is returned rather than made again, and an undo deletes
   * what stands. Mutes are private to the account's PDS (muteActor), idempotent there.
   */
  async relate(
    actor: ActorRef,
    change: RelationshipChange,
    options?: WriteOptions,
  ): Promise<WriteResult | null> {
    const view = await this.profileView(actor);
    const did = view.did;
    const viewer = view.viewer ?? {};
    const record = async (collection: string, existing: string | undefined) => {
      if (existing) return { uri: existing, nativeId: '', webUrl: null };
      const res = await this.createRecord(collection, { subject: did }, options);
      return { uri: res.uri, nativeId: res.cid, webUrl: null };
    };
    const remove = async (existing: string | undefined, collection: string) => {
      if (!existing) return null;
      const { rkey } = parseAtUri(existing, 'record', collection);
      this.budget.take(POINTS.delete);
      await this.session.call(`delete ${collection}`, (agent) =>
        agent.com.atproto.repo.deleteRecord({ repo: this.session.did, collection, rkey }),
      );
      return null;
    };
    switch (change) {
      case RelationshipChange.Follow:
        return record('app.bsky.graph.follow', viewer.following);
      case RelationshipChange.Unfollow:
        return remove(viewer.following, 'app.bsky.graph.follow');
      case RelationshipChange.Block:
        return record('app.bsky.graph.block', viewer.blocking);
      case RelationshipChange.Unblock:
        return remove(viewer.blocking, 'app.bsky.graph.block');
      case RelationshipChange.Mute:
        await this.session.call('muteActor', (agent) => agent.mute(did));
        return null;
      case RelationshipChange.Unmute:
        await this.session.call('unmuteActor', (agent) => agent.unmute(did));
        return null;
    }
  }

  private async profileView(actor: ActorRef) {
    if (!/^(did:[a-z]+:[A-Za-z0-9._:%-]+|[a-zA-Z0-9.-]+\.[a-zA-Z]{2,})$/.test(actor))
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `"${actor}" is neither a DID nor a Bluesky handle`,
      );
    await this.ensureLabelers();
    try {
      return await this.session.call('getProfile', async (agent) => (await agent.getProfile({ actor })).data);
    } catch (err) {
      // The AppView answers 400 "Profile not found" for someone it does not know.
      if (err instanceof ConnectorError && /not found/i.test(err.message))
        throw new ConnectorError(ConnectorErrorCode.NotFound, `no Bluesky account ${actor}`);
      throw err;
    }
  }

  /**
   * Creates or replaces the account's `app.bsky.feed.generator` record `rkey`, which names the
   * service (`did`) answering for the feed. Replacing keeps the feed's URI, so pins keep working.
   */
  async putFeedGenerator(
    rkey: string,
    generator: FeedGeneratorRecord,
  ): Promise<{ uri: string; cid: string }> {
    this.budget.take(POINTS.create);
    return this.session.call('putRecord app.bsky.feed.generator', async (agent) => {
      const { data } = await agent.com.atproto.repo.putRecord({
        repo: this.session.did,
        collection: 'app.bsky.feed.generator',
        rkey,
        record: { $type: 'app.bsky.feed.generator', ...generator, createdAt: new Date().toISOString() },
      });
      return { uri: data.uri, cid: data.cid };
    });
  }

  /** Deletes the account's feed generator record `rkey` (nothing to do when it is gone already). */
  async deleteFeedGenerator(rkey: string): Promise<void> {
    this.budget.take(POINTS.delete);
    await this.session.call('deleteRecord app.bsky.feed.generator', (agent) =>
      agent.com.atproto.repo.deleteRecord({
        repo: this.session.did,
        collection: 'app.bsky.feed.generator',
        rkey,
      }),
    );
  }

  async fetchThread(target: PostTarget): Promise<FetchedThread> {
    parseAtUri(target.uri, 'post', 'app.bsky.feed.post');
    await this.ensureLabelers();
    const { value: thread, servedBy } = await this.session.callAnswered(
      'getPostThread',
      async (agent) =>
        (
          await agent.getPostThread({
            uri: target.uri,
            depth: THREAD_DEPTH,
            parentHeight: THREAD_PARENT_HEIGHT,
          })
        ).data.thread,
    );
    return { ...normalizeThread(thread, target.uri), trustDomain: this.trustDomainOf(servedBy) };
  }

  async fetchNotifications(marker: string | null, maxItems: number): Promise<NotificationPage> {
    await this.ensureLabelers();
    const { servedBy, ...page } = await fetchBlueskyNotifications(
      this.session,
      marker,
      maxItems,
      this.overlapMs,
    );
    return { ...page, trustDomain: this.trustDomainOf(servedBy) };
  }

  /** Bluesky's "seen" time: the app shows notifications indexed after it as unread. */
  async saveNotificationsRead(last: { createdAt: string }): Promise<void> {
    await this.session.call('updateSeen', (agent) =>
      agent.app.bsky.notification.updateSeen({ seenAt: last.createdAt }),
    );
  }

  /**
   * Whose word an answer is: the network's when every server that answered is trusted, else the
   * first untrusted one's (a member's PDS can rewrite any view it passes on, or invent one).
   */
  private trustDomainOf(servedBy: readonly string[]): TrustDomain {
    const trusted = this.options.trustedHosts ?? [];
    const answered = servedBy.length > 0 ? servedBy : [this.session.callOrigin];
    return answered.find((origin) => !hostIsListed(origin, trusted)) ?? NETWORK_TRUST_DOMAIN;
  }

  /**
   * DIDs the account follows (home timeline authors), and for a list source its members: what a
   * firehose event's author must be among for this account to need a sync.
   */
  async followedDids(list?: string): Promise<string[]> {
    if (list) parseAtUri(list, 'list', 'app.bsky.graph.list');
    const dids: string[] = [];
    let cursor: string | undefined;
    do {
      const page: { dids: string[]; cursor?: string } = list
        ? await this.session.call('getList', async (agent) => {
            const { data } = await agent.app.bsky.graph.getList({
              list,
              limit: MAX_PAGE,
              ...(cursor ? { cursor } : {}),
            });
            return {
              dids: data.items.map((i) => i.subject.did),
              ...(data.cursor ? { cursor: data.cursor } : {}),
            };
          })
        : await this.session.call('getFollows', async (agent) => {
            const { data } = await agent.getFollows({
              actor: this.session.did,
              limit: MAX_PAGE,
              ...(cursor ? { cursor } : {}),
            });
            return { dids: data.follows.map((f) => f.did), ...(data.cursor ? { cursor: data.cursor } : {}) };
          });
      dids.push(...page.dids);
      cursor = page.dids.length > 0 ? page.cursor : undefined;
    } while (cursor);
    return dids;
  }

  private async page(source: SourceRef, cursor: string | null, limit: number): Promise<FeedPage> {
    await this.ensureLabelers();
    const params = { limit, ...(cursor ? { cursor } : {}) };
    switch (source.kind) {
      case SourceKind.Home:
        return this.answered('getTimeline', async (agent) => (await agent.getTimeline(params)).data);
      case SourceKind.Feed: {
        parseAtUri(source.externalId, 'feed', 'app.bsky.feed.generator');
        return this.answered(
          'getFeed',
          async (agent) => (await agent.app.bsky.feed.getFeed({ ...params, feed: source.externalId })).data,
        );
      }
      case SourceKind.List: {
        parseAtUri(source.externalId, 'list', 'app.bsky.graph.list');
        return this.answered(
          'getListFeed',
          async (agent) =>
            (await agent.app.bsky.feed.getListFeed({ ...params, list: source.externalId })).data,
        );
      }
      case SourceKind.Author: {
        if (!source.externalId)
          throw new ConnectorError(ConnectorErrorCode.BadInput, 'An author feed needs a DID or handle');
        return this.answered(
          'getAuthorFeed',
          async (agent) =>
            (await agent.getAuthorFeed({ ...params, actor: source.externalId, filter: 'posts_with_replies' }))
              .data,
        );
      }
      default:
        throw new ConnectorError(ConnectorErrorCode.BadInput, `Bluesky has no ${source.kind} sources`);
    }
  }

  /** A feed call, with who answered it. */
  private async answered(
    what: string,
    fn: (agent: Agent) => Promise<Omit<FeedPage, 'servedBy'>>,
  ): Promise<FeedPage> {
    const { value, servedBy } = await this.session.callAnswered(what, fn);
    return { ...value, servedBy };
  }

  /**
   * The labelers the account subscribes to, from its preferences (private: only its own session
   * reads them), as read at most `maxAgeMs` ago: the sync's read and the labels service's are one.
   */
  subscribedLabelers(maxAgeMs = 0): Promise<string[]> {
    if (this.options.labelers) return Promise.resolve(this.options.labelers);
    const now = performance.now();
    if (this.labelers && now - this.labelers.readAt <= maxAgeMs) return this.labelers.dids;
    const dids = this.session.call('getPreferences', async (agent) => {
      const read = await labelerPreferences(agent);
      // The network's own labelers are every request's anyway; their labels are the post's, not personal.
      return [...new Set(read.filter((d) => d.startsWith('did:') && !isNetworkLabeler(d)))].sort();
    });
    const entry = { dids, readAt: now };
    this.labelers = entry;
    dids.catch(() => {
      if (this.labelers === entry) this.labelers = null; // try again next time
    });
    return dids;
  }

  /** Labels come back only from labelers the request names; use the account's subscriptions. */
  private async ensureLabelers(): Promise<void> {
    const dids = await this.subscribedLabelers(LABELERS_TTL_MS);
    this.session.agent.configureLabelers(dids as `did:${string}:${string}`[]);
  }

  /**
   * Creates a record in the account's repo. With `options` its key is derived from the idempotency
   * key, and the PDS (the repo's authority, no indexing lag) is asked first whether it exists: a
   * retried write returns the record the first attempt made. A write whose answer was lost is found
   * the same way; a concurrent duplicate is refused by the repo, whose keys are unique.
   */
  private async createRecord(
    collection: string,
    fields: Record<string, unknown>,
    options?: WriteOptions,
  ): Promise<{ uri: string; cid: string }> {
    const repo = this.session.did;
    const record = {
      $type: collection,
      ...fields,
      createdAt: (options?.requestedAt ?? new Date()).toISOString(),
    };
    const rkey = options ? recordKeyFor(options.idempotencyKey, options.requestedAt) : undefined;
    if (rkey) {
      const existing = await this.existingRecord(collection, rkey);
      if (existing) return existing;
    }
    this.budget.take(POINTS.create);
    try {
      return await this.session.call(`create ${collection}`, async (agent) => {
        const { data } = await agent.com.atproto.repo.createRecord({
          repo,
          collection,
          record,
          ...(rkey ? { rkey } : {}),
        });
        return { uri: data.uri, cid: data.cid };
      });
    } catch (err) {
      if (rkey && err instanceof ConnectorError && err.code !== ConnectorErrorCode.Auth) {
        const landed = await this.existingRecord(collection, rkey).catch(() => null);
        if (landed) return landed;
      }
      throw err;
    }
  }

  private async existingRecord(
    collection: string,
    rkey: string,
  ): Promise<{ uri: string; cid: string } | null> {
    try {
      const { data } = await this.session.call('getRecord', (agent) =>
        agent.com.atproto.repo.getRecord({ repo: this.session.did, collection, rkey }),
      );
      return data.cid ? { uri: data.uri, cid: data.cid } : null;
    } catch (err) {
      if (err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound) return null;
      throw err;
    }
  }

  async fetchPost(target: PostTarget): Promise<FetchedPost> {
    parseAtUri(target.uri, 'post', 'app.bsky.feed.post');
    await this.ensureLabelers();
    const { value: posts, servedBy } = await this.session.callAnswered(
      'getPosts',
      async (agent) => (await agent.getPosts({ uris: [target.uri] })).data.posts,
    );
    const view = posts[0];
    if (!view)
      throw new ConnectorError(ConnectorErrorCode.NotFound, `Post ${target.uri} not found on Bluesky`);
    const normalized = normalizePostView(view);
    if (!normalized.ok)
      throw new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `unreadable post view: ${normalized.skipped.reason}`,
      );
    return {
      post: normalized.post,
      viewer: viewerOf(view) ?? NO_VIEWER,
      trustDomain: this.trustDomainOf(servedBy),
    };
  }

  private async viewerState(target: PostTarget): Promise<{ like: string | null; repost: string | null }> {
    parseAtUri(target.uri, 'post', 'app.bsky.feed.post');
    const posts = await this.session.call(
      'getPosts',
      async (agent) => (await agent.getPosts({ uris: [target.uri] })).data.posts,
    );
    const post = posts[0];
    if (!post)
      throw new ConnectorError(ConnectorErrorCode.NotFound, `Post ${target.uri} not found on Bluesky`);
    return { like: post.viewer?.like ?? null, repost: post.viewer?.repost ?? null };
  }

  /** A reply names the thread's root too; look it up from the parent when the caller did not. */
  private async replyRefs(
    replyTo: NonNullable<PostDraft['replyTo']>,
  ): Promise<{ root: { uri: string; cid: string }; parent: { uri: string; cid: string } }> {
    parseAtUri(replyTo.uri, 'reply parent', 'app.bsky.feed.post');
    requireCid(replyTo);
    const parent = { uri: replyTo.uri, cid: replyTo.nativeId };
    if (replyTo.root) return { root: { uri: replyTo.root.uri, cid: replyTo.root.nativeId }, parent };
    const posts = await this.session.call(
      'getPosts',
      async (agent) => (await agent.getPosts({ uris: [replyTo.uri] })).data.posts,
    );
    const record = posts[0]?.record as { reply?: { root?: { uri?: unknown; cid?: unknown } } } | undefined;
    const root = record?.reply?.root;
    if (root && typeof root.uri === 'string' && typeof root.cid === 'string')
      return { root: { uri: root.uri, cid: root.cid }, parent };
    return { root: parent, parent };
  }
}
