// No Jetstream runs here, so a loopback WebSocket server speaks it as its README describes
// (bluesky-social/jetstream: query parameters, `commit`/`identity`/`account` messages, time_us cursor).
import { afterEach, describe, expect, it } from '@jest/globals';
import { WebSocketServer } from 'ws';
import type { WebSocket as WsSocket } from 'ws';
import type { RepoEvent } from './firehose-subscriber.js';
import { parseJetstreamMessage, subscribeJetstream } from './jetstream-subscriber.js';

const DID = 'did:plc:eygmaihciaxprqvxpfvl6flk';
const commit = (timeUs: number, operation: string, collection = 'app.bsky.feed.post', rkey = `r${timeUs}`) =>
  JSON.stringify({
    did: DID,
    time_us: timeUs,
    kind: 'commit',
    commit: {
      rev: '3l3qo2vutsw2b',
      operation,
      collection,
      rkey,
      ...(operation === 'delete'
        ? {}
        : {
            record: { $type: collection, text: 'hi', createdAt: '2024-09-09T19:46:02.102Z' },
            cid: 'bafyreid',
          }),
    },
  });

let server: WebSocketServer | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not met within 5 s');
}

describe('parseJetstreamMessage', () => {
  it('reads commits and ignores identity, account, heartbeat and garbage', () => {
    expect(parseJetstreamMessage(commit(1725911162329308, 'create'))).toEqual({
      did: DID,
      collection: 'app.bsky.feed.post',
      rkey: 'r1725911162329308',
      action: 'create',
      uri: `at://${DID}/app.bsky.feed.post/r1725911162329308`,
      seq: 1725911162329308,
      time: '2024-09-09T19:46:02.329Z',
    });
    expect(
      parseJetstreamMessage(
        JSON.stringify({ did: DID, time_us: 1, kind: 'identity', identity: { did: DID } }),
      ),
    ).toBeNull();
    expect(parseJetstreamMessage(JSON.stringify({ kind: 'heartbeat', payload: '' }))).toBeNull();
    expect(parseJetstreamMessage(commit(1, 'explode'))).toBeNull();
    expect(parseJetstreamMessage('{not json')).toBeNull();
  });
});

describe('subscribeJetstream', () => {
  it('filters by collection and DID, resumes after a drop from the last time_us minus the rewind', async () => {
    const connections: URL[] = [];
    const sockets: WsSocket[] = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket, req) => {
      connections.push(new URL(req.url ?? '/', 'ws://x'));
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
    const { port } = server.address() as { port: number };

    const events: RepoEvent[] = [];
    const sub = subscribeJetstream({
      url: `ws://127.0.0.1:${port}/subscribe`,
      cursor: null,
      wantedDids: [DID],
      rewindMs: 2_000,
      onEvent: (e) => void events.push(e),
    });
    await until(() => sockets.length === 1);
    expect(connections[0]?.searchParams.getAll('wantedCollections')).toEqual([
      'app.bsky.feed.post',
      'app.bsky.feed.repost',
    ]);
    expect(connections[0]?.searchParams.getAll('wantedDids')).toEqual([DID]);
    expect(connections[0]?.searchParams.has('cursor')).toBe(false);

    sockets[0]?.send(commit(1725911162000000, 'create'));
    sockets[0]?.send(
      JSON.stringify({
        did: DID,
        time_us: 1725911162500000,
        kind: 'account',
        account: { active: true, did: DID },
      }),
    );
    sockets[0]?.send(commit(1725911163000000, 'delete', 'app.bsky.feed.repost'));
    await until(() => events.length === 2);
    expect(events.map((e) => [e.action, e.collection])).toEqual([
      ['create', 'app.bsky.feed.post'],
      ['delete', 'app.bsky.feed.repost'],
    ]);
    expect(sub.cursor).toBe(1725911163000000);

    sockets[0]?.terminate(); // the server drops us
    await until(() => sockets.length === 2);
    expect(connections[1]?.searchParams.get('cursor')).toBe(String(1725911163000000 - 2_000_000));
    sockets[1]?.send(commit(1725911164000000, 'create'));
    await until(() => events.length === 3);
    await sub.stop();
    expect(sub.cursor).toBe(1725911164000000);
  });
});
