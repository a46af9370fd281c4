// An account's notifications (app.bsky.notification.listNotifications) read incrementally, newest
// first, with the posts they are about hydrated by getPosts (25 a call).
import type { Agent } from '@atproto/api';
import { NotificationKind } from '@tributary/core';
import type { NetworkNotification, Post, SkippedItem } from '@tributary/core';
import type { BlueskyApiSession } from './api-session.js';
import { normalizeAuthor, normalizePostView } from './normalize-post.js';

/** Bluesky's reasons Tributary shows; others (starter packs, verification…) are left out. */
const KINDS: Record<string, NotificationKind> = {
  like: NotificationKind.Like,
  repost: NotificationKind.Repost,
  follow: NotificationKind.Follow,
  mention: NotificationKind.Mention,
  reply: NotificationKind.Reply,
  quote: NotificationKind.Quote,
};
/** For these the post is the notification's own record; for likes and reposts, the `reasonSubject`. */
const OWN_RECORD = new Set<string>([
  NotificationKind.Mention,
  NotificationKind.Reply,
  NotificationKind.Quote,
]);
const MAX_PAGE = 100;
const FIRST_PAGE = 50;
const GET_POSTS_BATCH = 25;
const POST_URI = /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/[^/]+$/;

/**
 * Where the sync stands: `top` is the newest `indexedAt` read; `gap` what one call could not reach
 * (older than `cursor`, newer than `floor`), filled by the next call before anything newer. The
 * list is ordered by the record's own time, and a record is indexed later than that (seconds on a
 * busy network, more after an outage): each scan reads `overlapMs` below `top` again, and `recent`
 * (the notifications read within that window) keeps them from being fetched twice.
 */
interface Marker {
  top: string | null;
  gap: { cursor: string; floor: string | null } | null;
  recent: { uri: string; at: string }[];
}

/** At most this many notifications are remembered in `recent`. */
const MAX_RECENT = 500;

interface RawNotification {
  uri?: unknown;
  author?: unknown;
  reason?: unknown;
  reasonSubject?: unknown;
  indexedAt?: unknown;
}

function parseMarker(marker: string | null): Marker | null {
  if (!marker) return null;
  try {
    const m = JSON.parse(marker) as {
      v?: unknown;
      top?: unknown;
      gap?: { cursor?: unknown; floor?: unknown };
      recent?: unknown;
    };
    if (m.v !== 1) return null;
    const top = typeof m.top === 'string' ? m.top : null;
    const gap =
      m.gap && typeof m.gap.cursor === 'string'
        ? { cursor: m.gap.cursor, floor: typeof m.gap.floor === 'string' ? m.gap.floor : null }
        : null;
    const recent = Array.isArray(m.recent)
      ? (m.recent as { uri?: unknown; at?: unknown }[]).flatMap((r) =>
          typeof r?.uri === 'string' && typeof r.at === 'string' ? [{ uri: r.uri, at: r.at }] : [],
        )
      : [];
    return { top, gap, recent };
  } catch {
    return null; // unreadable: a first sync again (stored notifications are unique per account)
  }
}

const serialize = (m: Marker): string => JSON.stringify({ v: 1, top: m.top, gap: m.gap, recent: m.recent });

const minus = (iso: string, ms: number): string => new Date(Date.parse(iso) - ms).toISOString();

interface Scan {
  raw: RawNotification[];
  newest: string | null;
  /** The cursor to go on from when the budget ran out before the floor, else null. */
  unfinished: string | null;
}

export interface BlueskyNotifications {
  items: NetworkNotification[];
  skipped: SkippedItem[];
  marker: string;
  complete: boolean;
  servedBy: string[];
}

/** Reads the account's notifications above `marker` (see NetworkConnector.fetchNotifications). */
export async function fetchBlueskyNotifications(
  session: BlueskyApiSession,
  marker: string | null,
  maxItems: number,
  overlapMs: number,
): Promise<BlueskyNotifications> {
  const servedBy: string[] = [];
  const page = async (cursor: string | null, limit: number) => {
    const { value, servedBy: by } = await session.callAnswered(
      'listNotifications',
      async (agent: Agent) =>
        (await agent.app.bsky.notification.listNotifications({ limit, ...(cursor ? { cursor } : {}) })).data,
    );
    servedBy.push(...by);
    return value;
  };
  const budget = { left: Math.max(1, maxItems) };
  /** Newest first from `cursor` down to `floor` (exclusive; null: the end), within the budget. */
  const scan = async (cursor: string | null, floor: string | null): Promise<Scan> => {
    const out: Scan = { raw: [], newest: null, unfinished: null };
    let at = cursor;
    for (;;) {
      if (budget.left <= 0) {
        out.unfinished = at;
        return out;
      }
      // Whole pages only, so that a cursor never skips the rest of a page.
      const limit = Math.min(MAX_PAGE, budget.left);
      const { notifications, cursor: next } = await page(at, limit);
      budget.left -= notifications.length;
      for (const n of notifications as RawNotification[]) {
        const time = typeof n.indexedAt === 'string' ? n.indexedAt : '';
        // Times compared as instants (servers may differ in how they write them).
        if (floor !== null && !(Date.parse(time) >= Date.parse(floor))) return out;
        out.newest ??= time || null;
        out.raw.push(n);
      }
      if (!next || notifications.length < limit) return out;
      at = next;
    }
  };

  const state = parseMarker(marker);
  let scans: Scan[];
  let nextMarker: Omit<Marker, 'recent'>;
  if (state === null) {
    const first = await page(null, Math.min(FIRST_PAGE, budget.left));
    const raw = first.notifications as RawNotification[];
    scans = [{ raw, newest: null, unfinished: null }];
    nextMarker = { top: typeof raw[0]?.indexedAt === 'string' ? raw[0].indexedAt : null, gap: null };
  } else {
    scans = [];
    let gapOpen: Marker['gap'] = null;
    if (state.gap) {
      const gap = await scan(state.gap.cursor, state.gap.floor);
      if (gap.unfinished !== null) gapOpen = { cursor: gap.unfinished, floor: state.gap.floor };
      scans.push(gap);
    }
    if (gapOpen) {
      nextMarker = { top: state.top, gap: gapOpen };
    } else {
      const floor = state.top === null ? null : minus(state.top, overlapMs);
      const fresh = await scan(null, floor);
      scans.unshift(fresh);
      nextMarker = {
        top:
          [fresh.newest, state.top]
            .filter((t): t is string => t !== null)
            .sort()
            .at(-1) ?? null,
        gap: fresh.unfinished === null ? null : { cursor: fresh.unfinished, floor },
      };
    }
  }
  const known = new Set(state?.recent.map((r) => r.uri));
  const raw = scans.flatMap((s) => s.raw).filter((n) => !(typeof n.uri === 'string' && known.has(n.uri)));
  const posts = await hydrate(session, raw, servedBy);
  const items: NetworkNotification[] = [];
  const skipped: SkippedItem[] = [];
  const seen = new Set<string>();
  for (const n of raw) {
    const kind = typeof n.reason === 'string' ? KINDS[n.reason] : undefined;
    if (!kind) continue;
    const actor = normalizeAuthor(n.author);
    const uri = typeof n.uri === 'string' ? n.uri : null;
    const at = typeof n.indexedAt === 'string' ? Date.parse(n.indexedAt) : NaN;
    if (!actor || !uri || Number.isNaN(at)) {
      skipped.push({ reason: 'notification without a readable author, uri or indexedAt', record: n });
      continue;
    }
    if (seen.has(uri)) continue;
    seen.add(uri);
    const subject = subjectOf(n, kind);
    items.push({
      nativeId: uri,
      kind,
      createdAt: new Date(at).toISOString(),
      actor,
      post: subject ? (posts.get(subject) ?? null) : null,
      subjectUri: subject,
    });
  }
  // What was read within the overlap window below the new top: skipped when read again.
  const windowStart = nextMarker.top === null ? '' : minus(nextMarker.top, overlapMs);
  const recent = [
    ...(state?.recent ?? []),
    ...raw.flatMap((n) =>
      typeof n.uri === 'string' && typeof n.indexedAt === 'string' ? [{ uri: n.uri, at: n.indexedAt }] : [],
    ),
  ]
    .filter((r) => Date.parse(r.at) >= Date.parse(windowStart || r.at))
    .slice(-MAX_RECENT);
  return {
    items,
    skipped,
    marker: serialize({ ...nextMarker, recent }),
    complete: nextMarker.gap === null,
    servedBy,
  };
}

function subjectOf(n: RawNotification, kind: NotificationKind): string | null {
  const uri = OWN_RECORD.has(kind) ? n.uri : kind === NotificationKind.Follow ? null : n.reasonSubject;
  return typeof uri === 'string' && POST_URI.test(uri) ? uri : null;
}

/** The posts the notifications are about, by URI; those that could not be read are left out. */
async function hydrate(
  session: BlueskyApiSession,
  raw: RawNotification[],
  servedBy: string[],
): Promise<Map<string, Post>> {
  const uris = [
    ...new Set(
      raw.flatMap((n) => {
        const kind = typeof n.reason === 'string' ? KINDS[n.reason] : undefined;
        const subject = kind ? subjectOf(n, kind) : null;
        return subject ? [subject] : [];
      }),
    ),
  ];
  const posts = new Map<string, Post>();
  for (let i = 0; i < uris.length; i += GET_POSTS_BATCH) {
    const { value, servedBy: by } = await session.callAnswered(
      'getPosts',
      async (agent: Agent) => (await agent.getPosts({ uris: uris.slice(i, i + GET_POSTS_BATCH) })).data.posts,
    );
    servedBy.push(...by);
    for (const view of value) {
      const r = normalizePostView(view);
      if (r.ok) posts.set(r.post.uri, r.post);
    }
  }
  return posts;
}
