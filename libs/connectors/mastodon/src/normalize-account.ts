// Accounts and hashtags as Mastodon's REST API gives them (masto's camelCase), normalized: what a
// profile page and the search show.
import type { Hashtag, Profile, Relationship } from '@tributary/core';
import type { mastodon } from 'masto';
import { normalizeAuthor, safeUrl } from './normalize-status.js';
import { htmlToRichText } from './rich-text.js';

const count = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) ? n : null);

/** How an account stands with someone, from a Relationship entity (none: not told, all false). */
export function toRelationship(r: Partial<mastodon.v1.Relationship> | undefined): Relationship {
  return {
    following: r?.following === true || r?.requested === true,
    followedBy: r?.followedBy === true,
    muted: r?.muting === true,
    blocked: r?.blocking === true,
    blockedBy: r?.blockedBy === true,
  };
}

/** An Account entity as a profile seen from `origin` (a MalformedRecordError without `acct`). */
export function toProfile(account: mastodon.v1.Account, relationship: Relationship, origin: string): Profile {
  const host = new URL(origin).host;
  return {
    ...normalizeAuthor(account, account, host, 'account'),
    bio: htmlToRichText(String(account.note ?? ''), { mentions: [], tags: [], instanceHost: host }).text,
    bannerUrl: safeUrl(account.headerStatic) ?? safeUrl(account.header),
    webUrl: safeUrl(account.url),
    followersCount: count(account.followersCount),
    followingCount: count(account.followingCount),
    postsCount: count(account.statusesCount),
    relationship,
  };
}

/** A Tag entity; null without a name. Its `history` is the last days' uses, newest first. */
export function toHashtag(tag: unknown): Hashtag | null {
  const t = tag as { name?: unknown; url?: unknown; history?: unknown } | null;
  if (typeof t?.name !== 'string' || !t.name.trim()) return null;
  const history = Array.isArray(t.history) ? (t.history as { uses?: unknown }[]) : [];
  // Uses are strings in the API ("12"); a server that sends no history says nothing.
  const uses = history.slice(0, 7).map((day) => Number(day?.uses));
  return {
    name: t.name.replace(/^#/, ''),
    webUrl: safeUrl(t.url),
    usesLastWeek: uses.length > 0 && uses.every(Number.isFinite) ? uses.reduce((a, b) => a + b, 0) : null,
  };
}
