// Labelers (Bluesky's moderation services), asked directly: where a labeler's endpoint is (its DID
// document's `#atproto_labeler` service), its label stream (`com.atproto.label.subscribeLabels`:
// labels as they are applied, from a cursor) and its `com.atproto.label.queryLabels` (the labels
// it applied so far to given records). A member's labelers are their own choice, so each label is
// kept as that member's alone (Label.personal) by the caller.
import { IdResolver, MemoryCache } from '@atproto/identity';
import { Subscription } from '@atproto/xrpc-server';
import {
  ConnectorError,
  ConnectorErrorCode,
  assertSafeInstanceUrl,
  sharedGuardedDispatcher,
} from '@tributary/core';
import type { InstanceUrlPolicy, Label } from '@tributary/core';
import { labelAction } from './normalize-post.js';

/** One label as a labeler published it: applied (`neg` false) or withdrawn (`neg` true). */
export interface LabelerLabel {
  /** The labeler that applied it (always the labeler it was asked from). */
  src: string;
  /** What it labels: an at:// record URI or an account's DID. */
  uri: string;
  val: string;
  neg: boolean;
  /** When it was applied (ISO-8601). */
  cts: string;
  /** When it expires (ISO-8601), if it does. */
  exp: string | null;
}

export type ParsedLabel = { ok: true; label: LabelerLabel } | { ok: false; reason: string };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Label values are short tokens (the lexicon caps them at 128 bytes). */
const MAX_VALUE = 128;
/** queryLabels takes this many URI patterns per call here, and answers up to 250 labels a page. */
const QUERY_URIS = 25;
const QUERY_LIMIT = 250;
const RESOLVE_TIMEOUT_MS = 5_000;

/**
 * A label from `labeler`'s stream or query, checked: one naming another labeler as its source is
 * refused (a labeler speaks for itself only, never for the labelers other members chose).
 */
export function parseLabel(raw: unknown, labeler: string): ParsedLabel {
  if (!isObject(raw)) return { ok: false, reason: 'label is not an object' };
  const { src, uri, val, neg, cts, exp } = raw;
  if (src !== labeler)
    return { ok: false, reason: `label source ${String(src)} is not the labeler ${labeler}` };
  if (typeof uri !== 'string' || !(uri.startsWith('at://') || uri.startsWith('did:')))
    return { ok: false, reason: 'label uri is not an at:// URI or a DID' };
  if (typeof val !== 'string' || val === '' || val.length > MAX_VALUE)
    return { ok: false, reason: 'label val is missing or too long' };
  if (typeof cts !== 'string' || Number.isNaN(Date.parse(cts)))
    return { ok: false, reason: 'label cts is not a datetime' };
  if (exp !== undefined && (typeof exp !== 'string' || Number.isNaN(Date.parse(exp))))
    return { ok: false, reason: 'label exp is not a datetime' };
  return {
    ok: true,
    label: { src, uri, val, neg: neg === true, cts, exp: typeof exp === 'string' ? exp : null },
  };
}

/** A labeler's label as one member's view of a post holds it (libs/core Label, personal). */
export function personalLabel(label: Pick<LabelerLabel, 'src' | 'val'>): Label {
  return { value: label.val, source: label.src, action: labelAction(label.val), personal: true };
}

/** True while a label is in force (not withdrawn, not expired). */
export function labelInForce(label: LabelerLabel, now = Date.now()): boolean {
  return !label.neg && (label.exp === null || Date.parse(label.exp) > now);
}

export interface LabelerDirectoryOptions {
  /** PLC directory for `did:plc:` labelers. */
  plcUrl: string;
  /** Labelers are hosts members name (by subscribing): the same guard as their PDSes. */
  hostPolicy?: InstanceUrlPolicy;
}

/** Finds labelers' endpoints, and asks them (their queries and streams), through the host guard. */
export class LabelerDirectory {
  private readonly resolver: IdResolver;
  private readonly fetch: typeof globalThis.fetch;

  constructor(private readonly options: LabelerDirectoryOptions) {
    const dispatcher = sharedGuardedDispatcher(options.hostPolicy ?? {});
    this.fetch = ((input: string | URL | Request, init?: RequestInit) =>
      globalThis.fetch(input, { ...init, dispatcher } as RequestInit)) as typeof globalThis.fetch;
    // The PLC directory is the operator's choice; a did:web labeler's host is a member's.
    const plc = new URL(options.plcUrl).origin;
    const resolve = ((input: string | URL | Request, init?: RequestInit) =>
      new URL(input instanceof Request ? input.url : input).origin === plc
        ? globalThis.fetch(input, init)
        : this.fetch(input, init)) as typeof globalThis.fetch;
    this.resolver = new IdResolver({
      plcUrl: options.plcUrl,
      didCache: new MemoryCache(15 * 60_000, 24 * 60 * 60_000),
      timeout: RESOLVE_TIMEOUT_MS,
      fetch: resolve,
    });
  }

  /** The labeler's service origin, checked against the host guard. Throws a ConnectorError. */
  async endpoint(did: string): Promise<string> {
    let doc: Awaited<ReturnType<IdResolver['did']['resolve']>>;
    try {
      doc = await this.resolver.did.resolve(did);
    } catch (err) {
      throw new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `labeler ${did}: DID not resolved (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const service = doc?.service?.find(
      (s) =>
        (s.id === '#atproto_labeler' || s.id === `${did}#atproto_labeler`) && s.type === 'AtprotoLabeler',
    );
    if (!service || typeof service.serviceEndpoint !== 'string')
      throw new ConnectorError(
        ConnectorErrorCode.NotFound,
        `${did} is not a labeler (no #atproto_labeler service)`,
      );
    return assertSafeInstanceUrl(service.serviceEndpoint, this.options.hostPolicy);
  }

  /**
   * The labels `labeler` (at `service`) has applied to `uris` and not withdrawn, as it answers
   * now; a label it negated is absent. Malformed ones are left out.
   */
  async query(service: string, labeler: string, uris: readonly string[]): Promise<LabelerLabel[]> {
    const out: LabelerLabel[] = [];
    for (let i = 0; i < uris.length; i += QUERY_URIS) {
      let cursor: string | undefined;
      do {
        const params = new URLSearchParams({ limit: String(QUERY_LIMIT) });
        for (const uri of uris.slice(i, i + QUERY_URIS)) params.append('uriPatterns', uri);
        params.append('sources', labeler);
        if (cursor) params.set('cursor', cursor);
        const res = await this.fetch(`${service}/xrpc/com.atproto.label.queryLabels?${params}`).catch(
          (err: unknown) => {
            throw new ConnectorError(
              ConnectorErrorCode.Unavailable,
              `queryLabels at ${labeler}: ${String(err)}`,
            );
          },
        );
        if (!res.ok)
          throw new ConnectorError(
            res.status === 429 ? ConnectorErrorCode.RateLimited : ConnectorErrorCode.Unavailable,
            `queryLabels at ${labeler}: HTTP ${res.status}`,
          );
        const body = (await res.json().catch(() => null)) as { labels?: unknown; cursor?: unknown } | null;
        const labels = Array.isArray(body?.labels) ? body.labels : [];
        for (const raw of labels) {
          const parsed = parseLabel(raw, labeler);
          if (parsed.ok) out.push(parsed.label);
        }
        cursor = labels.length > 0 && typeof body?.cursor === 'string' ? body.cursor : undefined;
      } while (cursor);
    }
    return out;
  }
}

export interface LabelSubscriptionOptions {
  labeler: string;
  /** The labeler's endpoint (LabelerDirectory.endpoint). */
  service: string;
  /** Resume after this seq (the last one handled); null: from now on. */
  cursor: number | null;
  /** One message's labels (malformed ones already left out, with their reasons), in stream order. */
  onLabels: (
    seq: number,
    labels: LabelerLabel[],
    skipped: { reason: string; record: unknown }[],
  ) => Promise<void>;
  /** Connection problems; the subscription goes on (reconnecting) after them. */
  onError: (err: Error) => void;
  maxReconnectSeconds?: number;
}

export interface LabelSubscription {
  readonly cursor: number | null;
  stop(): Promise<void>;
}

/** Consumes a labeler's `subscribeLabels` in the background, one message at a time, until stopped. */
export function subscribeLabels(options: LabelSubscriptionOptions): LabelSubscription {
  let cursor = options.cursor;
  const abort = new AbortController();
  const wsService = options.service.replace(/^http/, 'ws').replace(/\/$/, '');
  const run = (async () => {
    while (!abort.signal.aborted) {
      const sub = new Subscription<Obj>({
        service: wsService,
        method: 'com.atproto.label.subscribeLabels',
        signal: abort.signal,
        maxReconnectSeconds: options.maxReconnectSeconds ?? 60,
        getParams: () => (cursor === null ? {} : { cursor }),
        validate: (v) => (isObject(v) ? v : undefined),
        onReconnectError: (err) => options.onError(err instanceof Error ? err : new Error(String(err))),
      });
      try {
        for await (const msg of sub) {
          if (msg.$type === 'com.atproto.label.subscribeLabels#info') {
            if (msg.name === 'OutdatedCursor')
              options.onError(new Error(`labeler ${options.labeler}: outdated cursor`));
            continue;
          }
          if (msg.$type !== 'com.atproto.label.subscribeLabels#labels' || typeof msg.seq !== 'number')
            continue;
          const labels: LabelerLabel[] = [];
          const skipped: { reason: string; record: unknown }[] = [];
          for (const raw of Array.isArray(msg.labels) ? msg.labels : []) {
            const parsed = parseLabel(raw, options.labeler);
            if (parsed.ok) labels.push(parsed.label);
            else skipped.push({ reason: parsed.reason, record: raw });
          }
          await options.onLabels(msg.seq, labels, skipped);
          cursor = msg.seq;
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        options.onError(err instanceof Error ? err : new Error(String(err)));
        await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
      }
    }
  })();
  return {
    get cursor() {
      return cursor;
    },
    async stop() {
      abort.abort();
      await run.catch(() => undefined);
    },
  };
}
