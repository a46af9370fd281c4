// Merging one page of results from several networks: each network's own order is kept, the
// merge only interleaves (newest first for posts, by turns for people and hashtags), and each
// network's place moves to just after the last of its results the page took.
import type { Author, Hashtag, Network, Profile, SearchHit } from '@tributary/core';
import { authorKey, isBridgedAuthor } from '@tributary/pipeline';
import type { SearchState } from './search-cursor.js';

/** What one linked account's search answered for this page. */
export interface SearchStream<T> {
  accountId: string;
  hits: SearchHit<T>[];
}

export interface Taken<T> {
  accountId: string;
  value: T;
}

/**
 * Takes at most `limit` hits from the streams. With `time`, the newest head goes first (two
 * networks' newest-first lists stay newest first); without, the streams take turns.
 */
export function mergeStreams<T>(
  streams: readonly SearchStream<T>[],
  limit: number,
  time?: (value: T) => number,
): { taken: Taken<T>[]; counts: Map<string, number> } {
  const next = streams.map(() => 0);
  const taken: Taken<T>[] = [];
  let turn = 0;
  while (taken.length < limit) {
    const open = streams.map((s, i) => i).filter((i) => next[i]! < streams[i]!.hits.length);
    if (open.length === 0) break;
    let pick: number;
    if (time) {
      pick = open.reduce((best, i) => {
        const t = time(streams[i]!.hits[next[i]!]!.value);
        const b = time(streams[best]!.hits[next[best]!]!.value);
        return t > b ? i : best;
      });
    } else {
      pick = open.find((i) => i >= turn % streams.length) ?? open[0]!;
      turn = pick + 1;
    }
    const stream = streams[pick]!;
    taken.push({ accountId: stream.accountId, value: stream.hits[next[pick]!]!.value });
    next[pick]!++;
  }
  return { taken, counts: new Map(streams.map((s, i) => [s.accountId, next[i]!])) };
}

/**
 * Each answering account's place after this page: after the last hit taken from it, unchanged when
 * none was taken, done when it answered nothing or its last taken hit was its last. Accounts that
 * did not answer (a failure) keep their place, to be tried again.
 */
export function advance<T>(
  state: SearchState,
  streams: readonly SearchStream<T>[],
  counts: ReadonlyMap<string, number>,
): SearchState {
  const next: SearchState = new Map(state);
  for (const stream of streams) {
    const n = counts.get(stream.accountId) ?? 0;
    const before = state.get(stream.accountId) ?? { cursor: null, done: false };
    if (stream.hits.length === 0) next.set(stream.accountId, { cursor: before.cursor, done: true });
    else if (n > 0) {
      const after = stream.hits[n - 1]!.after;
      next.set(stream.accountId, { cursor: after, done: after === null });
    } else next.set(stream.accountId, before);
  }
  return next;
}

/** A person as the search shows them, with the other accounts found that are theirs too. */
export interface MergedPerson {
  profile: Profile;
  linkedAccountId: string;
  sameAs: Author[];
}

/**
 * One result per person, where they first came: an account and its Bridgy Fed copy on the other
 * network are one person (the original stands for them, the copy is in `sameAs`), and so is one
 * account found through two linked accounts.
 */
export function mergePeople(taken: readonly Taken<Profile>[]): MergedPerson[] {
  const originalsFirst = [...taken].sort(
    (a, b) => Number(isBridgedAuthor(a.value)) - Number(isBridgedAuthor(b.value)),
  );
  const byPerson = new Map<string, MergedPerson>();
  for (const t of originalsFirst) {
    const key = authorKey(t.value);
    const person = byPerson.get(key);
    if (!person) byPerson.set(key, { profile: t.value, linkedAccountId: t.accountId, sameAs: [] });
    else if (
      person.profile.networkId !== t.value.networkId &&
      !person.sameAs.some((a) => a.networkId === t.value.networkId)
    )
      person.sameAs.push(authorOf(t.value));
  }
  const placed = new Set<string>();
  return taken.flatMap((t) => {
    const key = authorKey(t.value);
    if (placed.has(key)) return [];
    placed.add(key);
    return [byPerson.get(key)!];
  });
}

function authorOf(profile: Profile): Author {
  const { network, networkId, handle, displayName, avatarUrl, bot } = profile;
  return { network, networkId, handle, displayName, avatarUrl, bot };
}

export interface MergedHashtag {
  name: string;
  networks: Network[];
  webUrl: string | null;
  usesLastWeek: number | null;
}

/** One result per hashtag name (case aside), with every network that knows it and their counts added. */
export function mergeHashtags(
  taken: readonly Taken<Hashtag>[],
  networkOf: (accountId: string) => Network,
): MergedHashtag[] {
  const byName = new Map<string, MergedHashtag>();
  for (const t of taken) {
    const network = networkOf(t.accountId);
    const key = t.value.name.toLowerCase();
    const known = byName.get(key);
    if (!known) {
      byName.set(key, { ...t.value, networks: [network] });
      continue;
    }
    if (!known.networks.includes(network)) known.networks.push(network);
    known.webUrl ??= t.value.webUrl;
    if (t.value.usesLastWeek !== null) known.usesLastWeek = (known.usesLastWeek ?? 0) + t.value.usesLastWeek;
  }
  return [...byName.values()];
}
