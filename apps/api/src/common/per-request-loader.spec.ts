import { describe, expect, it } from '@jest/globals';
import { PerRequestLoaders } from './per-request-loader.js';

/** A batch function that records each batch it is called with, answering `<caller>:<key>`. */
function recording(caller: string, batches: string[][]) {
  return (keys: readonly string[]) => {
    batches.push([...keys]);
    return Promise.resolve(keys.map((key) => `${caller}:${key}`));
  };
}

describe('PerRequestLoaders', () => {
  it('gives the same context the same loader, and two contexts different ones', () => {
    const loaders = new PerRequestLoaders<string, string>();
    const a = {};
    const b = {};
    const batches: string[][] = [];
    const first = loaders.of(a, recording('a', batches));
    expect(loaders.of(a, recording('a', batches))).toBe(first);
    expect(loaders.of(b, recording('b', batches))).not.toBe(first);
    expect(loaders.of(b, recording('b', batches))).toBe(loaders.of(b, recording('b', batches)));
  });

  it("batches one context's loads of a tick into one call, and the next tick into another", async () => {
    const loaders = new PerRequestLoaders<string, string>();
    const ctx = {};
    const batches: string[][] = [];
    const load = (key: string) => loaders.of(ctx, recording('a', batches)).load(key);
    expect(await Promise.all([load('1'), load('2'), load('3')])).toEqual(['a:1', 'a:2', 'a:3']);
    expect(batches).toEqual([['1', '2', '3']]);
    // No cache: a key read again is read again (a subscription's later event sees fresh rows).
    expect(await Promise.all([load('1'), load('4')])).toEqual(['a:1', 'a:4']);
    expect(batches).toEqual([
      ['1', '2', '3'],
      ['1', '4'],
    ]);
  });

  it("never answers one request with another request's batch function (another member's)", async () => {
    const loaders = new PerRequestLoaders<string, string>();
    const alice = {};
    const bob = {};
    const aliceBatches: string[][] = [];
    const bobBatches: string[][] = [];
    const [a, b] = await Promise.all([
      loaders.of(alice, recording('alice', aliceBatches)).load('post'),
      loaders.of(bob, recording('bob', bobBatches)).load('post'),
    ]);
    expect([a, b]).toEqual(['alice:post', 'bob:post']);
    expect(aliceBatches).toEqual([['post']]);
    expect(bobBatches).toEqual([['post']]);
    // A later call for Alice's context with another batch function still uses hers.
    expect(await loaders.of(alice, recording('bob', bobBatches)).load('other')).toBe('alice:other');
    expect(bobBatches).toEqual([['post']]);
  });
});
