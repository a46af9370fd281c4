// A Jetstream for the reference network. No Jetstream runs here, and the reference AppView cannot
// index a relay, so this server reads the real PDS firehose(s) (`com.atproto.sync.subscribeRepos`
// through @atproto/sync, commits verified against the reference PLC) and serves them in Jetstream's
// documented v1 wire format (bluesky-social/jetstream README and `pkg/models`): JSON `commit`
// events with `time_us`, filters by `wantedCollections` (exact or `prefix.*`) and `wantedDids` from
// the query or an `options_update` message, `requireHello`, replay from a `time_us` cursor, and
// `compress=true` (binary messages, each a zstd frame made with Jetstream's v1 dictionary; a client
// that also offers permessage-deflate is refused with a 400, as Jetstream does). Tests can drop
// every connection mid-stream.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zstdCompressSync } from 'node:zlib';
import { IdResolver } from '@atproto/identity';
import { Firehose } from '@atproto/sync';
import type { Event } from '@atproto/sync';
import { jetstreamZstdDictionary } from '@tributary/connector-bluesky';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

interface LoggedEvent {
  timeUs: number;
  did: string;
  /** null for identity and account events, which Jetstream sends whatever the collections. */
  collection: string | null;
  json: string;
  /** The compressed frame, made once for every subscriber (as Jetstream does). */
  zstd?: Buffer;
}

interface Subscriber {
  socket: WebSocket;
  collections: string[];
  dids: Set<string>;
  /** Index of the next log entry to consider sending. */
  next: number;
  /** With `requireHello`, nothing is sent before the first options_update. */
  waiting: boolean;
  compress: boolean;
}

export interface JetstreamServerOptions {
  /** PDS base URLs whose firehoses feed the stream. */
  pdsUrls: string[];
  plcUrl: string;
}

/** CIDs as `{"$link"}` and bytes as `{"$bytes"}`: the atproto JSON form Jetstream's records use. */
function lexJson(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { $bytes: Buffer.from(value).toString('base64').replace(/=+$/, '') };
  if (Array.isArray(value)) return value.map(lexJson);
  if (typeof value === 'object' && value !== null) {
    const v = value as { multihash?: unknown; version?: unknown; toString(): string };
    if (v.multihash !== undefined && typeof v.version === 'number') return { $link: v.toString() };
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, lexJson(x)]));
  }
  return value;
}

function matches(sub: Subscriber, event: LoggedEvent): boolean {
  if (sub.dids.size > 0 && !sub.dids.has(event.did)) return false;
  if (event.collection === null || sub.collections.length === 0) return true;
  const collection = event.collection;
  return sub.collections.some((c) =>
    c.endsWith('.*') ? collection.startsWith(c.slice(0, -1)) : c === collection,
  );
}

export class JetstreamServer {
  /** `ws://127.0.0.1:<port>/subscribe`: BLUESKY_JETSTREAM_URL. */
  url = '';
  /** The query of every connection accepted, in order (tests read `cursor` from it). */
  readonly connections: URL[] = [];
  /**
   * Awaited before each firehose event is served: e.g. the reference network's `processAll`, so
   * the AppView has indexed what the stream announces (deterministic request counts).
   */
  beforeServe: (() => Promise<void>) | null = null;
  /** How many `options_update` messages were applied. */
  optionsUpdates = 0;
  /** Bytes of message payload sent (compressed or not): what a consumer's bandwidth is. */
  bytesSent = 0;
  private readonly log: LoggedEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly http = createServer((_req, res) => res.writeHead(404).end());
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly firehoses: Firehose[] = [];
  private lastTimeUs = 0;
  private serving: Promise<void> = Promise.resolve();

  private constructor() {}

  static async start(options: JetstreamServerOptions): Promise<JetstreamServer> {
    const server = new JetstreamServer();
    server.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'ws://localhost');
      if (url.pathname !== '/subscribe') return socket.destroy();
      const deflate = String(req.headers['sec-websocket-extensions'] ?? '').includes('permessage-deflate');
      if (url.searchParams.get('compress') === 'true' && deflate) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nchoose one compression scheme\n');
        return;
      }
      server.wss.handleUpgrade(req, socket, head, (ws) => server.accept(ws, url));
    });
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    server.url = `ws://127.0.0.1:${(server.http.address() as AddressInfo).port}/subscribe`;
    // The plain fetch: the reference PLC is on loopback over http, which the default one refuses.
    const idResolver = new IdResolver({ plcUrl: options.plcUrl, fetch: globalThis.fetch });
    for (const pds of options.pdsUrls) {
      const service = pds.replace(/^http/, 'ws').replace(/\/+$/, '');
      const firehose = new Firehose({
        service,
        idResolver,
        unauthenticatedHandles: true, // `.test` handles do not resolve
        excludeSync: true,
        subscriptionReconnectDelay: 200,
        handleEvent: (evt) => server.ingest(evt),
        onError: () => undefined,
      });
      void firehose.start();
      server.firehoses.push(firehose);
    }
    return server;
  }

  /** The `time_us` of the newest commit sent to any subscriber (what a consumer's cursor reaches). */
  newestSentTimeUs = 0;

  /**
   * True when a connected subscriber's filter, as this server applied it, lets `did`'s events
   * through: a consumer's `options_update` travels on its own, so tests wait for this before posting.
   */
  isWatching(did: string): boolean {
    return [...this.subscribers].some((s) => !s.waiting && (s.dids.size === 0 || s.dids.has(did)));
  }

  /** Closes every subscriber's connection at once, as a Jetstream restart or a network cut would. */
  dropConnections(): void {
    for (const sub of this.subscribers) sub.socket.terminate();
    this.subscribers.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.firehoses.map((f) => f.destroy()));
    this.dropConnections();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private ingest(evt: Event): Promise<void> {
    // In sequence order, each stamped when served: Jetstream's time_us is its own clock.
    this.serving = this.serving.then(async () => {
      await this.beforeServe?.().catch(() => undefined);
      const timeUs = Math.max(this.lastTimeUs + 1, Date.now() * 1000);
      const logged = this.toJetstream(evt, timeUs);
      if (!logged) return;
      this.lastTimeUs = timeUs;
      this.log.push(logged);
      for (const sub of this.subscribers) this.pump(sub);
    });
    return this.serving;
  }

  private toJetstream(evt: Event, timeUs: number): LoggedEvent | null {
    const base = { did: evt.did, time_us: timeUs };
    switch (evt.event) {
      case 'create':
      case 'update':
      case 'delete': {
        const commit = {
          rev: evt.rev,
          operation: evt.event,
          collection: evt.collection,
          rkey: evt.rkey,
          ...(evt.event === 'delete' ? {} : { record: lexJson(evt.record), cid: evt.cid.toString() }),
        };
        const json = JSON.stringify({ ...base, kind: 'commit', commit });
        return { timeUs, did: evt.did, collection: evt.collection, json };
      }
      case 'identity': {
        const identity = { did: evt.did, handle: evt.handle, seq: evt.seq, time: evt.time };
        return {
          timeUs,
          did: evt.did,
          collection: null,
          json: JSON.stringify({ ...base, kind: 'identity', identity }),
        };
      }
      case 'account': {
        const account = {
          active: evt.active,
          did: evt.did,
          seq: evt.seq,
          time: evt.time,
          status: evt.status,
        };
        return {
          timeUs,
          did: evt.did,
          collection: null,
          json: JSON.stringify({ ...base, kind: 'account', account }),
        };
      }
      default:
        return null;
    }
  }

  private accept(socket: WebSocket, url: URL): void {
    this.connections.push(url);
    const cursor = Number(url.searchParams.get('cursor'));
    const sub: Subscriber = {
      socket,
      collections: url.searchParams.getAll('wantedCollections'),
      dids: new Set(url.searchParams.getAll('wantedDids')),
      // A cursor replays from that time on; none, or one in the future, is the live tail.
      next: url.searchParams.has('cursor') ? this.log.findIndex((e) => e.timeUs >= cursor) : -1,
      waiting: url.searchParams.get('requireHello') === 'true',
      compress: url.searchParams.get('compress') === 'true',
    };
    if (sub.next === -1) sub.next = this.log.length;
    this.subscribers.add(sub);
    socket.on('close', () => this.subscribers.delete(sub));
    socket.on('message', (data) => {
      const update = this.optionsUpdate(String(data));
      if (!update) {
        socket.close(1008, 'invalid options_update'); // as Jetstream does
        return;
      }
      sub.collections = update.wantedCollections;
      sub.dids = new Set(update.wantedDids);
      sub.waiting = false;
      this.optionsUpdates++;
      this.pump(sub);
    });
    this.pump(sub);
  }

  private optionsUpdate(text: string): { wantedCollections: string[]; wantedDids: string[] } | null {
    try {
      const msg = JSON.parse(text) as { type?: unknown; payload?: Record<string, unknown> };
      if (msg.type !== 'options_update' || typeof msg.payload !== 'object' || msg.payload === null)
        return null;
      const list = (v: unknown, max: number): string[] | null =>
        v === undefined || v === null
          ? []
          : Array.isArray(v) && v.length <= max && v.every((x) => typeof x === 'string')
            ? (v as string[])
            : null;
      const wantedCollections = list(msg.payload.wantedCollections, 100);
      const wantedDids = list(msg.payload.wantedDids, 10_000);
      return wantedCollections && wantedDids ? { wantedCollections, wantedDids } : null;
    } catch {
      return null;
    }
  }

  private pump(sub: Subscriber): void {
    if (sub.waiting) return;
    while (sub.next < this.log.length) {
      const event = this.log[sub.next++]!;
      if (!matches(sub, event)) continue;
      if (sub.compress) {
        event.zstd ??= zstdCompressSync(Buffer.from(event.json), { dictionary: jetstreamZstdDictionary() });
        sub.socket.send(event.zstd, { binary: true });
        this.bytesSent += event.zstd.length;
      } else {
        sub.socket.send(event.json);
        this.bytesSent += Buffer.byteLength(event.json);
      }
      if (event.collection !== null) this.newestSentTimeUs = Math.max(this.newestSentTimeUs, event.timeUs);
    }
  }
}
