// DID documents kept for service-JWT verification: IdResolver's MemoryCache is an unbounded Map
// whose stale entries are refreshed inside the request that finds them (a directory that is slow or
// down then fails a request it has a usable document for). Here: at most `max` documents, each
// served while stale and refreshed in the background once, dropped when expired or gone.
import type { CacheResult, DidCache, DidDocument } from '@atproto/identity';
import { LRUCache } from 'lru-cache';

export interface DidCacheOptions {
  /** Past this age a document is refreshed in the background, still served meanwhile. */
  staleTtlMs: number;
  /** Past this age a document is not served: the request resolves it again. */
  maxTtlMs: number;
  max: number;
}

export class BoundedDidCache implements DidCache {
  private readonly docs: LRUCache<string, { doc: DidDocument; updatedAt: number }>;
  private readonly refreshing = new Set<string>();

  constructor(private readonly options: DidCacheOptions) {
    this.docs = new LRUCache({ max: options.max });
  }

  async cacheDid(did: string, doc: DidDocument): Promise<void> {
    this.docs.set(did, { doc, updatedAt: Date.now() });
  }

  async checkCache(did: string): Promise<CacheResult | null> {
    const entry = this.docs.get(did);
    if (!entry) return null;
    const age = Date.now() - entry.updatedAt;
    return { did, ...entry, stale: age > this.options.staleTtlMs, expired: age > this.options.maxTtlMs };
  }

  /** Starts one refresh of `did` and returns at once; a failed refresh keeps the old document. */
  async refreshCache(did: string, getDoc: () => Promise<DidDocument | null>): Promise<void> {
    if (this.refreshing.has(did)) return;
    this.refreshing.add(did);
    void getDoc()
      .then((doc) => (doc ? this.cacheDid(did, doc) : this.clearEntry(did))) // null: gone
      .catch(() => undefined) // served stale until it expires; the next stale read tries again
      .finally(() => this.refreshing.delete(did));
  }

  async clearEntry(did: string): Promise<void> {
    this.docs.delete(did);
  }

  async clear(): Promise<void> {
    this.docs.clear();
  }
}
