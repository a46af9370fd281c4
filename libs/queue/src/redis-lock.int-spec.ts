import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { LockTimeoutError, RedisLock } from './redis-lock.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `lock-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const redis = new Redis(url);
// Two processes' locks: separate connections, nothing shared but Redis.
const locks = [new RedisLock(url, prefix, { ttlMs: 300 }), new RedisLock(url, prefix, { ttlMs: 300 })];

afterAll(async () => {
  await Promise.all(locks.map((l) => l.onApplicationShutdown()));
  await redis.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisLock', () => {
  it('lets one holder at a time run, across connections, and gives each its own result', async () => {
    let inside = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        locks[i % 2]!.run('one-at-a-time', async () => {
          most = Math.max(most, ++inside);
          await sleep(20);
          inside--;
          return i;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await redis.exists(`${prefix}:lock:one-at-a-time`)).toBe(0);
  });

  it('keeps the lock for a holder that runs past the ttl, and a waiter gives up with LockTimeoutError', async () => {
    const impatient = new RedisLock(url, prefix, { ttlMs: 300, waitMs: 900 });
    try {
      let release!: () => void;
      const holding = locks[0]!.run('long', () => new Promise<void>((resolve) => (release = resolve)));
      await sleep(50);
      // Three ttls later the first holder still has it: the waiter never gets in.
      await expect(impatient.run('long', () => 'got it')).rejects.toBeInstanceOf(LockTimeoutError);
      release();
      await holding;
      await expect(impatient.run('long', () => 'got it')).resolves.toBe('got it');
    } finally {
      await impatient.onApplicationShutdown();
    }
  });

  it("takes over the lock of a holder that died, and a late release does not free the new holder's lock", async () => {
    const key = `${prefix}:lock:crashed`;
    await redis.set(key, 'a-dead-process', 'PX', 200);
    await expect(locks[0]!.run('crashed', () => 'after expiry')).resolves.toBe('after expiry');

    // A holder whose lock was taken over meanwhile (here by hand) leaves the new one in place.
    await locks[1]!.run('crashed', async () => {
      await redis.set(key, 'someone-else');
    });
    expect(await redis.get(key)).toBe('someone-else');
    await redis.del(key);
  });

  it('releases the lock when the holder fails, and passes the failure on', async () => {
    await expect(locks[0]!.run('failing', () => Promise.reject(new Error('refresh failed')))).rejects.toThrow(
      'refresh failed',
    );
    expect(await redis.exists(`${prefix}:lock:failing`)).toBe(0);
  });
});
