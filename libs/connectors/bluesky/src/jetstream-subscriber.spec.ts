// No Jetstream runs here, so a loopback WebSocket server speaks it as its README describes
// (bluesky-social/jetstream: query parameters, `commit`/`identity`/`account` messages, time_us cursor).
import type { IncomingHttpHeaders } from 'node:http';
import { zstdCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import { WebSocketServer } from 'ws';
import type { WebSocket as WsSocket } from 'ws';
import type { RepoEvent } from './firehose-subscriber.js';
import {
  jetstreamZstdDictionary,
  parseJetstreamMessage,
  subscribeJetstream,
} from './jetstream-subscriber.js';
import type { JetstreamStatus } from './jetstream-subscriber.js';

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
let others: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of [server, ...others]) {
    for (const client of s?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
  others = [];
});

interface Host {
  url: string;
  connections: { url: URL; headers: IncomingHttpHeaders }[];
  sockets: WsSocket[];
  wss: WebSocketServer;
}

/** A loopback Jetstream host recording every connection. */
async function host(): Promise<Host> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  others.push(wss);
  const h: Host = { url: '', connections: [], sockets: [], wss };
  wss.on('connection', (socket, req) => {
    h.connections.push({ url: new URL(req.url ?? '/', 'ws://x'), headers: req.headers });
    h.sockets.push(socket);
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  h.url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/subscribe`;
  return h;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not met within 5 s');
}

describe('parseJetstreamMessage', () => {
  it('reads commits and ignores identity, account, heartbeat and garbage', () => {
    const event = parseJetstreamMessage(commit(1725911162329308, 'create'));
    // Every field of a RepoEvent, the computed ones (uri, time) included.
    expect({ ...event, uri: event?.uri, time: event?.time }).toEqual({
      did: DID,
      collection: 'app.bsky.feed.post',
      rkey: 'r1725911162329308',
      action: 'create',
      uri: `at://${DID}/app.bsky.feed.post/r1725911162329308`,
      seq: 1725911162329308,
      time: '2024-09-09T19:46:02.329Z',
      record: { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2024-09-09T19:46:02.102Z' },
      cid: 'bafyreid',
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
  it('sets its filters by options_update, changes them live, resumes after a drop from the last time_us minus the rewind', async () => {
    const connections: URL[] = [];
    const sockets: WsSocket[] = [];
    const received: unknown[][] = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket, req) => {
      connections.push(new URL(req.url ?? '/', 'ws://x'));
      sockets.push(socket);
      const messages: unknown[] = [];
      received.push(messages);
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    });
    await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
    const { port } = server.address() as { port: number };

    const events: RepoEvent[] = [];
    const statuses: JetstreamStatus[] = [];
    const sub = subscribeJetstream({
      urls: [`ws://127.0.0.1:${port}/subscribe`],
      cursor: null,
      wantedDids: [DID],
      compress: false,
      rewindMs: 2_000,
      onEvent: (e) => void events.push(e),
      onStatus: (s) => void statuses.push(s),
    });
    await until(() => received[0]?.length === 1);
    // Filters travel in the hello, never in the URL (10,000 DIDs would not fit in one).
    expect(connections[0]?.searchParams.get('requireHello')).toBe('true');
    expect(connections[0]?.searchParams.has('wantedDids')).toBe(false);
    expect(connections[0]?.searchParams.has('cursor')).toBe(false);
    expect(received[0]?.[0]).toEqual({
      type: 'options_update',
      payload: {
        wantedCollections: ['app.bsky.feed.post', 'app.bsky.feed.repost'],
        wantedDids: [DID],
        maxMessageSizeBytes: 0,
      },
    });
    expect(statuses.at(-1)).toEqual({
      connected: true,
      error: null,
      url: `ws://127.0.0.1:${port}/subscribe`,
    });

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
    expect(events[0]?.record).toEqual({
      $type: 'app.bsky.feed.post',
      text: 'hi',
      createdAt: '2024-09-09T19:46:02.102Z',
    });
    expect(sub.cursor).toBe(1725911163000000);

    sub.setFilters({ wantedDids: [DID, 'did:plc:other'] });
    await until(() => received[0]?.length === 2);
    expect(received[0]?.[1]).toMatchObject({ payload: { wantedDids: [DID, 'did:plc:other'] } });

    sockets[0]?.terminate(); // the server drops us
    await until(() => sockets.length === 2 && received[1]?.length === 1);
    // A drop shows as disconnected with the connection's error, until events flow again.
    expect(statuses).toContainEqual(expect.objectContaining({ connected: false }));
    expect(connections[1]?.searchParams.get('cursor')).toBe(String(1725911163000000 - 2_000_000));
    // The reconnect asks for the filters as they are now.
    expect(received[1]?.[0]).toMatchObject({ payload: { wantedDids: [DID, 'did:plc:other'] } });
    sockets[1]?.send(commit(1725911164000000, 'create'));
    await until(() => events.length === 3);
    expect(statuses.at(-1)).toEqual({
      connected: true,
      error: null,
      url: `ws://127.0.0.1:${port}/subscribe`,
    });
    await sub.stop();
    expect(sub.cursor).toBe(1725911164000000);
  });
});

describe('subscribeJetstream across hosts', () => {
  it('moves to the next host after repeated failures, from the same cursor, and says which host it uses', async () => {
    const [first, second] = [await host(), await host()];
    const events: RepoEvent[] = [];
    const statuses: JetstreamStatus[] = [];
    const sub = subscribeJetstream({
      urls: [first.url, second.url],
      cursor: null,
      compress: false,
      failoverAfter: 2,
      rewindMs: 1_000,
      onEvent: (e) => void events.push(e),
      onStatus: (s) => void statuses.push(s),
    });
    await until(() => first.sockets.length === 1);
    first.sockets[0]!.send(commit(1725911162000000, 'create'));
    await until(() => events.length === 1);
    expect(sub.url).toBe(first.url);

    // The first host goes away for good: two refused connections, then the second host.
    await new Promise<void>((resolve) => {
      for (const c of first.wss.clients) c.terminate();
      first.wss.close(() => resolve());
    });
    await until(() => second.sockets.length === 1);
    expect(second.connections[0]!.url.searchParams.get('cursor')).toBe(String(1725911162000000 - 1_000_000));
    expect(sub.url).toBe(second.url);
    expect(statuses.some((s) => s.url === first.url && s.error?.includes(first.url))).toBe(true);
    second.sockets[0]!.send(commit(1725911163000000, 'create'));
    await until(() => events.length === 2);
    expect(statuses.at(-1)).toEqual({ connected: true, error: null, url: second.url });
    await sub.stop();
  });

  it('resumes a live tail that brought no event yet from when it started, not from the new live tail', async () => {
    const h = await host();
    const sub = subscribeJetstream({
      urls: [h.url],
      cursor: null,
      rewindMs: 1_000,
      onEvent: () => undefined,
    });
    await until(() => h.sockets.length === 1);
    const opened = Date.now() * 1000;
    expect(h.connections[0]!.url.searchParams.has('cursor')).toBe(false);
    h.sockets[0]!.terminate();
    await until(() => h.sockets.length === 2);
    const cursor = Number(h.connections[1]!.url.searchParams.get('cursor'));
    expect(cursor).toBeLessThanOrEqual(opened - 1_000_000);
    expect(cursor).toBeGreaterThan(opened - 2_000_000);
    expect(sub.cursor).toBeNull(); // nothing handled
    await sub.stop();
  });

  it('asks for zstd without offering permessage-deflate, and reads frames made with the v1 dictionary', async () => {
    const h = await host();
    const events: RepoEvent[] = [];
    const sub = subscribeJetstream({ urls: [h.url], cursor: null, onEvent: (e) => void events.push(e) });
    await until(() => h.sockets.length === 1);
    expect(h.connections[0]!.url.searchParams.get('compress')).toBe('true');
    // Jetstream refuses a client offering both (400): zstd is already entropy-coded.
    expect(h.connections[0]!.headers['sec-websocket-extensions']).toBeUndefined();
    const frame = zstdCompressSync(Buffer.from(commit(1725911162000000, 'create')), {
      dictionary: jetstreamZstdDictionary(),
    });
    h.sockets[0]!.send(frame, { binary: true });
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ did: DID, seq: 1725911162000000, record: { text: 'hi' } });
    await sub.stop();
  });
});
