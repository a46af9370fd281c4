// A fetch for @atproto/api that keeps to the server's rate limits: it reads the `ratelimit-*`
// headers, holds requests while the window is used up, waits out a 429 until its reset when
// that is short, and retries 5xx with exponential backoff. Longer waits surface as the 429 itself,
// which `toConnectorError` turns into RATE_LIMITED with the reset time.
import { retryAtFromHeaders } from './to-connector-error.js';

export interface PoliteFetchOptions {
  /** Longest wait for a 429 reset done inside the call; longer ones are returned to the caller. */
  maxWaitMs?: number;
  /** Retries of 502/503/504 and network errors for idempotent (GET) requests. */
  retries5xx?: number;
  /** First backoff step for 5xx; doubles each retry, with jitter. */
  backoffMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Observes waits (for logs and tests). */
  onWait?: (event: {
    reason: 'rate-limit' | 'server-error' | 'window-exhausted';
    ms: number;
    url: string;
  }) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createPoliteFetch(options: PoliteFetchOptions = {}): typeof globalThis.fetch {
  const { maxWaitMs = 30_000, retries5xx = 3, backoffMs = 250, onWait } = options;
  const base = options.fetch ?? globalThis.fetch;
  // When the server says the window is used up, nothing goes out before it resets.
  let blockedUntil = 0;

  return async function politeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const idempotent = request.method === 'GET' || request.method === 'HEAD';
    for (let attempt = 0; ; attempt++) {
      const hold = blockedUntil - Date.now();
      if (hold > 0) {
        if (hold > maxWaitMs) return tooManyRequests(blockedUntil);
        onWait?.({ reason: 'window-exhausted', ms: hold, url: request.url });
        await sleep(hold);
      }
      let res: Response;
      try {
        res = await base(request.clone());
      } catch (err) {
        if (!idempotent || attempt >= retries5xx) throw err;
        const ms = backoff(backoffMs, attempt);
        onWait?.({ reason: 'server-error', ms, url: request.url });
        await sleep(ms);
        continue;
      }
      const remaining = res.headers.get('ratelimit-remaining');
      if (remaining !== null && Number(remaining) <= 0) {
        blockedUntil = retryAtFromHeaders(res.headers)?.getTime() ?? blockedUntil;
      }
      if (res.status === 429) {
        const retryAt = retryAtFromHeaders(res.headers)?.getTime() ?? Date.now() + 1_000;
        blockedUntil = Math.max(blockedUntil, retryAt);
        const ms = retryAt - Date.now();
        if (ms > maxWaitMs || attempt >= 3) return res;
        await res.body?.cancel();
        onWait?.({ reason: 'rate-limit', ms: Math.max(ms, 0), url: request.url });
        await sleep(Math.max(ms, 0));
        continue;
      }
      if (
        (res.status === 502 || res.status === 503 || res.status === 504) &&
        idempotent &&
        attempt < retries5xx
      ) {
        await res.body?.cancel();
        const ms = backoff(backoffMs, attempt);
        onWait?.({ reason: 'server-error', ms, url: request.url });
        await sleep(ms);
        continue;
      }
      return res;
    }
  };
}

function backoff(base: number, attempt: number): number {
  return Math.round(base * 2 ** attempt * (0.5 + Math.random()));
}

/** What the server would have said: lets the caller see the reset without another request. */
function tooManyRequests(until: number): Response {
  return new Response(
    JSON.stringify({ error: 'RateLimitExceeded', message: 'Rate limit window exhausted' }),
    {
      status: 429,
      headers: {
        'content-type': 'application/json',
        'ratelimit-reset': String(Math.ceil(until / 1000)),
        'ratelimit-remaining': '0',
      },
    },
  );
}
