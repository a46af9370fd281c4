import { describe, expect, it } from '@jest/globals';
import { ConnectorError } from '@tributary/core';
import { parseLinkHeader } from './link-header.js';
import { RateLimitBudget, rateLimitBudgetFor } from './rate-limit-budget.js';

describe('RateLimitBudget', () => {
  it('starts from the documented default and adopts the server headers', () => {
    const b = new RateLimitBudget();
    expect(b.limit).toBe(300);
    b.update(
      new Headers({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '42',
        'x-ratelimit-reset': '2030-01-01T00:00:00.000Z',
      }),
    );
    expect([b.limit, b.remaining, b.resetAt]).toEqual([100, 42, Date.parse('2030-01-01T00:00:00.000Z')]);
    // Garbage headers change nothing.
    b.update(new Headers({ 'x-ratelimit-limit': 'many', 'x-ratelimit-reset': 'later' }));
    expect([b.limit, b.remaining]).toEqual([100, 42]);
  });

  it('reads a reset sent as a Unix timestamp (GoToSocial)', () => {
    const b = new RateLimitBudget();
    b.update(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' }));
    expect(b.resetAt).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
  });

  it('throws RATE_LIMITED with the reset time when the window is far away', async () => {
    const b = new RateLimitBudget({ maxWaitMs: 1_000 });
    const until = new Date(Date.now() + 60_000);
    b.block(until);
    const err = await b.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAt: until });
  });

  it('waits instead when the reset is close, then goes on', async () => {
    const b = new RateLimitBudget({ maxWaitMs: 5_000 });
    b.block(new Date(Date.now() + 30));
    await expect(b.acquire()).resolves.toBeUndefined();
    expect(b.remaining).toBe(299);
  });

  it('counts down locally between responses and refuses at zero', async () => {
    const b = new RateLimitBudget({ limit: 2, windowMs: 60_000, maxWaitMs: 0 });
    await b.acquire();
    await b.acquire();
    await expect(b.acquire()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('shares one budget per key', () => {
    expect(rateLimitBudgetFor('https://a.example|t1')).toBe(rateLimitBudgetFor('https://a.example|t1'));
    expect(rateLimitBudgetFor('https://a.example|t1')).not.toBe(rateLimitBudgetFor('https://a.example|t2'));
  });
});

describe('parseLinkHeader', () => {
  it('reads Mastodon next/prev links', () => {
    const { next, prev } = parseLinkHeader(
      '<https://m.example/api/v1/timelines/home?max_id=109>; rel="next", <https://m.example/api/v1/timelines/home?min_id=120>; rel="prev"',
    );
    expect(next?.searchParams.get('max_id')).toBe('109');
    expect(prev?.searchParams.get('min_id')).toBe('120');
  });

  it('tolerates missing, partial and malformed headers', () => {
    expect(parseLinkHeader(null)).toEqual({ next: null, prev: null });
    expect(parseLinkHeader('garbage')).toEqual({ next: null, prev: null });
    expect(parseLinkHeader('<not a url>; rel="next"')).toEqual({ next: null, prev: null });
    expect(parseLinkHeader('<https://m.example/x?max_id=1>; rel=next').next?.href).toBe(
      'https://m.example/x?max_id=1',
    );
  });
});
