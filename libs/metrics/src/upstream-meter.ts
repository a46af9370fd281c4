// Upstream requests counted where every one of them passes: Node's fetch (undici) publishes each
// request and its response headers on diagnostics channels. The connectors (@atproto/api, masto)
// and the feed generator's DID resolution all fetch through it, so nothing in them needs to know.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { upstreamRateLimitLimit, upstreamRateLimitRemaining, upstreamRequests } from './metrics.js';

interface UndiciRequest {
  origin?: string | URL;
  path?: string;
}
interface HeadersMessage {
  request: UndiciRequest;
  response: { statusCode: number; headers: Buffer[] };
}
interface ErrorMessage {
  request: UndiciRequest;
}

/**
 * Which network a request speaks to, by the API it calls: XRPC (PDS, AppView, entryway) and the PLC
 * directory are Bluesky's, `/api/v1|v2` and `/oauth` Mastodon's. Anything else (a link preview,
 * this instance's own tests) is not counted.
 */
export function networkOf(path: string): 'bluesky' | 'mastodon' | null {
  if (path.startsWith('/xrpc/') || path.startsWith('/did:plc:')) return 'bluesky';
  if (/^\/(api\/v[12]\/|oauth\/)/.test(path)) return 'mastodon';
  return null;
}

function statusClass(code: number): string {
  return code === 429 ? '429' : `${Math.floor(code / 100)}xx`;
}

function header(headers: Buffer[], wanted: readonly string[]): number | null {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (wanted.includes(headers[i]!.toString('latin1').toLowerCase())) {
      const value = Number(headers[i + 1]!.toString('latin1'));
      return Number.isFinite(value) ? value : null;
    }
  }
  return null;
}

function hostOf(request: UndiciRequest): string {
  try {
    return new URL(String(request.origin)).host;
  } catch {
    return 'unknown';
  }
}

function onHeaders(message: unknown): void {
  const { request, response } = message as HeadersMessage;
  const network = networkOf(request.path ?? '');
  if (network === null) return;
  upstreamRequests.inc({ network, status: statusClass(response.statusCode) });
  // Bluesky's PDS sends `ratelimit-*`, Mastodon `x-ratelimit-*`.
  const remaining = header(response.headers, ['ratelimit-remaining', 'x-ratelimit-remaining']);
  const limit = header(response.headers, ['ratelimit-limit', 'x-ratelimit-limit']);
  const labels = { network, host: hostOf(request) };
  if (remaining !== null) upstreamRateLimitRemaining.set(labels, remaining);
  if (limit !== null) upstreamRateLimitLimit.set(labels, limit);
}

function onError(message: unknown): void {
  const { request } = message as ErrorMessage;
  const network = networkOf(request.path ?? '');
  if (network !== null) upstreamRequests.inc({ network, status: 'error' });
}

let metering = 0;

/** Starts counting upstream requests in this process; returns the function that stops it. */
export function meterUpstreamRequests(): () => void {
  if (metering++ === 0) {
    subscribe('undici:request:headers', onHeaders);
    subscribe('undici:request:error', onError);
  }
  return () => {
    if (--metering === 0) {
      unsubscribe('undici:request:headers', onHeaders);
      unsubscribe('undici:request:error', onError);
    }
  };
}
