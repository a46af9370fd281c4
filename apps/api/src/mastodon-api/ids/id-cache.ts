// The Mastodon ids this process has already read, both ways. Safe to keep: a MastodonId row never
// changes (an id names one thing forever). Rows are deleted only with a member (their lists,
// uploads and unpublished posts), whose tokens are revoked first, so nobody asks for those keys
// again. A deleted id could be drawn again only for something dated at the same millisecond that
// also draws the same 16-bit sequence; this process would then still name it by the deleted row
// until the cache drops it: accepted (the chance is that of two ids colliding at all).
import type { IdKind } from './id-keys.js';

/** What an id names. */
export interface NamedId {
  kind: IdKind;
  key: string;
}

/**
 * Bounded by generations: lookups read the current and the previous one; when the current holds
 * `generation` entries it becomes the previous, and the previous is dropped. What a page reads
 * again stays (a hit in the previous generation is carried over); what nobody reads goes.
 * An entry is its `kind key` string (~100 bytes, shared by both directions) and its id: ~200 bytes
 * with the maps' own, so at most ~20 MB at the default size. A working set larger than a
 * generation churns: 200 bench members' home and list pages hold ~36,000 ids (a generation of
 * 25,000 missed on half the list pages, tools/bench/mastodon-api.bench.ts).
 */
export class IdCache {
  private ids = new Map<string, string>();
  private oldIds = new Map<string, string>();
  private names = new Map<string, string>();
  private oldNames = new Map<string, string>();

  constructor(private readonly generation = 50_000) {}

  /** The id of `kind key` (the two joined by a space); undefined when not read yet. */
  id(kindKey: string): string | undefined {
    const id = this.ids.get(kindKey);
    if (id !== undefined) return id;
    const old = this.oldIds.get(kindKey);
    if (old !== undefined) this.remember(kindKey, old);
    return old;
  }

  /** What `id` names; undefined when this process has not read it yet. */
  named(id: string): NamedId | undefined {
    let kindKey = this.names.get(id);
    if (kindKey === undefined) {
      kindKey = this.oldNames.get(id);
      if (kindKey === undefined) return undefined;
      this.remember(kindKey, id);
    }
    // A kind is one word; a key may hold spaces (a boost's).
    const space = kindKey.indexOf(' ');
    return { kind: kindKey.slice(0, space) as IdKind, key: kindKey.slice(space + 1) };
  }

  /** A row read from MastodonId: its `kind key` and its id. */
  remember(kindKey: string, id: string): void {
    if (this.ids.size >= this.generation) {
      this.oldIds = this.ids;
      this.ids = new Map();
    }
    if (this.names.size >= this.generation) {
      this.oldNames = this.names;
      this.names = new Map();
    }
    this.ids.set(kindKey, id);
    this.names.set(id, kindKey);
  }
}
