import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

// Extends or deletes the key only while it still holds our token: a holder whose lock expired and
// was taken by another never touches the new holder's lock.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The lock was held by someone else for longer than the caller was willing to wait. */
export class LockTimeoutError extends Error {
  constructor(readonly lockName: string) {
    super(`lock "${lockName}" is still held by another process`);
    this.name = 'LockTimeoutError';
  }
}

export interface RedisLockOptions {
  /** The lock expires this long after its holder stopped extending it (a crashed process). */
  ttlMs?: number;
  /** How long `run` waits for a held lock before throwing LockTimeoutError. */
  waitMs?: number;
  /** Pause between two attempts to take a held lock. */
  retryMs?: number;
}

/**
 * A mutex shared by every process on one Redis (API and all workers): `SET NX PX` with a random
 * token, extended while its holder runs, released only by its holder. For work on one shared
 * thing that must not run twice at once, such as refreshing a session whose refresh token is
 * single use. `run(name, fn)` has the shape of @atproto/oauth-client's `requestLock`.
 */
@Injectable()
export class RedisLock implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisLock.name);
  private redis: Redis | null = null;
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    options: RedisLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.waitMs = options.waitMs ?? 20_000;
    this.retryMs = options.retryMs ?? 50;
  }

  /** Runs `fn` while holding the lock `name`, waiting for another holder to finish first. */
  async run<T>(name: string, fn: () => T | PromiseLike<T>): Promise<T> {
    const key = `${this.prefix}:lock:${name}`;
    const token = randomUUID();
    await this.acquire(key, token, name);
    // Extended while fn runs, so a slow holder keeps it; the ttl only matters if this process dies.
    const extend = setInterval(
      () => {
        this.client()
          .eval(EXTEND, 1, key, token, this.ttlMs)
          .catch((error: unknown) => this.logger.warn(`lock ${name} not extended: ${String(error)}`));
      },
      Math.floor(this.ttlMs / 3),
    );
    try {
      return await fn();
    } finally {
      clearInterval(extend);
      await this.client()
        .eval(RELEASE, 1, key, token)
        .catch((error: unknown) => this.logger.warn(`lock ${name} not released: ${String(error)}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    this.redis = null;
  }

  private async acquire(key: string, token: string, name: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      if ((await this.client().set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK') return;
      if (Date.now() >= deadline) throw new LockTimeoutError(name);
      // Jittered, so waiters do not retry in step.
      await new Promise((resolve) => setTimeout(resolve, this.retryMs * (0.5 + Math.random())));
    }
  }

  private client(): Redis {
    if (this.redis === null) {
      this.redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
      // Without a listener ioredis prints each reconnect failure as an "Unhandled error event".
      this.redis.on('error', (error: Error) => this.logger.warn(`lock connection: ${error.message}`));
    }
    return this.redis;
  }
}
