import { describe, expect, it } from '@jest/globals';
import type { DidDocument } from '@atproto/identity';
import { BoundedDidCache } from './did-cache.js';

const doc = (n: number): DidDocument => ({ id: 'did:plc:a', alsoKnownAs: [`at://a${n}.test`] });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('BoundedDidCache', () => {
  it('serves a stale document while one background refresh replaces it', async () => {
    const cache = new BoundedDidCache({ staleTtlMs: 0, maxTtlMs: 60_000, max: 10 });
    await cache.cacheDid('did:plc:a', doc(1));
    await tick();
    const cached = await cache.checkCache('did:plc:a');
    expect(cached).toMatchObject({ doc: doc(1), stale: true, expired: false });
    let release: (d: DidDocument) => void = () => undefined;
    let calls = 0;
    const getDoc = () => {
      calls++;
      return new Promise<DidDocument>((r) => (release = r));
    };
    await cache.refreshCache('did:plc:a', getDoc); // returns before the document arrives
    await cache.refreshCache('did:plc:a', getDoc); // already under way
    expect(calls).toBe(1);
    release(doc(2));
    await tick();
    expect((await cache.checkCache('did:plc:a'))?.doc).toEqual(doc(2));
  });

  it('keeps the document when a refresh fails, drops it when the DID is gone', async () => {
    const cache = new BoundedDidCache({ staleTtlMs: 0, maxTtlMs: 60_000, max: 10 });
    await cache.cacheDid('did:plc:a', doc(1));
    await cache.refreshCache('did:plc:a', () => Promise.reject(new Error('directory down')));
    await tick();
    expect((await cache.checkCache('did:plc:a'))?.doc).toEqual(doc(1));
    await cache.refreshCache('did:plc:a', async () => null);
    await tick();
    expect(await cache.checkCache('did:plc:a')).toBeNull();
  });

  it('holds at most `max` documents, and says when one expired', async () => {
    const cache = new BoundedDidCache({ staleTtlMs: 0, maxTtlMs: 0, max: 2 });
    for (const did of ['did:plc:a', 'did:plc:b', 'did:plc:c']) await cache.cacheDid(did, doc(1));
    expect(await cache.checkCache('did:plc:a')).toBeNull();
    await tick();
    expect(await cache.checkCache('did:plc:c')).toMatchObject({ expired: true });
  });
});
