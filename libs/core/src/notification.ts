import type { SkippedItem } from './connector.js';
import type { Author, Post } from './post.js';
import type { TrustDomain } from './trust.js';

/** What a notification is about, for both networks. Values are stored and exposed in GraphQL. */
export const NotificationKind = {
  Mention: 'MENTION',
  Reply: 'REPLY',
  Quote: 'QUOTE',
  Like: 'LIKE',
  Repost: 'REPOST',
  Follow: 'FOLLOW',
  FollowRequest: 'FOLLOW_REQUEST',
  /** A poll the member voted in or created has ended (Mastodon). */
  PollEnded: 'POLL_ENDED',
  /** A post the member boosted was edited (Mastodon). */
  Edit: 'EDIT',
  /** Someone the member asked to be notified of posted (Mastodon). */
  Post: 'POST',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** Kinds whose post was written by the actor (mute words apply to it). */
export const AUTHORED_NOTIFICATION_KINDS: readonly NotificationKind[] = [
  NotificationKind.Mention,
  NotificationKind.Reply,
  NotificationKind.Quote,
  NotificationKind.Edit,
  NotificationKind.Post,
];

/** One notification of a linked account, normalized. */
export interface NetworkNotification {
  /** The network's id (Mastodon notification id, Bluesky record URI); unique per account. */
  nativeId: string;
  kind: NotificationKind;
  createdAt: string; // ISO-8601
  /** Who did it. */
  actor: Author;
  /**
   * The post it is about: the mention, reply or quote itself, or the member's post that was liked,
   * reposted, edited… Null for follows, or when the post could not be read (see `subjectUri`).
   */
  post: Post | null;
  /** The URI of the post it is about, when known (also when `post` could not be read). */
  subjectUri: string | null;
}

/** What `fetchNotifications` found: newest first, like `NewerItems`. */
export interface NotificationPage {
  items: NetworkNotification[];
  skipped: SkippedItem[];
  /** Store it and pass it back; null only when nothing was ever seen. */
  marker: string | null;
  /** False when more is new than `maxItems`: call again with the marker. */
  complete: boolean;
  /** Whose word the posts in it are (the server that answered). */
  trustDomain: TrustDomain;
}
