// Bluesky's search through the account's session: posts (app.bsky.feed.searchPosts, newest
// first), people (app.bsky.actor.searchActors) and hashtags, which Bluesky has no search of: they
// are read off the posts searchPosts finds for the term.
import type {
  Hashtag,
  HashtagSearchPage,
  PeopleSearchPage,
  Post,
  Profile,
  SearchHit,
  SkippedItem,
} from '@tributary/core';
import type { BlueskyApiSession } from './api-session.js';
import { normalizeAuthor, normalizePostView } from './normalize-post.js';

/** searchPosts and searchActors take at most 100 a page. */
const MAX_PAGE = 100;

/**
 * A position in a search: `skip` results into the page that `page` (the API's cursor; '' for the
 * first page) starts. The API's cursors only point between its pages; a caller that took part of a
 * page continues inside it.
 */
interface Position {
  page: string;
  skip: number;
}

function parsePosition(cursor: string | null): Position {
  const m = cursor ? /^(\d{1,3}):(.*)$/s.exec(cursor) : null;
  if (!m) return { page: cursor ?? '', skip: 0 };
  return { page: m[2]!, skip: Math.min(Number(m[1]), MAX_PAGE - 1) };
}

/**
 * Reads the page at `cursor` (`skip` more than asked, so that what was taken of it can be left
 * out) and gives each raw entry past the skip the position right after it.
 */
async function searchPage<T>(
  cursor: string | null,
  limit: number,
  read: (params: { limit: number; cursor?: string }) => Promise<{ entries: unknown[]; cursor?: string }>,
  convert: (entry: unknown) => T | null,
): Promise<SearchHit<T>[]> {
  const at = parsePosition(cursor);
  const size = Math.min(MAX_PAGE, at.skip + Math.max(1, limit));
  const page = await read({ limit: size, ...(at.page ? { cursor: at.page } : {}) });
  const hits: SearchHit<T>[] = [];
  page.entries.forEach((entry, i) => {
    if (i < at.skip) return;
    const value = convert(entry);
    if (value === null) return;
    const after =
      i + 1 < page.entries.length ? `${i + 1}:${at.page}` : page.cursor ? `0:${page.cursor}` : null;
    hits.push({ value, after });
  });
  return hits;
}

export async function searchBlueskyPosts(
  session: BlueskyApiSession,
  query: string,
  cursor: string | null,
  limit: number,
): Promise<{ hits: SearchHit<Post>[]; skipped: SkippedItem[]; servedBy: string[] }> {
  const skipped: SkippedItem[] = [];
  let servedBy: string[] = [];
  const hits = await searchPage(
    cursor,
    limit,
    async (params) => {
      const answer = await session.callAnswered(
        'searchPosts',
        async (agent) =>
          (await agent.app.bsky.feed.searchPosts({ q: query, sort: 'latest', ...params })).data,
      );
      servedBy = answer.servedBy;
      return { entries: answer.value.posts, ...(answer.value.cursor ? { cursor: answer.value.cursor } : {}) };
    },
    (view) => {
      const normalized = normalizePostView(view);
      if (normalized.ok) return normalized.post;
      skipped.push(normalized.skipped);
      return null;
    },
  );
  return { hits, skipped, servedBy };
}

export async function searchBlueskyPeople(
  session: BlueskyApiSession,
  query: string,
  cursor: string | null,
  limit: number,
): Promise<PeopleSearchPage> {
  const hits = await searchPage(
    cursor,
    limit,
    async (params) => {
      const { data } = await session.call('searchActors', (agent) =>
        agent.app.bsky.actor.searchActors({ q: query.trim().replace(/^@/, ''), ...params }),
      );
      return { entries: data.actors, ...(data.cursor ? { cursor: data.cursor } : {}) };
    },
    profileOf,
  );
  return { hits };
}

/** A profile view (basic or detailed) as a Profile; null when it names no one. */
export function profileOf(view: unknown): Profile | null {
  const author = normalizeAuthor(view);
  if (!author) return null;
  const v = view as {
    description?: unknown;
    banner?: unknown;
    followersCount?: unknown;
    followsCount?: unknown;
    postsCount?: unknown;
    viewer?: {
      following?: unknown;
      followedBy?: unknown;
      muted?: unknown;
      blocking?: unknown;
      blockedBy?: unknown;
    };
  };
  const viewer = v.viewer ?? {};
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
  return {
    ...author,
    bio: typeof v.description === 'string' ? v.description : '',
    bannerUrl: typeof v.banner === 'string' ? v.banner : null,
    webUrl: `https://bsky.app/profile/${author.handle}`,
    followersCount: count(v.followersCount),
    followingCount: count(v.followsCount),
    postsCount: count(v.postsCount),
    relationship: {
      following: !!viewer.following,
      followedBy: !!viewer.followedBy,
      muted: !!viewer.muted,
      blocked: !!viewer.blocking,
      blockedBy: !!viewer.blockedBy,
    },
  };
}

/**
 * The hashtags of the newest posts searchPosts finds for the term that contain it, most used first.
 * A cursor `h:<n>` skips the first n of them (the same search again).
 */
export async function searchBlueskyHashtags(
  session: BlueskyApiSession,
  query: string,
  cursor: string | null,
  limit: number,
): Promise<HashtagSearchPage> {
  const term = query.trim().replace(/^#/, '').toLowerCase();
  const skip = cursor === null ? 0 : Number(/^h:(\d{1,4})$/.exec(cursor)?.[1] ?? NaN);
  if (!term || Number.isNaN(skip)) return { hits: [] };
  const { hits: posts } = await searchBlueskyPosts(session, term, null, MAX_PAGE);
  const uses = new Map<string, { name: string; count: number }>();
  for (const { value: post } of posts) {
    for (const name of new Set(post.hashtags)) {
      const key = name.toLowerCase();
      if (!key.includes(term)) continue;
      const seen = uses.get(key) ?? { name, count: 0 };
      seen.count++;
      uses.set(key, seen);
    }
  }
  const hashtags: Hashtag[] = [...uses.values()]
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .map(({ name }) => ({
      name,
      webUrl: `https://bsky.app/hashtag/${encodeURIComponent(name)}`,
      usesLastWeek: null,
    }));
  const end = Math.min(hashtags.length, skip + Math.max(1, limit));
  return {
    hits: hashtags.slice(skip, end).map((value, i) => ({
      value,
      after: skip + i + 1 < hashtags.length ? `h:${skip + i + 1}` : null,
    })),
  };
}
