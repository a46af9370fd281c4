/** The error codes clients see in `extensions.code`. */
export const AppErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  BadUserInput: 'BAD_USER_INPUT',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  RateLimited: 'RATE_LIMITED',
} as const;
export type AppErrorCode = (typeof AppErrorCode)[keyof typeof AppErrorCode];

/**
 * The one exception resolvers throw for expected failures; `GraphqlExceptionFilter` turns it into a
 * GraphQL error with `extensions.code`. Anything else reaches the client as INTERNAL_SERVER_ERROR.
 */
export class AppException extends Error {
  override readonly name = 'AppException';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
