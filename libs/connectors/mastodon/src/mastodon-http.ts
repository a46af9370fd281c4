import { createHash } from 'node:crypto';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { RateLimitBudget, RateLimitOptions } from './rate-limit-budget.js';
import { rateLimitBudgetFor } from './rate-limit-budget.js';
import type { InstanceUrlPolicy } from './ssrf-guard.js';
import { guardedFetch } from './ssrf-guard.js';

export interface MastodonHttpOptions extends InstanceUrlPolicy {
  /** Origin returned by `assertSafeInstanceUrl`. */
  instanceOrigin: string;
  accessToken?: string | null;
  rateLimit?: RateLimitOptions;
  /** Retries after a 5xx or a network error, with exponential backoff from `backoffMs`. */
  retries?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

export interface MastodonResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: Record<string, unknown>;
  /** A multipart form (media uploads), sent instead of `body`. */
  form?: FormData;
  headers?: Record<string, string>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function errorText(res: Response): Promise<string> {
  // Error bodies are usually `{"error": "…"}` but may be an HTML page from a proxy.
  const text = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    /* not JSON */
  }
  return (
    text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200) || res.statusText
  );
}

function retryAtFrom(headers: Headers, fallbackMs: number, useRateLimitReset: boolean): Date {
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
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

/**
 * The one HTTP path to a Mastodon instance: SSRF-checked on every hop, the token's rate budget
 * spent and refreshed from `X-RateLimit-*`, 5xx retried with backoff, and every failure mapped to
 * a `ConnectorError` (401 → AUTH, 429 → RATE_LIMITED with the reset time, 5xx → UNAVAILABLE).
 */
export class MastodonHttp {
  readonly origin: string;
  readonly budget: RateLimitBudget;
  private readonly token: string | null;
  private readonly policy: InstanceUrlPolicy;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(options: MastodonHttpOptions) {
    this.origin = new URL(options.instanceOrigin).origin;
    this.token = options.accessToken ?? null;
    this.policy = { allowHosts: options.allowHosts, allowHttp: options.allowHttp, lookup: options.lookup };
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const who = this.token ? createHash('sha256').update(this.token).digest('hex').slice(0, 32) : 'anonymous';
    this.budget = rateLimitBudgetFor(`${this.origin}|${who}`, options.rateLimit);
  }

  /** `path` is relative to the instance, or an absolute URL on the same instance (a `Link` page). */
  async request<T>(
    method: string,
    path: string | URL,
    options: RequestOptions = {},
  ): Promise<MastodonResponse<T>> {
    const url = new URL(path, this.origin);
    if (url.origin !== this.origin) {
      // The token must never travel to another host, e.g. through a crafted Link header.
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `refusing to follow a link off the instance: ${url.origin}`,
      );
    }
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    let body: string | Uint8Array | undefined;
    if (options.form) {
      // Encoded once into bytes (with its boundary), so every retry sends the same request.
      const encoded = new Request('http://form.invalid/', { method: 'POST', body: options.form });
      headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
      body = new Uint8Array(await encoded.arrayBuffer());
    } else if (options.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }

    for (let attempt = 0; ; attempt++) {
      await this.budget.acquire();
      let res: Response;
      try {
        res = await guardedFetch(
          url.href,
          { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) },
          this.policy,
        );
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        if (attempt < this.retries) {
          await sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw new ConnectorError(
          ConnectorErrorCode.Unavailable,
          `${this.origin} unreachable: ${(err as Error).message}`,
          new Date(Date.now() + this.backoffMs * 2 ** (attempt + 1)),
          { cause: err },
        );
      }
      this.budget.update(res.headers);
      if (res.ok) {
        const text = await res.text();
        try {
          return { status: res.status, headers: res.headers, data: (text ? JSON.parse(text) : null) as T };
        } catch (err) {
          throw new ConnectorError(
            ConnectorErrorCode.Unavailable,
            `${url.pathname}: response is not JSON`,
            null,
            {
              cause: err,
            },
          );
        }
      }
      const message = `${method} ${url.pathname}: ${res.status} ${await errorText(res)}`;
      if (res.status === 401) throw new ConnectorError(ConnectorErrorCode.Auth, message);
      if (res.status === 429) {
        const retryAt = retryAtFrom(res.headers, 60_000, true);
        this.budget.block(retryAt);
        throw new ConnectorError(ConnectorErrorCode.RateLimited, message, retryAt);
      }
      if (res.status >= 500) {
        if (attempt < this.retries) {
          await sleep(this.backoffMs * 2 ** attempt);
          continue;
        }
        throw new ConnectorError(
          ConnectorErrorCode.Unavailable,
          message,
          retryAtFrom(res.headers, this.backoffMs * 2 ** (attempt + 1), false),
        );
      }
      if (res.status === 404 || res.status === 410)
        throw new ConnectorError(ConnectorErrorCode.NotFound, message);
      throw new ConnectorError(ConnectorErrorCode.BadInput, message);
    }
  }
}
