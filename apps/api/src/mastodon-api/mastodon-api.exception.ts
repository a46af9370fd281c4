import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Response } from './http-types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';

/** An answer in Mastodon's error shape: `{ error, error_description? }` with an HTTP status. */
export class MastodonApiException extends Error {
  override readonly name = 'MastodonApiException';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(error);
  }
}

/** What each of Tributary's error codes is as an HTTP status (Mastodon answers 422 for bad input). */
const STATUS: Record<AppErrorCode, number> = {
  [AppErrorCode.Unauthenticated]: 401,
  [AppErrorCode.Forbidden]: 403,
  [AppErrorCode.BadUserInput]: 422,
  [AppErrorCode.NotFound]: 404,
  [AppErrorCode.Conflict]: 409,
  [AppErrorCode.UpstreamUnavailable]: 503,
  [AppErrorCode.RateLimited]: 429,
};

/**
 * The Mastodon API's errors as Mastodon sends them: a JSON `error` string that apps show, the right
 * status, never a stack trace. Expected errors are not logged; unexpected ones are, once.
 */
@Catch()
export class MastodonApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('MastodonApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    let status = 500;
    let body: Record<string, string> = { error: 'Internal server error' };
    if (exception instanceof MastodonApiException) {
      status = exception.status;
      body = {
        error: exception.error,
        ...(exception.description ? { error_description: exception.description } : {}),
      };
      for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
    } else if (exception instanceof AppException) {
      status = STATUS[exception.code];
      body = { error: exception.message };
      const retryAt = exception.details['retryAt'];
      if (typeof retryAt === 'string') res.setHeader('X-RateLimit-Reset', retryAt);
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = { error: exception.message };
    } else {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    res.status(status).json(body);
  }
}
