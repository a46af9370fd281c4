import type { Network } from './network.js';

/** An author as the origin network describes them. `networkId` is a DID or a Mastodon account URI. */
export interface Author {
  network: Network;
  /** DID (`did:plc:…`) on Bluesky, the account's ActivityPub URI on Mastodon. Stable across renames. */
  networkId: string;
  /** `alice.bsky.social` or `alice@example.social` (always with the instance). */
  handle: string;
  displayName: string | null;
  avatarUrl: string | null;
  /** Bot accounts as flagged by the network (Mastodon `bot`, Bluesky `bot` self-label). */
  bot: boolean;
}

/**
 * A segment of rich text. Text is split into runs so any client can render it without parsing
 * HTML or byte offsets; the plain text is the concatenation of the runs' `text`.
 */
export type RichTextSegment =
  | { type: 'text'; text: string }
  | { type: 'link'; text: string; url: string }
  | { type: 'mention'; text: string; networkId: string; handle: string | null }
  | { type: 'hashtag'; text: string; tag: string }
  | { type: 'linebreak'; text: '\n' };

export interface RichText {
  segments: RichTextSegment[];
}

export type MediaType = 'image' | 'video' | 'gifv' | 'audio' | 'unknown';

export interface Media {
  type: MediaType;
  url: string;
  previewUrl: string | null;
  altText: string | null;
  width: number | null;
  height: number | null;
  /** Mastodon focal point, each in [-1, 1]; null where the network has none. */
  focus: { x: number; y: number } | null;
  /** Hashes such as Mastodon's blurhash, for placeholders. */
  blurhash: string | null;
}

export interface LinkCard {
  url: string;
  title: string;
  description: string;
  imageUrl: string | null;
}

export interface Counts {
  replies: number;
  reposts: number;
  likes: number;
  quotes: number;
}

/**
 * A poll as everyone sees it: options and counts. Whether a member voted and for what is that
 * member's own (README "Trust between members"), never part of the shared post.
 */
export interface Poll {
  /** The poll's id on the trust domain's server (what a vote is sent to). */
  id: string;
  options: { title: string; votes: number | null }[];
  /** ISO-8601, or null for a poll that does not end. */
  expiresAt: string | null;
  expired: boolean;
  /** Several options may be chosen. */
  multiple: boolean;
  votes: number;
  /** People who voted (differs from `votes` for a multiple-choice poll); null when not told. */
  voters: number | null;
}

/** A label on a post: Bluesky self-labels and labeler labels, Mastodon filters and `sensitive`. */
export interface Label {
  value: string; // e.g. `porn`, `ai-generated`, `!warn`, `sensitive`, `filter:<title>`
  /** Who applied it: the author (self-label), a labeler's DID, a Mastodon filter, or the network. */
  source: string;
  /** Mastodon filter action or labeler policy where known. */
  action: 'hide' | 'warn' | 'blur' | 'inform' | null;
  /**
   * True when the label comes from the reading account's own settings rather than from the post:
   * its Mastodon filters, the Bluesky labelers it subscribes to. Such a label is that member's alone:
   * stored with their source's link to the post, never on the post other members share (README
   * "Security"), and it never makes the post `sensitive`.
   */
  personal?: boolean;
}

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** Reference to another post (reply parent/root, quote) by its canonical URI. */
export interface PostRef {
  uri: string;
  /** Author of the referenced post when the network tells us. */
  authorNetworkId: string | null;
  /**
   * Set when the network named the post only by its id on the account's server (Mastodon's
   * `in_reply_to_id`): `uri` is then a stand-in until the post is known (the ingest resolves it
   * against the posts the account has stored).
   */
  nativeId?: string;
  /**
   * A reply's parent or root as the network showed it beside the reply (Bluesky's feed views carry
   * the reply context): its author's handle and name and its text, so a client can say "replying to
   * @bob". Absent when the network did not show it (readers then look for the stored post).
   */
  authorHandle?: string;
  authorDisplayName?: string | null;
  text?: string;
}

/** Why a post is in a timeline besides its author being followed: a repost/boost by someone. */
export interface RepostReason {
  by: Author;
  at: string; // ISO-8601
  /** The repost's own URI (Bluesky repost record, Mastodon boost status URI). */
  uri: string | null;
  /** The repost's own id where it is a timeline entry of its own (a Mastodon boost's status id). */
  nativeId?: string;
}

/** One post, normalized from either network without losing what the network said. */
export interface Post {
  network: Network;
  /** Canonical URI: `at://did/app.bsky.feed.post/rkey` or the Mastodon status URI. Unique per network. */
  uri: string;
  /** Network-side id (Bluesky CID, Mastodon status id on the fetching instance). Opaque. */
  nativeId: string;
  /** Where a person opens it in a browser. */
  webUrl: string | null;
  author: Author;
  text: string;
  richText: RichText;
  languages: string[];
  createdAt: string; // ISO-8601
  indexedAt: string; // ISO-8601
  replyParent: PostRef | null;
  replyRoot: PostRef | null;
  /** The quoted post, embedded when the network gave it to us. */
  quote: QuotedPost | null;
  /**
   * A quoted post the network does not show (`quote` is then null): deleted (`not-found`), hidden by
   * a block between the authors (`blocked`), or detached by its author (`detached`). Absent otherwise.
   */
  quoteUnavailable?: { uri: string; reason: 'not-found' | 'blocked' | 'detached' };
  media: Media[];
  linkCard: LinkCard | null;
  counts: Counts;
  /**
   * When its origin says the post was last edited (ISO-8601; Mastodon's `edited_at`); absent or null
   * when it never was, or the network does not say (Bluesky).
   */
  editedAt?: string | null;
  /** Content warning / spoiler text shown before the content. */
  contentWarning: string | null;
  sensitive: boolean;
  labels: Label[];
  visibility: Visibility;
  hashtags: string[];
  /** A poll attached to the post (Mastodon); absent or null when none. */
  poll?: Poll | null;
  /**
   * When the post was found deleted at its origin (ISO-8601); absent while it exists. A deleted post
   * leaves every timeline but stays in the audit (hidden, "deleted at origin").
   */
  deletedAt?: string;
  /** The native record as the network sent it, for plugins that need more. */
  raw: unknown;
}

/** A quoted post: a post of its own, nested one level (quotes of quotes are references only). */
export type QuotedPost = Omit<Post, 'quote' | 'quoteUnavailable' | 'raw'> & { quote: PostRef | null };

/** A post as it appeared in one source of one linked account. */
export interface TimelineItem {
  post: Post;
  reason: RepostReason | null;
  linkedAccountId: string;
  sourceId: string;
}
