// What each kind of Mastodon id names (MastodonId.key). Parts are joined by a space, which no URI,
// DID or account URI contains.
import type { Network, RepostReason } from '@tributary/core';

export type IdKind = 'POST' | 'REBLOG' | 'ACCOUNT' | 'NOTIFICATION' | 'MEDIA' | 'LIST';

export interface IdRequest {
  kind: IdKind;
  key: string;
  /** When the thing happened (ms): the id's time part. */
  at: number;
}

/**
 * A post, by network and URI: one id whichever trust domain's copy a member reads, so a status id
 * stays the same across timelines, threads and members.
 */
export const postKey = (network: Network, uri: string): string => `${network} ${uri}`;

/** The network and URI a post key names. */
export function parsePostKey(key: string): { network: Network; uri: string } | null {
  const space = key.indexOf(' ');
  const network = key.slice(0, space);
  if (space < 0 || (network !== 'BLUESKY' && network !== 'MASTODON')) return null;
  const uri = key.slice(space + 1);
  return uri && !uri.includes(' ') ? { network, uri } : null;
}

/** A repost wrapper: the post and the repost (its own URI, or who reposted it when it has none). */
export const reblogKey = (network: Network, uri: string, reason: RepostReason): string =>
  `${postKey(network, uri)} ${reason.uri ?? `by:${reason.by.networkId}`}`;

/** `reblogKey` of a repost known by its own URI alone (one an entry lost: UserEvent `unreposted`). */
export const reblogKeyOfUri = (network: Network, uri: string, repostUri: string): string =>
  `${postKey(network, uri)} ${repostUri}`;

/** The post a reblog key wraps. */
export function reblogPostKey(key: string): string | null {
  const parts = key.split(' ');
  return parts.length === 3 ? `${parts[0]} ${parts[1]}` : null;
}

/** An account, by network and DID / account URI (stable across renames). */
export const accountKey = (network: Network, networkId: string): string => `${network} ${networkId}`;

export function parseAccountKey(key: string): { network: Network; networkId: string } | null {
  const parsed = parsePostKey(key);
  return parsed ? { network: parsed.network, networkId: parsed.uri } : null;
}

/** A post that is not published yet: the action that will publish it. */
export const pendingPostKey = (actionId: string): string => `action ${actionId}`;
