// Freshness signal: a subscription to a PDS's or relay's `com.atproto.sync.subscribeRepos` that
// reports which repos created/deleted posts and reposts, so the caller can sync the accounts that
// follow them. Records are not trusted or ingested from here (the AppView view is), so commits are
// parsed without signature checks. Resumes from the seq the caller persisted; reconnects with backoff.
import { IdResolver } from '@atproto/identity';
import { Firehose } from '@atproto/sync';
import type { Event } from '@atproto/sync';

export const FEED_COLLECTIONS = ['app.bsky.feed.post', 'app.bsky.feed.repost'] as const;

export interface RepoEvent {
  /** The repo (author) that changed. */
  did: string;
  collection: string;
  rkey: string;
  action: 'create' | 'update' | 'delete';
  uri: string;
  /** Relay/PDS sequence number: persist it as the cursor once the event is handled. */
  seq: number;
  /** When the server sequenced the event (ISO-8601). */
  time: string;
  /** The record of a create or update, where the stream carries it (Jetstream does). */
  record?: Record<string, unknown>;
  cid?: string;
}

export interface FirehoseSubscriberOptions {
  /** PDS or relay base URL: `https://bsky.network`, `http://localhost:2583`, `wss://…`. */
  service: string;
  /** Resume after this seq (the last one handled); null = live from now. */
  cursor: number | null;
  onEvent: (event: RepoEvent) => void | Promise<void>;
  /** Connection and parse problems; the subscriber keeps going (reconnecting) after them. */
  onError?: (err: Error) => void;
  collections?: readonly string[];
  /** Ceiling of the reconnect backoff, seconds. */
  maxReconnectSeconds?: number;
  /** Needed only to resolve identities, which this subscriber does not ask for. */
  plcUrl?: string;
}

export interface FirehoseSubscription {
  /** The last seq handled (what to persist); null until the first event. */
  readonly cursor: number | null;
  stop(): Promise<void>;
}

function wsUrl(service: string): string {
  const url = new URL(service);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  return url.toString().replace(/\/$/, '');
}

/** Every DID a record names as its subject, reply parent or root, quoted post or mention. */
export function didsNamedBy(record: Record<string, unknown> | undefined): string[] {
  if (!record) return [];
  const dids = new Set<string>();
  const fromUri = (uri: unknown) => {
    const m = typeof uri === 'string' ? /^at:\/\/(did:[^/]+)\//.exec(uri) : null;
    if (m) dids.add(m[1]!);
  };
  const obj = (v: unknown): Record<string, unknown> | null =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  const subject = record['subject'];
  if (typeof subject === 'string' && subject.startsWith('did:')) dids.add(subject);
  fromUri(obj(subject)?.['uri']);
  const reply = obj(record['reply']);
  fromUri(obj(reply?.['parent'])?.['uri']);
  fromUri(obj(reply?.['root'])?.['uri']);
  const embed = obj(record['embed']);
  fromUri(obj(embed?.['record'])?.['uri']);
  fromUri(obj(obj(embed?.['record'])?.['record'])?.['uri']);
  for (const facet of Array.isArray(record['facets']) ? record['facets'] : []) {
    for (const feature of Array.isArray(obj(facet)?.['features'])
      ? (obj(facet)!['features'] as unknown[])
      : []) {
      const did = obj(feature)?.['did'];
      if (typeof did === 'string' && did.startsWith('did:')) dids.add(did);
    }
  }
  return [...dids];
}

/** Starts consuming in the background; events go to `onEvent` one at a time, in order. */
export function subscribeRepos(options: FirehoseSubscriberOptions): FirehoseSubscription {
  let cursor = options.cursor;
  const onError = options.onError ?? (() => undefined);
  const firehose = new Firehose({
    service: wsUrl(options.service),
    idResolver: new IdResolver(options.plcUrl ? { plcUrl: options.plcUrl } : {}),
    filterCollections: [...(options.collections ?? FEED_COLLECTIONS)],
    unauthenticatedCommits: true,
    unauthenticatedHandles: true,
    excludeIdentity: true,
    excludeAccount: true,
    excludeSync: true,
    subscriptionReconnectDelay: 1_000,
    maxReconnectSeconds: options.maxReconnectSeconds ?? 30,
    // Asked on every (re)connect: resume right after the last handled event.
    getCursor: () => cursor ?? undefined,
    onError,
    handleEvent: async (evt: Event) => {
      if (evt.event !== 'create' && evt.event !== 'update' && evt.event !== 'delete') return;
      await options.onEvent({
        did: evt.did,
        collection: evt.collection,
        rkey: evt.rkey,
        action: evt.event,
        uri: evt.uri.toString(),
        seq: evt.seq,
        time: evt.time,
        ...(evt.event !== 'delete' ? { record: evt.record as Record<string, unknown> } : {}),
      });
      cursor = evt.seq;
    },
  });
  void firehose.start();
  return {
    get cursor() {
      return cursor;
    },
    stop: () => firehose.destroy(),
  };
}
