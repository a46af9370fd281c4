import type { SharedStatusJson } from './entities/mastodon-entities.js';

/** A status's shared part as UTF-8 bytes (sharedStatusJson), ready to be sent. */
export type SharedStatusBytes = SharedStatusJson<Buffer>;

/** What is kept of one version of a Post row: its status, and the repost wrappers made of it. */
export interface CachedPost {
  /** The row's version (xmin) and the base URL it was made for: a hit must match both. */
  version: string;
  baseUrl: string;
  status: SharedStatusBytes;
  /** By the repost (its JSON): the wrapper's id and bytes, with `status` as its `reblog`. */
  wrappers: Map<string, SharedStatusBytes>;
}

/**
 * Statuses' shared parts (sharedStatusJson), serialized once per version of their Post row (xmin,
 * which every write of the row changes) and kept as the bytes a response is made of: a timeline page
 * read again parses, maps and encodes none of its posts, it only adds each member's own fields
 * (tools/bench/mastodon-api.bench.ts: parsing the stored posts, mapping and serializing them were
 * ~45% of a page's API CPU). By Post row id; bounded by generations as IdCache, what pages read again
 * stays. A status is ~2 KB (a Bluesky post with a link, a mention and a hashtag): ≤ ~70 MB at the
 * default size, for a working set of up to 16,000 posts (200 members' home and list pages in the
 * bench are 14,500).
 */
export class SharedStatusCache {
  private current = new Map<string, CachedPost>();
  private previous = new Map<string, CachedPost>();

  constructor(private readonly generation = 16_000) {}

  /** What is kept of this version of the post, for this base URL; undefined when nothing is. */
  get(postId: string, version: string, baseUrl: string): CachedPost | undefined {
    let found = this.current.get(postId);
    if (found === undefined) {
      found = this.previous.get(postId);
      if (found !== undefined) this.set(postId, found);
    }
    return found?.version === version && found.baseUrl === baseUrl ? found : undefined;
  }

  set(postId: string, post: CachedPost): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(postId, post);
  }
}

/** UTF-8 bytes of a string in a buffer of their own (not a slice of the shared pool, which a kept slice pins). */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}
