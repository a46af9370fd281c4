// The Jetstream consumer against the reference network's real PDS firehose, served in Jetstream's
// wire format by libs/testing's JetstreamServer (no Jetstream runs here): records arrive with
// their events, filters change without reconnecting, and a dropped connection resumes from the
// cursor without losing an event.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { blueskyNetwork } from '../../../testing/src/bluesky-network.js';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '../../../testing/src/bluesky-network.js';
import { JetstreamServer } from '../../../testing/src/bluesky/jetstream-server.js';
import { subscribeJetstream } from '../src/index.js';
import type { JetstreamSubscription, RepoEvent } from '../src/index.js';

jest.setTimeout(90_000);

let net: BlueskyNetworkClient;
let server: JetstreamServer;
let alice: TestBlueskyAccount;
let bob: TestBlueskyAccount;
let sub: JetstreamSubscription | null = null;

beforeAll(async () => {
  net = await blueskyNetwork();
  server = await JetstreamServer.start({ pdsUrls: [net.info.pdsUrl], plcUrl: net.info.plcUrl });
  [alice, bob] = await Promise.all([net.createAccount('js-alice'), net.createAccount('js-bob')]);
}, 150_000);

afterAll(async () => {
  await sub?.stop();
  await server?.close();
});

async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Jetstream from the reference network', () => {
  it('delivers the filtered repos’ records zstd-compressed, takes new filters live and resumes from its cursor after a drop', async () => {
    const events: RepoEvent[] = [];
    sub = subscribeJetstream({
      urls: [server.url],
      cursor: null,
      collections: ['app.bsky.feed.post', 'app.bsky.graph.*'],
      wantedDids: [alice.did],
      rewindMs: 1_000,
      onEvent: (e) => void events.push(e),
    });
    await until('connected', () => server.connections.length === 1);

    const first = await alice.agent.post({ text: 'first through the jetstream' });
    await bob.agent.post({ text: 'bob is not wanted yet' });
    await alice.agent.follow(bob.did);
    await until('alice’s post and follow', () => events.length >= 2);
    expect(events.map((e) => [e.did, e.collection, e.action])).toEqual([
      [alice.did, 'app.bsky.feed.post', 'create'],
      [alice.did, 'app.bsky.graph.follow', 'create'],
    ]);
    expect(events[0]!.uri).toBe(first.uri);
    expect(events[0]!.record).toMatchObject({
      $type: 'app.bsky.feed.post',
      text: 'first through the jetstream',
    });
    expect(events[1]!.record).toMatchObject({ subject: bob.did });

    const updates = server.optionsUpdates;
    sub.setFilters({ wantedDids: [alice.did, bob.did] });
    // The update is a message on the same connection; it lands before bob posts.
    await until('the options_update', () => server.optionsUpdates > updates);
    const fromBob = await bob.agent.post({ text: 'bob now is' });
    await until('bob’s post', () => events.some((e) => e.uri === fromBob.uri));
    expect(server.connections).toHaveLength(1);

    // Posts keep coming while the connection is cut mid-burst: none is lost.
    const burst: string[] = [];
    for (let i = 0; i < 6; i++) {
      if (i === 3) server.dropConnections();
      burst.push((await alice.agent.post({ text: `burst ${i}` })).uri);
    }
    await until('every post of the burst', () => burst.every((uri) => events.some((e) => e.uri === uri)));
    expect(server.connections.length).toBeGreaterThanOrEqual(2);
    const resumed = server.connections[1]!;
    expect(Number(resumed.searchParams.get('cursor'))).toBeGreaterThan(0);
    expect(resumed.searchParams.get('requireHello')).toBe('true');
    // All of it came zstd-compressed with Jetstream's dictionary.
    expect(server.connections.every((c) => c.searchParams.get('compress') === 'true')).toBe(true);
  });
});
