import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppErrorCode, AppException } from '../common/app.exception.js';

const HOUR_S = 3600;

/**
 * The per-address key of a client: an IPv4 address, or an IPv6 address's /64 (one subscriber's
 * network: counting each of its 2^64 addresses apart would be no limit).
 */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, ''); // a link-local address's zone
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 address (`64:ff9b::1.2.3.4`) fills two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(left) - width(right)).fill('0');
  const groups = [...left, ...zeros, ...right].slice(0, 4);
  return `${groups.map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/**
 * Hourly limits on sign-up and login attempts, on Redis so that every API process counts together:
 * each attempt costs a password hash (scrypt, ~50 ms of CPU), and a login is a password guess.
 * Per client address (AUTH_ATTEMPTS_PER_IP_PER_HOUR, sign-ups and logins together) and per username
 * (LOGIN_ATTEMPTS_PER_USERNAME_PER_HOUR, cleared by a successful login; a member's password
 * confirmation counts there too). While Redis is away each process counts alone, in memory.
 */
@Injectable()
export class LoginLimits implements OnApplicationShutdown {
  private readonly logger = new Logger(LoginLimits.name);
  private readonly redis: Redis;
  private readonly perAddress: RateLimiterRedis;
  private readonly perUsername: RateLimiterRedis;

  constructor(@Inject(CONFIG) config: Config) {
    // Without an offline queue a command fails at once while Redis is away, and the limiter falls
    // back to its in-memory insurance instead of making logins wait.
    this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (error: Error) => this.logger.warn(`login limits: ${error.message}`));
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.QUEUE_PREFIX}:login-limits:${name}`,
        points,
        duration: HOUR_S,
        // A key past its limit is refused from memory until its hour ends: a flood costs no Redis calls.
        inMemoryBlockOnConsumed: points + 1,
        insuranceLimiter: new RateLimiterMemory({ points, duration: HOUR_S }),
      });
    this.perAddress = limiter('address', config.AUTH_ATTEMPTS_PER_IP_PER_HOUR);
    this.perUsername = limiter('username', config.LOGIN_ATTEMPTS_PER_USERNAME_PER_HOUR);
  }

  /**
   * Counts one attempt from `ip` (for `username`, on a login), before its password is hashed;
   * RATE_LIMITED with `retryAt` past a limit. `ip` null: a logged-in member confirming their
   * password (deleteMyAccount), counted against their username only.
   */
  async attempt(ip: string | null, username: string | null): Promise<void> {
    try {
      if (ip !== null) await this.perAddress.consume(addressKey(ip));
      if (username !== null) await this.perUsername.consume(username);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAt = new Date(Date.now() + error.msBeforeNext).toISOString();
      throw new AppException(
        AppErrorCode.RateLimited,
        `too many sign-up or login attempts; try again after ${retryAt}`,
        { retryAt },
      );
    }
  }

  /** A successful login: the username's failed attempts are forgotten. */
  async succeeded(username: string): Promise<void> {
    await this.perUsername.delete(username);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
