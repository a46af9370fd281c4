import type { Network, SourceKind } from './network.js';
import type { NotificationPage } from './notification.js';
import type { Post, RepostReason } from './post.js';
import type { ActorRef, Profile, RelationshipChange } from './profile.js';
import type { TrustDomain } from './trust.js';

/**
 * The port every network connector implements (libs/connectors/*). One instance is bound to one
 * linked account's session; it fetches normalized posts and writes back on the account's behalf.
 */
export interface NetworkConnector {
  readonly network: Network;

  /**
   * Items newer than `marker` (the high-water mark a previous call returned; null on first sync),
   * at most `maxItems`, newest first. Returns the new marker to store. Never skips: if more than
   * `maxItems` are new, `complete` is false and the caller may backfill the gap with `fetchOlder`.
   */
  fetchNewer(source: SourceRef, marker: string | null, maxItems: number): Promise<NewerItems>;

  /** One page of history, newest first, starting at `cursor` (null = newest). For backfills. */
  fetchOlder(source: SourceRef, cursor: string | null, limit: number): Promise<OlderPage>;

  /**
   * Checks a source before it is added, and says what the network calls it (a feed generator's or
   * a list's name). One the network does not have (a deleted feed, a mistyped URI, another
   * account's list) is a NOT_FOUND or BAD_INPUT ConnectorError. Kinds the network checks no further
   * (home, hashtag, author) answer without a request.
   */
  describeSource(source: SourceRef): Promise<SourceDescription>;

  /** Writes take `options` so a retried write (same idempotency key) is applied at most once. */
  like(target: PostTarget, options?: WriteOptions): Promise<WriteResult>;
  unlike(target: PostTarget, ref: string | null): Promise<void>;
  repost(target: PostTarget, options?: WriteOptions): Promise<WriteResult>;
  unrepost(target: PostTarget, ref: string | null): Promise<void>;
  createPost(draft: PostDraft, options?: WriteOptions): Promise<WriteResult>;
  deletePost(target: PostTarget): Promise<void>;

  /**
   * The post as this account sees it now (fresh counts, the account's own like/repost), for
   * reconciling after a write. A deleted or invisible post is a NOT_FOUND ConnectorError.
   */
  fetchPost(target: PostTarget): Promise<FetchedPost>;

  /**
   * The conversation around a post, fetched fresh from the network as this account sees it: the
   * post itself, its ancestors and its replies. A deleted or invisible post is a NOT_FOUND
   * ConnectorError. Mastodon resolves the status on the account's instance from `target.uri`
   * when `target.nativeId` belongs to another instance.
   */
  fetchThread(target: PostTarget): Promise<FetchedThread>;

  /**
   * The account's notifications newer than `marker` (the value a previous call returned; null on
   * the first call, which returns the newest page only), at most `maxItems`, newest first, with the
   * posts they are about. Never skips: when more is new, `complete` is false and the marker keeps
   * the gap for the next call.
   */
  fetchNotifications(marker: string | null, maxItems: number): Promise<NotificationPage>;

  /**
   * Tells the network that the member read the account's notifications up to `last` (one this
   * connector returned): Mastodon's `notifications` marker, Bluesky's `updateSeen`.
   */
  saveNotificationsRead(last: { nativeId: string; createdAt: string }): Promise<void>;

  /**
   * Someone's profile as the network shows it to this account, with how the account stands with
   * them. Someone the network does not know is a NOT_FOUND ConnectorError.
   */
  fetchProfile(actor: ActorRef): Promise<Profile>;

  /** One page of someone's posts (and reposts), newest first, from `cursor` (null = newest). */
  fetchAuthorPosts(actor: ActorRef, cursor: string | null, limit: number): Promise<OlderPage>;

  /**
   * Follows, mutes or blocks someone (or undoes it). Idempotent: asking for what already holds
   * changes nothing (a follow that exists is not made twice, an unfollow of no one succeeds).
   * Returns the record that now stands for it, when the network keeps one (a Bluesky follow).
   */
  relate(actor: ActorRef, change: RelationshipChange, options?: WriteOptions): Promise<WriteResult | null>;
}

/** A thread as the network returned it, normalized. Posts that could not be normalized are in `skipped`. */
export interface FetchedThread {
  post: Post;
  /** Root first, ending with the post's parent. Deleted or blocked posts in the chain are left out. */
  ancestors: Post[];
  /** Depth-first (each reply followed by its own replies); depth 1 replies to `post` itself. */
  replies: FetchedReply[];
  skipped: SkippedItem[];
  /** Whose word these posts are (the server that answered); they are stored in this domain. */
  trustDomain: TrustDomain;
}

export interface FetchedReply {
  post: Post;
  /** URI of the post this one replies to (`post` or another reply). */
  parentUri: string;
  depth: number;
}

export interface SourceRef {
  kind: SourceKind;
  /** Feed URI, list id, actor DID or hashtag; '' for the home timeline. */
  externalId: string;
}

/** What the network calls a source. */
export interface SourceDescription {
  /** The feed generator's display name, the list's name; null when the network names none. */
  displayName: string | null;
}

/** A post as it arrived in one source, with the repost/boost that brought it, if any. */
export interface IngestedItem {
  post: Post;
  reason: RepostReason | null;
  /**
   * What the reading account did to the post, when its server said (Bluesky `viewer` in a view from
   * the account's own session, Mastodon `favourited`/`reblogged`/`bookmarked`). The reader's own:
   * kept per account, never on the shared post.
   */
  viewer?: PostViewer | null;
}

/** The reading account's own relation to a post, as its server reports it. */
export interface PostViewer {
  liked: boolean;
  /** The like record (Bluesky) when liked; null on Mastodon or when not told. */
  likeUri: string | null;
  reposted: boolean;
  /** The repost record (Bluesky) when reposted. */
  repostUri: string | null;
  /** Bookmarked on the server itself (Mastodon); Bluesky reports none. */
  bookmarked: boolean;
}

/** No relation: what a server that reports none (or an unauthenticated view) says. */
export const NO_VIEWER: Readonly<PostViewer> = Object.freeze({
  liked: false,
  likeUri: null,
  reposted: false,
  repostUri: null,
  bookmarked: false,
});

/** A post fetched fresh through one account, with that account's relation to it. */
export interface FetchedPost {
  post: Post;
  viewer: PostViewer;
  trustDomain: TrustDomain;
}

/** A record that could not be normalized, with why; stored, never fatal. */
export interface SkippedItem {
  reason: string;
  record: unknown;
}

export interface NewerItems {
  items: IngestedItem[];
  skipped: SkippedItem[];
  marker: string | null;
  complete: boolean;
  /** Whose word these posts are (the server that answered); they are stored in this domain. */
  trustDomain: TrustDomain;
}

export interface OlderPage {
  items: IngestedItem[];
  skipped: SkippedItem[];
  /** Null when history is exhausted. */
  nextCursor: string | null;
  /** Whose word these posts are (the server that answered); they are stored in this domain. */
  trustDomain: TrustDomain;
}

/** Enough to address a post on its network: Bluesky needs URI + CID, Mastodon its status id. */
export interface PostTarget {
  uri: string;
  nativeId: string;
}

export interface PostDraft {
  text: string;
  contentWarning?: string | null;
  language?: string | null;
  replyTo?: (PostTarget & { root?: PostTarget | null }) | null;
  media?: DraftMedia[];
  /** The post quoted (Mastodon: instances of API version 7, Mastodon 4.5, and later). */
  quoteOf?: PostTarget | null;
}

/** An image to upload with a post. */
export interface DraftMedia {
  data: Uint8Array;
  mimeType: string;
  altText: string | null;
}

/**
 * Makes a write safe to retry: the same `idempotencyKey` never creates a second like, repost or
 * post (Bluesky: a record key derived from it; Mastodon: the `Idempotency-Key` header).
 */
export interface WriteOptions {
  idempotencyKey: string;
  /** When the user asked; used as the record's creation time, so a retry writes the same record. */
  requestedAt: Date;
}

export interface WriteResult {
  uri: string;
  nativeId: string;
  webUrl: string | null;
}
