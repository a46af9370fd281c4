// The high-water mark of an incremental sync. A Bluesky feed is not a log: reposts share the
// reposted post's URI, the home timeline sorts posts by min(createdAt, indexedAt) so a late-indexed
// post can appear *below* ones already seen, and custom feeds are ranked. So the marker keeps the
// keys of everything seen within an overlap window below the newest item, not just one item.

/** Keys remembered at most; bounds the stored marker to a few kilobytes. */
const MAX_SEEN = 300;

interface MarkerState {
  v: 1;
  /** Sort time (ms) of the newest item seen so far. */
  newest: number;
  /** [item key, sort time ms] of recently seen items, newest first. */
  seen: Array<[string, number]>;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Identity of a feed entry: the post URI, or for a repost the repost record's URI (a post reposted
 * by two people is two entries). Null when the entry is too broken to identify.
 */
export function feedItemKey(feedViewPost: unknown): string | null {
  if (!isObject(feedViewPost) || !isObject(feedViewPost.post)) return null;
  const uri = feedViewPost.post.uri;
  if (typeof uri !== 'string') return null;
  const reason = feedViewPost.reason;
  if (isObject(reason) && reason.$type === 'app.bsky.feed.defs#reasonRepost') {
    if (typeof reason.uri === 'string') return `repost:${reason.uri}`;
    const by = isObject(reason.by) ? reason.by.did : null;
    return `repost:${String(by)}:${uri}`;
  }
  return uri;
}

/** The key of the feed entry a post or repost record (at:// URI, from a stream event) becomes. */
export function recordFeedKey(uri: string): string {
  return uri.split('/')[3] === 'app.bsky.feed.repost' ? `repost:${uri}` : uri;
}

/** The keys of the entries a sync that stored `marker` has seen lately (its overlap window). */
export function seenFeedKeys(marker: string | null): Set<string> {
  return new Set(parse(marker)?.seen.map(([key]) => key));
}

/** The time the AppView sorts an entry by (NaN when unknown). */
export function feedItemSortTime(feedViewPost: unknown): number {
  if (!isObject(feedViewPost) || !isObject(feedViewPost.post)) return NaN;
  const reason = feedViewPost.reason;
  if (isObject(reason) && reason.$type === 'app.bsky.feed.defs#reasonRepost') {
    return typeof reason.indexedAt === 'string' ? Date.parse(reason.indexedAt) : NaN;
  }
  const post = feedViewPost.post;
  const indexed = typeof post.indexedAt === 'string' ? Date.parse(post.indexedAt) : NaN;
  const created =
    isObject(post.record) && typeof post.record.createdAt === 'string'
      ? Date.parse(post.record.createdAt)
      : NaN;
  if (Number.isNaN(created)) return indexed;
  if (Number.isNaN(indexed)) return created;
  return Math.min(created, indexed);
}

function parse(marker: string | null): MarkerState | null {
  if (!marker) return null;
  try {
    const state = JSON.parse(marker) as MarkerState;
    if (state?.v === 1 && Number.isFinite(state.newest) && Array.isArray(state.seen)) return state;
  } catch {
    // An unreadable marker (older format, corruption) means a first sync; upserts are idempotent.
  }
  return null;
}

export type ScanVerdict = 'new' | 'seen' | 'stop';

/** One fetchNewer pass over a feed, newest first. */
export class NewerScan {
  private readonly previous: MarkerState | null;
  private readonly seenKeys: Set<string>;
  private readonly scanned: Array<[string, number]> = [];

  /**
   * @param chronological the source is ordered by time (home, lists, author feeds); ranked custom
   *   feeds are not, and are never cut off by time.
   * @param overlapMs how far below the newest seen item to keep looking for late arrivals.
   */
  constructor(
    marker: string | null,
    private readonly chronological: boolean,
    private readonly overlapMs: number,
  ) {
    this.previous = parse(marker);
    this.seenKeys = new Set(this.previous?.seen.map(([k]) => k));
  }

  get isFirstSync(): boolean {
    return this.previous === null;
  }

  /** Records the entry and says whether it is new, already seen, or past where newer items can be. */
  classify(key: string | null, sortTime: number): ScanVerdict {
    if (
      this.chronological &&
      this.previous &&
      Number.isFinite(sortTime) &&
      sortTime < this.previous.newest - this.overlapMs
    ) {
      return 'stop';
    }
    if (key !== null) this.scanned.push([key, sortTime]);
    return key !== null && this.seenKeys.has(key) ? 'seen' : 'new';
  }

  /** The marker to store after this pass. */
  marker(): string | null {
    const all = [...this.scanned, ...(this.previous?.seen ?? [])].filter(([, t]) => Number.isFinite(t));
    if (all.length === 0) return this.previous ? JSON.stringify(this.previous) : null;
    const newest = Math.max(this.previous?.newest ?? -Infinity, ...all.map(([, t]) => t));
    const unique = new Map<string, number>();
    for (const [k, t] of all) if (!unique.has(k)) unique.set(k, t);
    let seen = [...unique.entries()].sort((a, b) => b[1] - a[1]);
    if (this.chronological) seen = seen.filter(([, t]) => t >= newest - this.overlapMs);
    const state: MarkerState = { v: 1, newest, seen: seen.slice(0, MAX_SEEN) };
    return JSON.stringify(state);
  }
}
