import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renews only if we still hold it: compare-and-extend in one atomic step.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One holder per deployment for work that must not run twice (stream consumers): every worker
 * tries, one wins, and if it dies the lock expires after `ttlMs` and another takes over.
 */
export class LeaderLock {
  private readonly id = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private held = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs = 15_000,
  ) {}

  get isLeader(): boolean {
    return this.held;
  }

  /** Tries to take or keep the lock every ttl/3; calls `onChange` when leadership flips. */
  start(onChange: (leader: boolean) => void): void {
    const tick = async () => {
      let now = false;
      try {
        now = this.held
          ? (await this.redis.eval(RENEW, 1, this.key, this.id, this.ttlMs)) === 1
          : (await this.redis.set(this.key, this.id, 'PX', this.ttlMs, 'NX')) === 'OK';
      } catch {
        now = false; // Redis unreachable: assume someone else may hold it.
      }
      if (now !== this.held) {
        this.held = now;
        onChange(now);
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), Math.floor(this.ttlMs / 3));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.held) await this.redis.eval(RELEASE, 1, this.key, this.id).catch(() => undefined);
    this.held = false;
  }
}
