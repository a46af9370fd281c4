// A subscription to a PDS's or relay's `com.atproto.sync.subscribeRepos`. Two uses:
// - a freshness signal (a PDS's firehose): which repos created/deleted posts and reposts, so the
//   caller can sync the accounts that follow them, and whom a record names (notifications); records
//   are not ingested from it, so commits are parsed without signature checks;
// - the relay firehose (`verify`): every commit's signature and MST proof checked against the
//   repo's key (resolved through the PLC directory), so its records can be stored as they come;
//   a commit that fails verification is reported to `onError` and dropped.
// Resumes from the seq the caller persisted; reconnects with backoff.
import { lexToJson } from '@atproto/api';
import { IdResolver } from '@atproto/identity';
import { Firehose, FirehoseSubscriptionError } from '@atproto/sync';
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
  /** Where repos' keys are resolved (`verify`). */
  plcUrl?: string;
  /**
   * Resolve identities with plain `fetch`, http:// and private addresses allowed (a private or test
   * network's PLC); by default @atproto/identity's guarded fetch refuses them.
   */
  allowHttp?: boolean;
  /** Check every commit's signature and proofs, and hand on the records (see above). */
  verify?: boolean;
  /** Connected: events flow; not: the connection failed and is being retried. */
  onStatus?: (status: { connected: boolean; error: string | null }) => void;
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
  const verify = options.verify ?? false;
  let connected: boolean | null = null;
  const report = (now: boolean, error: string | null): void => {
    if (now === connected) return;
    connected = now;
    options.onStatus?.({ connected: now, error });
  };
  const onError = (err: Error): void => {
    if (err instanceof FirehoseSubscriptionError) report(false, err.message);
    options.onError?.(err);
  };
  const firehose = new Firehose({
    service: wsUrl(options.service),
    idResolver: new IdResolver({
      ...(options.plcUrl ? { plcUrl: options.plcUrl } : {}),
      ...(options.allowHttp ? { fetch: globalThis.fetch } : {}),
    }),
    filterCollections: [...(options.collections ?? FEED_COLLECTIONS)],
    unauthenticatedCommits: !verify,
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
      report(true, null);
      const event: RepoEvent = {
        did: evt.did,
        collection: evt.collection,
        rkey: evt.rkey,
        action: evt.event,
        uri: evt.uri.toString(),
        seq: evt.seq,
        time: evt.time,
      };
      if (evt.event !== 'delete') {
        // Verified: the record, as JSON with its CID, may be stored. Unverified: anyone's word, a
        // signal only (whom it names, for notifications).
        const record = verify ? lexToJson(evt.record) : evt.record;
        if (typeof record === 'object' && record !== null && !Array.isArray(record))
          event.record = record as Record<string, unknown>;
        if (verify) event.cid = evt.cid.toString();
      }
      await options.onEvent(event);
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
