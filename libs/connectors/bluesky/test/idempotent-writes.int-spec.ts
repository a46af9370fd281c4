// Writes made safe to retry: with an idempotency key, a repeated like/repost/post returns the
// record the first attempt made, including when the first answer was lost after the PDS stored it.
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { blueskyNetwork } from '../../../testing/src/bluesky-network.js';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '../../../testing/src/bluesky-network.js';
import { BlueskyConnector, BlueskySession } from '../src/index.js';

jest.setTimeout(60_000);

let net: BlueskyNetworkClient;
let writer: TestBlueskyAccount;
let target: { uri: string; nativeId: string };

/**
 * Passes every request to the PDS, but for the first `times` createRecord calls answers 502 after
 * the PDS has handled it: the write happened, its answer is lost.
 */
function losingAnswers(times: number) {
  let left = times;
  const creates: number[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const res = await globalThis.fetch(request);
    if (!new URL(request.url).pathname.endsWith('com.atproto.repo.createRecord')) return res;
    creates.push(res.status);
    if (left-- <= 0) return res;
    await res.body?.cancel();
    return new Response(JSON.stringify({ error: 'BadGateway', message: 'answer lost' }), {
      status: 502,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, creates };
}

async function connect(fetch?: typeof globalThis.fetch): Promise<BlueskyConnector> {
  const session = await BlueskySession.login({
    service: net.info.pdsUrl,
    hostPolicy: net.hostPolicy,
    identifier: writer.handle,
    password: writer.appPassword,
    ...(fetch ? { rateLimit: { fetch } } : {}),
  });
  return new BlueskyConnector(session);
}

async function records(collection: string) {
  const { data } = await writer.agent.com.atproto.repo.listRecords({
    repo: writer.did,
    collection,
    limit: 100,
  });
  return data.records;
}

beforeAll(async () => {
  net = await blueskyNetwork();
  const author = await net.createAccount('author');
  writer = await net.createAccount('writer');
  const post = await author.agent.post({ text: 'to be liked', createdAt: new Date().toISOString() });
  target = { uri: post.uri, nativeId: post.cid };
  await net.processAll();
}, 120_000);

describe('idempotent writes', () => {
  it('a post retried with the same key is the same record, even after its answer was lost', async () => {
    const lossy = losingAnswers(1);
    const options = { idempotencyKey: 'action-post-1', requestedAt: new Date('2026-11-23T12:00:00Z') };
    const first = await (await connect(lossy.fetch)).createPost({ text: 'exactly once' }, options);
    // The PDS stored the first attempt (its answer was replaced by a 502): the connector found it.
    expect(lossy.creates[0]).toBe(200);
    const again = await (await connect()).createPost({ text: 'exactly once' }, options);
    expect(again).toEqual(first);
    const posts = (await records('app.bsky.feed.post')).filter(
      (r) => (r.value as { text?: string }).text === 'exactly once',
    );
    expect(posts.map((p) => [p.uri, (p.value as { createdAt: string }).createdAt])).toEqual([
      [first.uri, '2026-11-23T12:00:00.000Z'],
    ]);
    // Another key is another post.
    const other = await (
      await connect()
    ).createPost({ text: 'exactly once' }, { ...options, idempotencyKey: 'action-post-2' });
    expect(other.uri).not.toBe(first.uri);
  });

  it('a like retried with the same key (before the AppView indexed it) is one like record', async () => {
    const options = { idempotencyKey: 'action-like-1', requestedAt: new Date() };
    const lossy = losingAnswers(1);
    const first = await (await connect(lossy.fetch)).like(target, options);
    const again = await (await connect()).like(target, options);
    expect(again.uri).toBe(first.uri);
    expect((await records('app.bsky.feed.like')).map((r) => r.uri)).toEqual([first.uri]);
  });
});
