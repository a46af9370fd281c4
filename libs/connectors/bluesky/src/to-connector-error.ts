import { XRPCError } from '@atproto/api';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';

/** XRPC error names that mean the session is gone for good: the user must link the account again. */
const AUTH_ERRORS = new Set([
  'AuthenticationRequired',
  'ExpiredToken',
  'InvalidToken',
  'AccountTakedown',
  'AccountDeactivated',
  'InvalidDID',
]);

const NOT_FOUND_ERRORS = new Set([
  'NotFound',
  'RecordNotFound',
  'UnknownFeed',
  'UnknownList',
  'ProfileNotFound',
  'ActorNotFound',
]);

type HeaderMap = Record<string, string | undefined> | undefined;

/** When a rate limit lifts: `retry-after` (seconds or HTTP date) first, then `ratelimit-reset` (epoch seconds). */
export function retryAtFromHeaders(headers: HeaderMap | Headers, now = Date.now()): Date | null {
  const get = (name: string): string | null =>
    headers instanceof Headers
      ? headers.get(name)
      : (headers?.[name] ?? headers?.[name.toLowerCase()] ?? null);
  const retryAfter = get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return new Date(now + seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(date);
  }
  const reset = Number(get('ratelimit-reset'));
  if (get('ratelimit-reset') && Number.isFinite(reset)) return new Date(reset * 1000);
  return null;
}

/** Maps anything @atproto/api throws to the one error type callers decide on. */
export function toConnectorError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (err instanceof XRPCError) {
    const detail = `${what}: ${err.error}${err.message && err.message !== err.error ? ` (${err.message})` : ''}`;
    if (err.status === 401 || AUTH_ERRORS.has(err.error)) {
      return new ConnectorError(ConnectorErrorCode.Auth, `Bluesky session rejected — ${detail}`, null, {
        cause: err,
      });
    }
    if (err.status === 429) {
      const retryAt = retryAtFromHeaders(err.headers) ?? new Date(Date.now() + 60_000);
      return new ConnectorError(ConnectorErrorCode.RateLimited, `Bluesky rate limit — ${detail}`, retryAt, {
        cause: err,
      });
    }
    if (NOT_FOUND_ERRORS.has(err.error) || err.status === 404) {
      return new ConnectorError(ConnectorErrorCode.NotFound, `Not found on Bluesky — ${detail}`, null, {
        cause: err,
      });
    }
    // 1 = network error / unknown, 5xx = server trouble: transient.
    if (err.status >= 500 || err.status < 100) {
      return new ConnectorError(ConnectorErrorCode.Unavailable, `Bluesky unavailable — ${detail}`, null, {
        cause: err,
      });
    }
    return new ConnectorError(ConnectorErrorCode.BadInput, `Bluesky refused the request — ${detail}`, null, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError(
    ConnectorErrorCode.Unavailable,
    `Bluesky unreachable — ${what}: ${message}`,
    null,
    { cause: err },
  );
}
