import type { Author, Post } from '@tributary/core';
import type { BuiltinStageConfig } from '../spec.js';
import type { SeenIn } from '../types.js';
import type { CompiledStage, ItemState } from './stage.js';
import { record } from './stage.js';

type Config = BuiltinStageConfig<'dedupe-crossposts'>;

// Three kinds of duplicates (DESIGN.md, "Cross-network identity"):
//  1. the same post twice (two sources, or a post and someone's repost of it): same URI;
//  2. a Bridgy Fed bridged copy: its URI points back at the original;
//  3. one person posting the same text or link on both networks within `windowMinutes`, where the
//     person is known as one: a linked identity from the config, or a Bridgy Fed handle pair.
// The original (or the first seen) survives with every `seenIn`; the others are hidden with
// `duplicateOf`. Entries in `history` (already stored) always survive.

const BRIDGY_AP = /^https:\/\/bsky\.brid\.gy\/convert\/ap\/(at:\/\/.+)$/;
const BRIDGY_REDIRECT =
  /^https:\/\/bsky\.brid\.gy\/r\/https:\/\/bsky\.app\/profile\/([^/]+)\/post\/([^/?#]+)$/;

/** The original post's URI when `post` is a Bridgy Fed copy, else null. */
export function bridgedOrigin(post: Post): string | null {
  const ap = BRIDGY_AP.exec(post.uri);
  if (ap) return ap[1]!;
  const redirect = BRIDGY_REDIRECT.exec(post.uri);
  if (redirect) return `at://${redirect[1]!}/app.bsky.feed.post/${redirect[2]!}`;
  // Bridgy Fed writes the fediverse original's URL into the bridged Bluesky record: stored entries
  // carry it alone, a post fresh from the network its view (record inside).
  const raw = post.raw as BridgyRaw | null;
  if (raw === null || typeof raw !== 'object') return null;
  const url = raw.bridgyOriginalUrl ?? raw.record?.bridgyOriginalUrl ?? raw.post?.record?.bridgyOriginalUrl;
  return typeof url === 'string' ? url : null;
}

interface BridgyRaw {
  bridgyOriginalUrl?: unknown;
  record?: { bridgyOriginalUrl?: unknown } | null;
  post?: { record?: { bridgyOriginalUrl?: unknown } | null } | null;
}

/** A network-independent person key: Bridgy Fed's handle forms map to the original account. */
export function personKey(post: Post): string {
  return authorKey(post.author);
}

/** {@link personKey} of an author: one key for an account and its Bridgy Fed copy. */
export function authorKey(author: Pick<Author, 'network' | 'handle'>): string {
  const handle = author.handle.toLowerCase();
  if (handle.endsWith('.ap.brid.gy')) {
    // alice.mastodon.social.ap.brid.gy is @alice@mastodon.social
    const rest = handle.slice(0, -'.ap.brid.gy'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? `fedi:${rest}` : `fedi:${rest.slice(0, dot)}@${rest.slice(dot + 1)}`;
  }
  if (handle.endsWith('@bsky.brid.gy')) return `bsky:${handle.slice(0, -'@bsky.brid.gy'.length)}`;
  return author.network === 'BLUESKY' ? `bsky:${handle}` : `fedi:${handle}`;
}

/** True for an account Bridgy Fed made on one network for someone on the other. */
export function isBridgedAuthor(author: Pick<Author, 'handle'>): boolean {
  const handle = author.handle.toLowerCase();
  return handle.endsWith('.ap.brid.gy') || handle.endsWith('@bsky.brid.gy');
}

function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,}\/\S*/gu, ' ') // Bluesky's shortened link text
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function firstLink(post: Post): string | null {
  if (post.linkCard !== null) return post.linkCard.url;
  for (const s of post.richText.segments) if (s.type === 'link') return s.url;
  return null;
}

function normalizeUrl(url: string): string {
  return url
    .replace(/^https?:\/\/(www\.)?/i, '')
    .replace(/[/?#]+$/, '')
    .toLowerCase();
}

interface Holder {
  uri: string;
  network: string;
  createdMs: number;
  item: ItemState | null; // null for history entries
}

function mergeSeenIn(into: SeenIn[], from: readonly SeenIn[]): void {
  for (const s of from) {
    if (
      !into.some(
        (t) => t.uri === s.uri && t.linkedAccountId === s.linkedAccountId && t.sourceId === s.sourceId,
      )
    )
      into.push(s);
  }
}

/** A person key when cross-network matching applies to the post's author, else null. */
function linkedPersonOf(identities: readonly (readonly string[])[]): (post: Post) => string | null {
  const identity = new Map<string, string>();
  identities.forEach((group, g) => {
    for (const id of group) identity.set(id.replace(/^@/, '').toLowerCase(), `id${g}`);
  });
  return (post) => {
    const id =
      identity.get(post.author.networkId.toLowerCase()) ?? identity.get(post.author.handle.toLowerCase());
    if (id !== undefined) return id;
    const h = post.author.handle;
    return h.endsWith('.ap.brid.gy') || h.endsWith('@bsky.brid.gy') ? personKey(post) : null;
  };
}

const textKey = (person: string, post: Post): string | null => {
  const text = normalizeText(post.text);
  return text.length >= 4 ? `t\n${person}\n${text}` : null;
};
const linkKey = (person: string, post: Post): string | null => {
  const link = firstLink(post);
  return link !== null ? `l\n${person}\n${normalizeUrl(link)}` : null;
};

/**
 * Every key under which a dedupe stage with these `identities` registers or looks up a post: its
 * URI, web URL and Bridgy Fed original, and for a person compared across networks its text and
 * first link. Two posts are only ever merged when their keys intersect, so a store can index the
 * keys of stored entries and read back only those a new batch could merge into (libs/timeline).
 */
export function dedupeKeysOf(identities: readonly (readonly string[])[]): (post: Post) => string[] {
  const linkedPerson = linkedPersonOf(identities);
  return (post) => {
    const keys = [post.uri];
    if (post.webUrl !== null) keys.push(post.webUrl);
    const origin = bridgedOrigin(post);
    if (origin !== null) keys.push(origin);
    const person = linkedPerson(post);
    if (person !== null) {
      const byText = textKey(person, post);
      if (byText !== null) keys.push(byText);
      const byLink = linkKey(person, post);
      if (byLink !== null) keys.push(byLink);
    }
    return keys;
  };
}

export function dedupeCrossposts(index: number, cfg: Config): CompiledStage {
  const use = 'dedupe-crossposts';
  const windowMs = cfg.windowMinutes * 60_000;
  const linkedPerson = linkedPersonOf(cfg.identities);

  return {
    use,
    index,
    phase: 'filter',
    run(items, context) {
      const exact = new Map<string, Holder>();
      const fuzzy = new Map<string, Holder>();
      const register = (post: Post, holder: Holder): void => {
        exact.set(post.uri, holder);
        if (post.webUrl !== null) exact.set(post.webUrl, holder);
        const origin = bridgedOrigin(post);
        if (origin !== null) exact.set(origin, holder);
      };
      for (const h of context.history) {
        const holder: Holder = {
          uri: h.post.uri,
          network: h.post.network,
          createdMs: Date.parse(h.post.createdAt),
          item: null,
        };
        register(h.post, holder);
        const person = linkedPerson(h.post);
        if (person !== null) addFuzzy(h.post, person, holder);
      }
      function addFuzzy(post: Post, person: string, holder: Holder): void {
        const byText = textKey(person, post);
        if (byText !== null) fuzzy.set(byText, holder);
        const byLink = linkKey(person, post);
        if (byLink !== null) fuzzy.set(byLink, holder);
      }
      const merge = (item: ItemState, into: Holder, why: string): void => {
        // Stored entries are merged by the worker (it appends this item's seenIn); batch items here.
        const target = into.item;
        if (target !== null) {
          if (target.seenIn === target.candidate.seenIn) target.seenIn = [...target.seenIn];
          mergeSeenIn(target.seenIn, item.seenIn);
        }
        item.hidden = true;
        item.hiddenReason = `duplicate: ${why}`;
        item.duplicateOf = into.uri;
        record(item, {
          stage: use,
          index,
          verdict: 'hide',
          reason: `duplicate of ${into.uri}: ${why}`,
          score: 0,
        });
        if (into.item !== null)
          record(into.item, {
            stage: use,
            index,
            verdict: 'merge',
            reason: `merged ${item.post.uri}: ${why}`,
            score: 0,
          });
      };
      // Originals before bridged copies, so the original survives.
      const order = items.filter((i) => !i.hidden);
      order.sort((a, b) => Number(bridgedOrigin(a.post) !== null) - Number(bridgedOrigin(b.post) !== null));
      for (const item of order) {
        const post = item.post;
        const origin = bridgedOrigin(post);
        const hit =
          exact.get(post.uri) ??
          (origin !== null ? exact.get(origin) : undefined) ??
          (post.webUrl !== null ? exact.get(post.webUrl) : undefined);
        if (hit !== undefined && hit.item !== item) {
          merge(item, hit, hit.uri === post.uri ? 'same post' : 'bridged copy');
          continue;
        }
        const holder: Holder = { uri: post.uri, network: post.network, createdMs: item.createdMs, item };
        const person = linkedPerson(post);
        if (person !== null) {
          const textKeyed = textKey(person, post);
          const linkKeyed = linkKey(person, post);
          const byText = textKeyed !== null ? fuzzy.get(textKeyed) : undefined;
          const byLink = linkKeyed !== null ? fuzzy.get(linkKeyed) : undefined;
          const near = [byText, byLink].find(
            (h) =>
              h !== undefined &&
              h.network !== post.network &&
              Math.abs(h.createdMs - item.createdMs) <= windowMs,
          );
          if (near !== undefined) {
            merge(item, near, near === byText ? 'same text on both networks' : 'same link on both networks');
            continue;
          }
          addFuzzy(post, person, holder);
        }
        register(post, holder);
      }
    },
  };
}
