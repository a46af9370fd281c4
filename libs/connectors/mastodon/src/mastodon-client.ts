import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorError, ConnectorErrorCode, sharedGuardedDispatcher } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import type { mastodon } from 'masto';
import {
  createOAuthAPIClient,
  createRestAPIClient,
  MastoDeserializeError,
  MastoHttpError,
  MastoUnexpectedError,
} from 'masto';
import type { Agent, Dispatcher } from 'undici';
import type { RateLimitBudget, RateLimitOptions } from './rate-limit-budget.js';
import { parseRateLimitReset, rateLimitBudgetFor } from './rate-limit-budget.js';

export interface MastodonClientOptions extends InstanceUrlPolicy {
  /** Origin returned by `assertSafeInstanceUrl`. */
  instanceOrigin: string;
  accessToken?: string | null;
  rateLimit?: RateLimitOptions;
  /** Retries after a 5xx or a network error, with exponential backoff from `backoffMs`. */
  retries?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

/** What masto answered, with the final response's status and headers (masto keeps those to itself). */
export interface MastodonReply<T> {
  data: T;
  status: number;
  headers: Headers;
}

const MAX_REDIRECTS = 5;
/** The statuses fetch follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) v.forEach((x) => out.append(k, x));
    else if (v !== undefined) out.set(k, v);
  }
  return out;
}

/**
 * One masto call as it went over the wire: masto returns only the body, so the status and headers
 * (rate limits, `Link`, `Retry-After`) are read here, from the responses passing the dispatcher.
 */
class Exchange {
  method = 'GET';
  path = '';
  status: number | null = null;
  statusText = '';
  headers = new Headers();
  refusal: ConnectorError | null = null;
  private redirects = 0;

  /** The dispatcher masto's fetch goes through for this call: the guarded one, observed. */
  observe(guarded: Agent): Dispatcher {
    return guarded.compose(
      (dispatch) => (options, handler) => dispatch(options, new ObservingHandler(handler, this, options)),
    );
  }

  /**
   * Records one response. A redirect fetch will follow is only checked, not recorded: should the
   * next hop fail to connect, that is a network failure, not an answer.
   */
  saw(
    options: Dispatcher.DispatchOptions,
    status: number,
    headers: IncomingHttpHeaders,
    statusText = '',
  ): void {
    this.method = options.method;
    this.path = options.path.replace(/\?.*$/, '');
    const location = headers['location'];
    if (REDIRECTS.has(status) && typeof location === 'string') {
      this.checkRedirect(options, location);
      return;
    }
    this.status = status;
    this.statusText = statusText;
    this.headers = toHeaders(headers);
  }

  /**
   * Each hop's host is checked when it is connected to (the guarded dispatcher); what fetch would
   * not follow, or would follow too long, is refused here so that it is not retried as a failure.
   */
  private checkRedirect(options: Dispatcher.DispatchOptions, location: string): void {
    let next: URL | null = null;
    try {
      next = new URL(location, `${String(options.origin)}${options.path}`);
    } catch {
      /* refused below */
    }
    if (!next || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
      this.refusal = new ConnectorError(
        ConnectorErrorCode.BadInput,
        `refusing a redirect to ${location.slice(0, 100)}`,
      );
    } else if (++this.redirects > MAX_REDIRECTS) {
      this.refusal = new ConnectorError(ConnectorErrorCode.BadInput, `too many redirects from ${this.path}`);
    }
  }
}

/** Passes everything on to fetch's own handler, telling the exchange about each response first. */
class ObservingHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly next: Dispatcher.DispatchHandler,
    private readonly exchange: Exchange,
    private readonly options: Dispatcher.DispatchOptions,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.next.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.next.onRequestUpgrade?.(controller, status, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    statusText?: string,
  ): void {
    this.exchange.saw(this.options, status, headers, statusText);
    if (this.exchange.refusal) return controller.abort(this.exchange.refusal);
    this.next.onResponseStart?.(controller, status, headers, statusText);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.next.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.next.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    // Kept as it is here: fetch turns an error from another realm (a test sandbox) into a plain one.
    if (error instanceof ConnectorError) this.exchange.refusal ??= error;
    this.next.onResponseError?.(controller, error);
  }
}

function retryAtFrom(headers: Headers, fallbackMs: number, useRateLimitReset: boolean): Date {
  const reset = parseRateLimitReset(headers.get('x-ratelimit-reset'));
  if (useRateLimitReset && !Number.isNaN(reset)) return new Date(reset);
  const after = headers.get('retry-after');
  if (after) {
    const secs = Number(after);
    if (Number.isFinite(secs)) return new Date(Date.now() + secs * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return new Date(date);
  }
  return new Date(Date.now() + fallbackMs);
}

const isJson = (headers: Headers): boolean =>
  /^application\/(.+\+)?json\b/i.test(headers.get('content-type') ?? '');

/**
 * The one way to a Mastodon instance: masto's typed clients over the SSRF-guarded dispatcher, the
 * token's rate budget spent and refreshed from `X-RateLimit-*`, 5xx and network failures retried
 * with backoff, and every failure mapped to a `ConnectorError` (401 → AUTH, 429 → RATE_LIMITED with
 * the reset time, 404/410 → NOT_FOUND, 5xx → UNAVAILABLE). masto builds every URL from the
 * instance origin, so the token never goes to another host; fetch drops it on a cross-origin redirect.
 */
export class MastodonClient {
  readonly origin: string;
  readonly budget: RateLimitBudget;
  private readonly token: string | null;
  private readonly guarded: Agent;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(options: MastodonClientOptions) {
    this.origin = new URL(options.instanceOrigin).origin;
    this.token = options.accessToken ?? null;
    this.guarded = sharedGuardedDispatcher(options);
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const who = this.token ? createHash('sha256').update(this.token).digest('hex').slice(0, 32) : 'anonymous';
    this.budget = rateLimitBudgetFor(`${this.origin}|${who}`, options.rateLimit);
  }

  /** One REST call, e.g. `client.rest((api) => api.v1.lists.list())`. */
  rest<T>(call: (api: mastodon.rest.Client) => PromiseLike<T>): Promise<MastodonReply<T>> {
    return this.send((props) => call(createRestAPIClient(props)));
  }

  /** One call to the OAuth endpoints (`/oauth/token`). */
  oauth<T>(call: (api: mastodon.oauth.Client) => PromiseLike<T>): Promise<MastodonReply<T>> {
    return this.send((props) => call(createOAuthAPIClient(props)));
  }

  private async send<T>(
    call: (props: Parameters<typeof createRestAPIClient>[0]) => PromiseLike<T>,
  ): Promise<MastodonReply<T>> {
    for (let attempt = 0; ; attempt++) {
      await this.budget.acquire();
      const exchange = new Exchange();
      const props = {
        url: this.origin,
        accessToken: this.token ?? undefined,
        timeout: this.timeoutMs,
        // `dispatcher` is Node's fetch extension; masto passes requestInit through to fetch.
        requestInit: {
          headers: { accept: 'application/json' },
          dispatcher: exchange.observe(this.guarded),
        } as RequestInit,
      };
      let data: T;
      try {
        data = await call(props);
      } catch (err) {
        if (exchange.status !== null) this.budget.update(exchange.headers);
        const failure = this.failure(err, exchange, attempt);
        if (failure === 'retry') {
          await sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw failure;
      }
      this.budget.update(exchange.headers);
      if (!isJson(exchange.headers)) throw this.notJson(exchange, null);
      return { data, status: exchange.status ?? 200, headers: exchange.headers };
    }
  }

  private notJson(exchange: Exchange, cause: unknown): ConnectorError {
    return new ConnectorError(
      ConnectorErrorCode.Unavailable,
      `${exchange.path}: response is not JSON`,
      null,
      {
        cause,
      },
    );
  }

  private failure(err: unknown, exchange: Exchange, attempt: number): ConnectorError | 'retry' {
    // The guard's refusals (and the redirect checks') are final: never retried, never re-worded.
    if (exchange.refusal) return exchange.refusal;
    const status = exchange.status;
    const canRetry = attempt < this.retries;
    const backoff = (): Date => new Date(Date.now() + this.backoffMs * 2 ** (attempt + 1));
    if (status !== null && status < 300) {
      if (err instanceof MastoDeserializeError || err instanceof MastoUnexpectedError)
        return this.notJson(exchange, err);
      // The body broke off after the headers: a network failure like any other.
    }
    if (status === null || status < 300) {
      if (canRetry) return 'retry';
      return new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `${this.origin} unreachable: ${(err as Error).message}`,
        backoff(),
        { cause: err },
      );
    }
    const detail = err instanceof MastoHttpError && err.message ? err.message : exchange.statusText;
    const message = `${exchange.method} ${exchange.path}: ${status} ${detail}`.trim();
    if (status === 401) return new ConnectorError(ConnectorErrorCode.Auth, message, null, { cause: err });
    if (status === 429) {
      const retryAt = retryAtFrom(exchange.headers, 60_000, true);
      this.budget.block(retryAt);
      return new ConnectorError(ConnectorErrorCode.RateLimited, message, retryAt, { cause: err });
    }
    if (status >= 500) {
      if (canRetry) return 'retry';
      return new ConnectorError(
        ConnectorErrorCode.Unavailable,
        message,
        retryAtFrom(exchange.headers, this.backoffMs * 2 ** (attempt + 1), false),
        { cause: err },
      );
    }
    // A token without the scope an operation needs: only linking again grants it.
    if (status === 403 && /outside the authorized scopes|insufficient_scope/i.test(message))
      return new ConnectorError(
        ConnectorErrorCode.BadInput,
        `${message} (the account's access does not allow this; link the account again)`,
        null,
        { cause: err },
      );
    if (status === 404 || status === 410)
      return new ConnectorError(ConnectorErrorCode.NotFound, message, null, { cause: err });
    return new ConnectorError(ConnectorErrorCode.BadInput, message, null, { cause: err });
  }
}
