// The instance's event stream from a Jetstream (bluesky-social/jetstream, v1 wire: JSON over
// WebSocket at `/subscribe`). Filters are sent in an `options_update` message after connecting
// (`requireHello=true`, so nothing flows before they are set, and 10,000 DIDs never go in a URL),
// and changed the same way while connected. The cursor is Jetstream's unix-microseconds `time_us`;
// a reconnect rewinds it a few seconds, as Jetstream advises (handlers are idempotent). Several
// hosts can be given: after repeated failures the next one is used, from the same cursor (every
// Jetstream stamps `time_us` by the wall clock; the rewind covers the hosts' skew).
//
// With `compress`, Jetstream sends binary messages, each one zstd frame made with its v1
// dictionary (assets/jetstream-v1.zdict; about half the bytes). Jetstream refuses a client that
// asks for that and offers permessage-deflate too, which Node's built-in WebSocket always does, so
// the `ws` client is used: it offers deflate only when zstd is off.
import { readFileSync } from 'node:fs';
import { zstdDecompressSync } from 'node:zlib';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { FEED_COLLECTIONS } from './firehose-subscriber.js';
import type { FirehoseSubscription, RepoEvent } from './firehose-subscriber.js';

/** Jetstream's limits per connection. */
export const JETSTREAM_MAX_DIDS = 10_000;
export const JETSTREAM_MAX_COLLECTIONS = 100;

let dictionary: Buffer | null = null;
/** Jetstream's v1 zstd dictionary (ID 1612007021), what `compress=true` frames are made with. */
export function jetstreamZstdDictionary(): Buffer {
  dictionary ??= readFileSync(new URL('../assets/jetstream-v1.zdict', import.meta.url));
  return dictionary;
}

export interface JetstreamFilters {
  /** NSIDs, or prefixes ending in `.*`; at most 100. */
  wantedCollections: readonly string[];
  /** Repos; at most 10,000; empty = every repo. */
  wantedDids: readonly string[];
}

/** What the connection is doing, for status pages. */
export interface JetstreamStatus {
  connected: boolean;
  /** The last connection or protocol problem, until the next event arrives. */
  error: string | null;
  /** The host in use (connected, or being tried). */
  url: string;
}

export interface JetstreamSubscriberOptions {
  /** Hosts in order of preference, e.g. `wss://jetstream2.us-east.bsky.network/subscribe`. */
  urls: readonly string[];
  /** Resume from this `time_us` (the last one handled); null = live tail. */
  cursor: number | null;
  onEvent: (event: RepoEvent) => void | Promise<void>;
  onError?: (err: Error) => void;
  onStatus?: (status: JetstreamStatus) => void;
  collections?: readonly string[];
  /** Only these repos (Jetstream accepts up to 10,000); empty = all. */
  wantedDids?: readonly string[];
  /** zstd-compressed messages (`compress=true`); default true. */
  compress?: boolean;
  /** Jetstream advises rewinding a few seconds on reconnect; handlers are idempotent. */
  rewindMs?: number;
  /** Failed connections in a row (none of them bringing a message) before the next host is tried. */
  failoverAfter?: number;
  maxReconnectSeconds?: number;
}

export interface JetstreamSubscription extends FirehoseSubscription {
  /** Replaces the filters: sent at once on a live connection (`options_update`), used by every reconnect. */
  setFilters(filters: Partial<JetstreamFilters>): void;
  /** The host in use. */
  readonly url: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Jetstream `commit` message as RepoEvent (with the record for creates and updates), or null for
 * other kinds (identity, account) and malformed messages.
 */
export function parseJetstreamMessage(data: string): RepoEvent | null {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(msg) || msg.kind !== 'commit' || !isObject(msg.commit)) return null;
  const { did, time_us: timeUs } = msg;
  const { operation, collection, rkey, record, cid } = msg.commit;
  if (
    typeof did !== 'string' ||
    typeof timeUs !== 'number' ||
    typeof collection !== 'string' ||
    typeof rkey !== 'string'
  )
    return null;
  if (operation !== 'create' && operation !== 'update' && operation !== 'delete') return null;
  const event = new JetstreamEvent(did, collection, rkey, operation, timeUs);
  if (operation !== 'delete' && isObject(record)) event.record = record;
  if (typeof cid === 'string') event.cid = cid;
  return event;
}

/**
 * A parsed commit. Its URI and time are computed when read: most events of the stream are dropped
 * unread, and formatting a date took a third of the parse (tools/bench/bluesky-stream.bench.ts).
 */
class JetstreamEvent implements RepoEvent {
  record?: Record<string, unknown>;
  cid?: string;

  constructor(
    readonly did: string,
    readonly collection: string,
    readonly rkey: string,
    readonly action: RepoEvent['action'],
    readonly seq: number,
  ) {}

  get uri(): string {
    return `at://${this.did}/${this.collection}/${this.rkey}`;
  }

  get time(): string {
    return new Date(Math.floor(this.seq / 1000)).toISOString();
  }
}

/** The `options_update` message that sets a connection's filters. */
export function optionsUpdate(filters: JetstreamFilters): string {
  return JSON.stringify({
    type: 'options_update',
    payload: {
      wantedCollections: filters.wantedCollections,
      wantedDids: filters.wantedDids,
      maxMessageSizeBytes: 0,
    },
  });
}

/** One message's text: a zstd frame (compressed connection) or UTF-8 JSON. */
function messageText(data: RawData, binary: boolean): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return binary
    ? zstdDecompressSync(buf, { dictionary: jetstreamZstdDictionary() }).toString('utf8')
    : buf.toString('utf8');
}

/** A connection up this long worked, even without a message: its loss is not the host failing. */
const STABLE_MS = 10_000;

export function subscribeJetstream(options: JetstreamSubscriberOptions): JetstreamSubscription {
  if (options.urls.length === 0) throw new Error('subscribeJetstream needs at least one host');
  const rewindUs = (options.rewindMs ?? 3_000) * 1000;
  const maxDelay = (options.maxReconnectSeconds ?? 30) * 1000;
  const failoverAfter = options.failoverAfter ?? 3;
  const compress = options.compress ?? true;
  const onError = options.onError ?? (() => undefined);
  const filters: JetstreamFilters = {
    wantedCollections: options.collections ?? FEED_COLLECTIONS,
    wantedDids: options.wantedDids ?? [],
  };
  let cursor = options.cursor;
  /** When the first live-tail connection opened (by this clock), for lack of a cursor. */
  let liveSince: number | null = null;
  let host = 0;
  let socket: WebSocket | null = null;
  let stopped = false;
  /** Failed connections in a row: `attempts` sets the back-off, `onHost` the failover. */
  let attempts = 0;
  let onHost = 0;
  let timer: NodeJS.Timeout | null = null;
  let status: JetstreamStatus = { connected: false, error: null, url: options.urls[0]! };
  // Messages are handled one at a time, in order, so the cursor only moves past handled events.
  let chain: Promise<void> = Promise.resolve();

  const report = (next: Partial<JetstreamStatus>): void => {
    const merged = { ...status, ...next };
    if (merged.connected === status.connected && merged.error === status.error && merged.url === status.url)
      return;
    status = merged;
    options.onStatus?.(status);
  };
  const fail = (err: Error): void => {
    report({ error: err.message });
    onError(err);
  };

  const connect = (): void => {
    if (stopped) return;
    const base = options.urls[host]!;
    const url = new URL(base);
    url.searchParams.set('requireHello', 'true');
    if (compress) url.searchParams.set('compress', 'true');
    const from = cursor ?? liveSince;
    if (from !== null) url.searchParams.set('cursor', String(Math.max(0, from - rewindUs)));
    const ws = new WebSocket(url, { perMessageDeflate: !compress });
    socket = ws;
    let heard = false;
    let openedAt: number | null = null;
    ws.on('open', () => {
      openedAt = Date.now();
      // A live tail starts now: a reconnect resumes from here, though no event came yet (a
      // filtered connection can be quiet for long), instead of losing what happened meanwhile.
      liveSince ??= openedAt * 1000;
      ws.send(optionsUpdate(filters));
      report({ connected: true, url: base });
    });
    ws.on('message', (data, binary) => {
      heard = true;
      let event: RepoEvent | null;
      try {
        event = parseJetstreamMessage(messageText(data, binary));
      } catch (err) {
        fail(
          new Error(
            `undecodable Jetstream message from ${base}: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
        return;
      }
      if (!event) return;
      chain = chain.then(async () => {
        try {
          await options.onEvent(event);
          cursor = Math.max(cursor ?? 0, event.seq);
          if (status.error !== null) report({ error: null });
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    ws.on('error', (err) => fail(new Error(`Jetstream connection error (${base}): ${err.message}`)));
    ws.on('close', (code, reason) => {
      if (socket === ws) socket = null;
      report({ connected: false });
      if (stopped) return;
      if (code !== 1000 && code !== 1005 && code !== 1006)
        fail(new Error(`Jetstream ${base} closed the connection: ${code} ${reason.toString()}`.trim()));
      // A filtered stream can be quiet for long: a connection that stayed up counts as working.
      if (heard || (openedAt !== null && Date.now() - openedAt >= STABLE_MS)) attempts = onHost = 0;
      attempts++;
      let delay = Math.min(maxDelay, 500 * 2 ** Math.min(attempts - 1, 10));
      if (++onHost >= failoverAfter && options.urls.length > 1) {
        host = (host + 1) % options.urls.length;
        onHost = 0;
        delay = 500; // a healthy host is worth trying at once
        report({ url: options.urls[host]! });
      }
      timer = setTimeout(() => void chain.then(connect), delay);
    });
  };
  connect();

  return {
    get cursor() {
      return cursor;
    },
    get url() {
      return options.urls[host]!;
    },
    setFilters(next) {
      if (next.wantedCollections) filters.wantedCollections = [...next.wantedCollections];
      if (next.wantedDids) filters.wantedDids = [...next.wantedDids];
      if (socket?.readyState === WebSocket.OPEN) socket.send(optionsUpdate(filters));
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.terminate();
      await chain;
    },
  };
}
