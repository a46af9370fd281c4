// A person on a network as a client shows them: their profile, counts and how the member's linked
// account stands with them, read fresh from the network through that account.
import type { Author } from './post.js';

/** How the acting account stands with someone (their view of it is the network's). */
export interface Relationship {
  following: boolean;
  followedBy: boolean;
  muted: boolean;
  blocked: boolean;
  /** They block the account (Bluesky tells; Mastodon tells only when the server does). */
  blockedBy: boolean;
}

/** An account's profile as its network shows it to the reading account. */
export interface Profile extends Author {
  /** The bio as plain text (Mastodon's HTML is reduced to text, paragraphs as blank lines). */
  bio: string;
  bannerUrl: string | null;
  webUrl: string | null;
  /** Null when the network does not say. */
  followersCount: number | null;
  followingCount: number | null;
  postsCount: number | null;
  relationship: Relationship;
}

/**
 * Someone to read or act on, as a member names them: a DID or a Bluesky handle, a Mastodon account
 * URI or `user@instance`. Each connector resolves it on its network.
 */
export type ActorRef = string;

/** Changes to how the account stands with someone; each is a write on the network. */
export const RelationshipChange = {
  Follow: 'FOLLOW',
  Unfollow: 'UNFOLLOW',
  Mute: 'MUTE',
  Unmute: 'UNMUTE',
  Block: 'BLOCK',
  Unblock: 'UNBLOCK',
} as const;
export type RelationshipChange = (typeof RelationshipChange)[keyof typeof RelationshipChange];
