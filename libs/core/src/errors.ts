/** A record from a network that could not be normalized; recorded and skipped, never fatal. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
  constructor(
    readonly reason: string,
    readonly record: unknown,
  ) {
    super(`malformed record: ${reason}`);
  }
}

export const ConnectorErrorCode = {
  /** Credentials rejected or session revoked: the account needs re-authentication. */
  Auth: 'AUTH',
  /** Upstream rate limit; retry at `retryAt`. */
  RateLimited: 'RATE_LIMITED',
  /** 5xx, timeouts, connection errors: retry with backoff. */
  Unavailable: 'UNAVAILABLE',
  /** The request was refused as invalid (bad instance URL, too long a post…): do not retry. */
  BadInput: 'BAD_INPUT',
  NotFound: 'NOT_FOUND',
} as const;
export type ConnectorErrorCode = (typeof ConnectorErrorCode)[keyof typeof ConnectorErrorCode];

/** The one error type connectors throw; callers decide retry vs. re-auth from `code`. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly retryAt: Date | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
