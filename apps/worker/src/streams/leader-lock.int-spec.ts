import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { LeaderLock } from './leader-lock.js';

const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.quit());

function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () =>
      predicate() ? resolve() : Date.now() > deadline ? reject(new Error('timed out')) : setTimeout(poll, 20);
    poll();
  });
}

describe('LeaderLock', () => {
  it('elects exactly one holder and hands over when it stops', async () => {
    const key = `leader-test:${Math.random().toString(36).slice(2)}`;
    const a = new LeaderLock(redis, key, 600);
    const b = new LeaderLock(redis, key, 600);
    a.start(() => undefined);
    await waitFor(() => a.isLeader);
    b.start(() => undefined);
    await new Promise((r) => setTimeout(r, 700)); // past one ttl: a keeps renewing
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await a.stop();
    await waitFor(() => b.isLeader);
    await b.stop();
    expect(await redis.exists(key)).toBe(0);
  });
});
