// Freshness signal from a Jetstream instance (JSON over WebSocket, filtered server-side by
// collection and DID), for deployments that configure one instead of a relay firehose. Same events
// as `subscribeRepos`; the cursor is Jetstream's unix-microseconds `time_us`.
import { FEED_COLLECTIONS } from './firehose-subscriber.js';
import type { FirehoseSubscription, RepoEvent } from './firehose-subscriber.js';

export interface JetstreamSubscriberOptions {
  /** e.g. `wss://jetstream2.us-east.bsky.network/subscribe`. */
  url: string;
  /** Resume from this `time_us` (the last one handled); null = live tail. */
  cursor: number | null;
  onEvent: (event: RepoEvent) => void | Promise<void>;
  onError?: (err: Error) => void;
  collections?: readonly string[];
  /** Only these repos (Jetstream accepts up to 10,000); empty = all. */
  wantedDids?: readonly string[];
  /** Jetstream advises rewinding a few seconds on reconnect; handlers are idempotent. */
  rewindMs?: number;
  maxReconnectSeconds?: number;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Jetstream `commit` message as RepoEvent, or null for other kinds and malformed messages. */
export function parseJetstreamMessage(data: string): RepoEvent | null {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(msg) || msg.kind !== 'commit' || !isObject(msg.commit)) return null;
  const { did, time_us: timeUs } = msg;
  const { operation, collection, rkey } = msg.commit;
  if (
    typeof did !== 'string' ||
    typeof timeUs !== 'number' ||
    typeof collection !== 'string' ||
    typeof rkey !== 'string'
  )
    return null;
  if (operation !== 'create' && operation !== 'update' && operation !== 'delete') return null;
  return {
    did,
    collection,
    rkey,
    action: operation,
    uri: `at://${did}/${collection}/${rkey}`,
    seq: timeUs,
    time: new Date(Math.floor(timeUs / 1000)).toISOString(),
  };
}

export function subscribeJetstream(options: JetstreamSubscriberOptions): FirehoseSubscription {
  const rewindUs = (options.rewindMs ?? 3_000) * 1000;
  const maxDelay = (options.maxReconnectSeconds ?? 30) * 1000;
  const onError = options.onError ?? (() => undefined);
  let cursor = options.cursor;
  let socket: WebSocket | null = null;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  // Messages are handled one at a time, in order, so the cursor only moves past handled events.
  let chain: Promise<void> = Promise.resolve();

  const connect = (): void => {
    const url = new URL(options.url);
    for (const c of options.collections ?? FEED_COLLECTIONS) url.searchParams.append('wantedCollections', c);
    for (const d of options.wantedDids ?? []) url.searchParams.append('wantedDids', d);
    if (cursor !== null) url.searchParams.set('cursor', String(Math.max(0, cursor - rewindUs)));
    const ws = new WebSocket(url);
    socket = ws;
    ws.onmessage = (msg) => {
      failures = 0;
      const event = typeof msg.data === 'string' ? parseJetstreamMessage(msg.data) : null;
      if (!event) return;
      chain = chain.then(async () => {
        try {
          await options.onEvent(event);
          cursor = Math.max(cursor ?? 0, event.seq);
        } catch (err) {
          onError(err instanceof Error ? err : new Error(String(err)));
        }
      });
    };
    ws.onerror = () => onError(new Error(`Jetstream connection error (${options.url})`));
    ws.onclose = () => {
      if (stopped) return;
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
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.close();
      await chain;
    },
  };
}
