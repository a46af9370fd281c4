// The instance's one event stream from a Jetstream (bluesky-social/jetstream, v1 wire: JSON over
// WebSocket at `/subscribe`). Filters are sent in an `options_update` message after connecting
// (`requireHello=true`, so nothing flows before they are set, and 10,000 DIDs never go in a URL),
// and changed the same way while connected. The cursor is Jetstream's unix-microseconds `time_us`;
// a reconnect rewinds it a few seconds, as Jetstream advises (handlers are idempotent).
import { FEED_COLLECTIONS } from './firehose-subscriber.js';
import type { FirehoseSubscription, RepoEvent } from './firehose-subscriber.js';

/** Jetstream's limits per connection. */
export const JETSTREAM_MAX_DIDS = 10_000;
export const JETSTREAM_MAX_COLLECTIONS = 100;

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
}

export interface JetstreamSubscriberOptions {
  /** e.g. `wss://jetstream2.us-east.bsky.network/subscribe`. */
  url: string;
  /** Resume from this `time_us` (the last one handled); null = live tail. */
  cursor: number | null;
  onEvent: (event: RepoEvent) => void | Promise<void>;
  onError?: (err: Error) => void;
  onStatus?: (status: JetstreamStatus) => void;
  collections?: readonly string[];
  /** Only these repos (Jetstream accepts up to 10,000); empty = all. */
  wantedDids?: readonly string[];
  /** Jetstream advises rewinding a few seconds on reconnect; handlers are idempotent. */
  rewindMs?: number;
  maxReconnectSeconds?: number;
}

export interface JetstreamSubscription extends FirehoseSubscription {
  /** Replaces the filters: sent at once on a live connection (`options_update`), used by every reconnect. */
  setFilters(filters: Partial<JetstreamFilters>): void;
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

export function subscribeJetstream(options: JetstreamSubscriberOptions): JetstreamSubscription {
  const rewindUs = (options.rewindMs ?? 3_000) * 1000;
  const maxDelay = (options.maxReconnectSeconds ?? 30) * 1000;
  const onError = options.onError ?? (() => undefined);
  const filters: JetstreamFilters = {
    wantedCollections: options.collections ?? FEED_COLLECTIONS,
    wantedDids: options.wantedDids ?? [],
  };
  let cursor = options.cursor;
  let socket: WebSocket | null = null;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let status: JetstreamStatus = { connected: false, error: null };
  // Messages are handled one at a time, in order, so the cursor only moves past handled events.
  let chain: Promise<void> = Promise.resolve();

  const report = (next: Partial<JetstreamStatus>): void => {
    const merged = { ...status, ...next };
    if (merged.connected === status.connected && merged.error === status.error) return;
    status = merged;
    options.onStatus?.(status);
  };
  const fail = (err: Error): void => {
    report({ error: err.message });
    onError(err);
  };

  const connect = (): void => {
    if (stopped) return;
    const url = new URL(options.url);
    url.searchParams.set('requireHello', 'true');
    if (cursor !== null) url.searchParams.set('cursor', String(Math.max(0, cursor - rewindUs)));
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      ws.send(optionsUpdate(filters));
      report({ connected: true });
    };
    ws.onmessage = (msg) => {
      failures = 0;
      const event = typeof msg.data === 'string' ? parseJetstreamMessage(msg.data) : null;
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
    };
    ws.onerror = () => fail(new Error(`Jetstream connection error (${options.url})`));
    ws.onclose = (event) => {
      if (socket === ws) socket = null;
      report({ connected: false });
      if (stopped) return;
      if (event.code !== 1000 && event.code !== 1005 && event.code !== 1006)
        fail(new Error(`Jetstream closed the connection: ${event.code} ${event.reason}`.trim()));
      failures++;
      const delay = Math.min(maxDelay, 500 * 2 ** Math.min(failures - 1, 10));
      timer = setTimeout(() => void chain.then(connect), delay);
    };
  };
  connect();

  return {
    get cursor() {
      return cursor;
    },
    setFilters(next) {
      if (next.wantedCollections) filters.wantedCollections = [...next.wantedCollections];
      if (next.wantedDids) filters.wantedDids = [...next.wantedDids];
      if (socket?.readyState === WebSocket.OPEN) socket.send(optionsUpdate(filters));
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.close();
      await chain;
    },
  };
}
