// Writes back to a network (like, repost, reply, post…): what the API stores in an OutboundAction
// row's `payload` and `result` JSON, and what the worker reads back to perform it.
import type { PostTarget } from './connector.js';
import type { Network } from './network.js';

/** Stored values of OutboundAction.kind. */
export const ActionKind = {
  Like: 'LIKE',
  Unlike: 'UNLIKE',
  Repost: 'REPOST',
  Unrepost: 'UNREPOST',
  Reply: 'REPLY',
  Post: 'POST',
  Delete: 'DELETE',
  Vote: 'VOTE',
  Follow: 'FOLLOW',
  Unfollow: 'UNFOLLOW',
  Mute: 'MUTE',
  Unmute: 'UNMUTE',
  Block: 'BLOCK',
  Unblock: 'UNBLOCK',
  Bookmark: 'BOOKMARK',
  Unbookmark: 'UNBOOKMARK',
  /** A new post quoting the target (Mastodon 4.5+). */
  Quote: 'QUOTE',
  Edit: 'EDIT',
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

/** Stored values of OutboundAction.status. */
export const ActionStatus = {
  Pending: 'PENDING',
  Done: 'DONE',
  Failed: 'FAILED',
} as const;
export type ActionStatus = (typeof ActionStatus)[keyof typeof ActionStatus];

/** An image to attach, as the client sent it (checked for size and type before it is stored). */
export interface ActionMedia {
  /** Base64 of the file; emptied once the action is finished (the network has it then). */
  data: string;
  mimeType: string;
  altText: string | null;
}

/** Text of a reply or a new post. */
export interface ActionDraft {
  text: string;
  contentWarning: string | null;
  language: string | null;
  media: ActionMedia[];
}

/**
 * OutboundAction.payload. Everything the worker needs is captured when the action is accepted, so
 * a retried job performs the same write even if the post row changes meanwhile.
 */
export interface ActionPayload {
  /** The network of the account that acts (the target post is on the same one). */
  network: Network;
  /** Tributary's Post id (a bigint as a decimal string) of the target; null for a new post. */
  postId: string | null;
  /** The target on its network (like, repost, reply parent, …); null for a new post. */
  target: PostTarget | null;
  /** Unlike/unrepost: the like or repost record to remove, when an earlier action created it. */
  ref: string | null;
  draft: ActionDraft | null;
  /** A vote: the chosen option indexes of the target's poll. */
  choices?: number[];
  /** Follow, mute, block and their undoing: whom, as the member named them (a DID, handle or URI). */
  subject?: string;
}

/** OutboundAction.result once the network accepted the write. */
export interface ActionResult {
  uri: string;
  nativeId: string;
  webUrl: string | null;
  /** A vote: the options this member's account voted for (theirs alone, kept on their action). */
  ownVotes?: number[];
}
