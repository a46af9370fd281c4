// The rate-limit logic against responses shaped like the PDS's (RateLimit-* headers as the
// atproto rate limiter sends them); the end-to-end 429/503 paths run against dev-env in the
// integration tests.
import { describe, expect, it } from '@jest/globals';
import { XRPCError } from '@atproto/api';
import { ConnectorError } from '@tributary/core';
import { createPoliteFetch } from './polite-fetch.js';
import { retryAtFromHeaders, toConnectorError } from './to-connector-error.js';

function scripted(responses: Array<() => Response>) {
  const calls: Array<{ method: string; at: number }> = [];
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input);
    calls.push({ method: req.method, at: Date.now() });
    const next = responses.shift();
    if (!next) throw new Error('no more scripted responses');
    return next();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const ok =
  (headers: Record<string, string> = {}) =>
  () =>
    new Response('{}', { status: 200, headers });
const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response('{"error":"X"}', { status: code, headers });

describe('createPoliteFetch', () => {
  it('holds the next request while the window is used up', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    const { fetch, calls } = scripted([
      ok({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }),
      ok(),
    ]);
    const waits: string[] = [];
    const polite = createPoliteFetch({ fetch, onWait: (w) => waits.push(w.reason) });
    await polite('http://pds.test/xrpc/a');
    await polite('http://pds.test/xrpc/b');
    expect(waits).toEqual(['window-exhausted']);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(reset * 1000);
  });

  it('answers 429 itself when the window reopens later than it may wait', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 600;
    const { fetch, calls } = scripted([ok({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) })]);
    const polite = createPoliteFetch({ fetch, maxWaitMs: 1_000 });
    await polite('http://pds.test/xrpc/a');
    const res = await polite('http://pds.test/xrpc/b');
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit-reset')).toBe(String(reset));
    expect(calls).toHaveLength(1);
  });

  it('retries after retry-after seconds on 429', async () => {
    const { fetch, calls } = scripted([status(429, { 'retry-after': '1' }), ok()]);
    const res = await createPoliteFetch({ fetch })('http://pds.test/xrpc/a');
    expect(res.status).toBe(200);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('retries idempotent requests on 503 and network errors, but never a POST', async () => {
    const flaky = scripted([
      status(503),
      () => {
        throw new TypeError('fetch failed');
      },
      ok(),
    ]);
    expect(
      (await createPoliteFetch({ fetch: flaky.fetch, backoffMs: 1 })('http://pds.test/xrpc/a')).status,
    ).toBe(200);
    expect(flaky.calls).toHaveLength(3);

    const post = scripted([status(503), ok()]);
    const res = await createPoliteFetch({ fetch: post.fetch, backoffMs: 1 })('http://pds.test/xrpc/c', {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(503);
    expect(post.calls).toHaveLength(1);
  });
});

describe('toConnectorError', () => {
  const code = (err: unknown) => toConnectorError(err, 'test').code;
  it('maps XRPC failures to what the caller does next', () => {
    expect(code(new XRPCError(401, 'AuthenticationRequired', 'Invalid identifier or password'))).toBe('AUTH');
    expect(code(new XRPCError(400, 'ExpiredToken', 'Token has been revoked'))).toBe('AUTH');
    expect(code(new XRPCError(400, 'AccountTakedown'))).toBe('AUTH');
    expect(code(new XRPCError(400, 'InvalidRequest', 'bad cursor'))).toBe('BAD_INPUT');
    expect(code(new XRPCError(400, 'UnknownFeed'))).toBe('NOT_FOUND');
    expect(code(new XRPCError(502, 'UpstreamFailure'))).toBe('UNAVAILABLE');
    expect(code(new XRPCError(1, 'Unknown', 'fetch failed'))).toBe('UNAVAILABLE');
    expect(code(new TypeError('fetch failed'))).toBe('UNAVAILABLE');
    const same = new ConnectorError('NOT_FOUND', 'x');
    expect(toConnectorError(same, 'test')).toBe(same);
  });

  it('carries the reset time of a 429', () => {
    const err = toConnectorError(
      new XRPCError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', { 'ratelimit-reset': '1800000000' }),
      'getTimeline',
    );
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAt?.toISOString()).toBe(new Date(1_800_000_000_000).toISOString());
    expect(err.message).toContain('getTimeline');
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    expect(retryAtFromHeaders({ 'retry-after': '30' }, 1_000)?.getTime()).toBe(31_000);
    expect(
      retryAtFromHeaders(new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }))?.toISOString(),
    ).toBe('2026-10-21T07:28:00.000Z');
    expect(retryAtFromHeaders({})).toBeNull();
  });
});
