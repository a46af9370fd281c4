import { ConnectorError, ConnectorErrorCode } from '@tributary/core';

export interface RateLimitOptions {
  /** Requests per window before the server has told us its own numbers (Mastodon: 300 / 5 min). */
  limit?: number;
  windowMs?: number;
  /** Wait for the window to reset when it is at most this far away; otherwise throw RATE_LIMITED. */
  maxWaitMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `X-RateLimit-Reset` in ms: Mastodon sends an ISO date, GoToSocial a Unix timestamp in seconds
 * (docs/api/ratelimiting.md). NaN when it is neither.
 */
export function parseRateLimitReset(value: string | null): number {
  if (value === null) return NaN;
  if (/^\d{9,11}$/.test(value.trim())) return Number(value) * 1000;
  return Date.parse(value);
}

/**
 * One token's request budget. It starts from the documented default and is corrected by every
 * response's `X-RateLimit-*` headers; a 429 blocks the token until the server's reset time.
 */
export class RateLimitBudget {
  limit: number;
  remaining: number;
  resetAt: number;
  private blockedUntil = 0;
  private readonly windowMs: number;
  private readonly maxWaitMs: number;

  constructor(options: RateLimitOptions = {}) {
    this.limit = options.limit ?? 300;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.remaining = this.limit;
    this.resetAt = Date.now() + this.windowMs;
  }

  /** Takes one request from the budget, waiting or throwing when none is left. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now >= this.resetAt && now >= this.blockedUntil) {
        this.remaining = this.limit;
        this.resetAt = now + this.windowMs;
      }
      const until = now < this.blockedUntil ? this.blockedUntil : this.remaining <= 0 ? this.resetAt : 0;
      if (until === 0) {
        this.remaining--;
        return;
      }
      if (until - now > this.maxWaitMs) {
        throw new ConnectorError(
          ConnectorErrorCode.RateLimited,
          'rate limit budget exhausted',
          new Date(until),
        );
      }
      await sleep(until - now);
    }
  }

  /** Adopts the server's view of the budget from a response's headers. */
  update(headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const reset = parseRateLimitReset(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(limit) && limit > 0 && headers.has('x-ratelimit-limit')) this.limit = limit;
    if (Number.isFinite(remaining) && headers.has('x-ratelimit-remaining')) this.remaining = remaining;
    if (!Number.isNaN(reset)) this.resetAt = reset;
  }

  /** After a 429: nothing goes out before `until`. */
  block(until: Date): void {
    this.blockedUntil = Math.max(this.blockedUntil, until.getTime());
    // The server's window ends then too: afterwards the budget starts afresh.
    this.resetAt = this.blockedUntil;
    this.remaining = 0;
  }
}

const budgets = new Map<string, RateLimitBudget>();

/** The shared budget of one token on one instance, so every connector using the token counts together. */
export function rateLimitBudgetFor(key: string, options?: RateLimitOptions): RateLimitBudget {
  let b = budgets.get(key);
  if (!b) {
    b = new RateLimitBudget(options);
    budgets.set(key, b);
  }
  return b;
}
