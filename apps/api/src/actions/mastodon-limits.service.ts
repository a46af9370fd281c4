import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { MastodonClient, fetchPostLimits } from '@tributary/connector-mastodon';
import type { MastodonPostLimits } from '@tributary/connector-mastodon';
import { AppErrorCode, AppException } from '../common/app.exception.js';

/** Instances change their limits rarely; an hour keeps posting from asking every time. */
const TTL_MS = 60 * 60_000;

/** Each Mastodon instance's status limits (`/api/v2/instance`), cached per instance. */
@Injectable()
export class MastodonLimits {
  private readonly logger = new Logger(MastodonLimits.name);
  private readonly cache = new Map<string, { limits: MastodonPostLimits; expiresAt: number }>();

  constructor(private readonly accounts: AccountsService) {}

  async of(instanceOrigin: string): Promise<MastodonPostLimits> {
    const cached = this.cache.get(instanceOrigin);
    if (cached && cached.expiresAt > Date.now()) return cached.limits;
    try {
      const client = new MastodonClient({
        ...this.accounts.mastodonPolicy,
        instanceOrigin,
        retries: 1,
        timeoutMs: 10_000,
      });
      const limits = await fetchPostLimits(client);
      this.cache.set(instanceOrigin, { limits, expiresAt: Date.now() + TTL_MS });
      return limits;
    } catch (error) {
      // Stale limits are better than refusing to post while the instance hiccups.
      if (cached) return cached.limits;
      this.logger.warn(`limits of ${instanceOrigin} unavailable: ${(error as Error).message}`);
      throw new AppException(
        AppErrorCode.UpstreamUnavailable,
        `could not read the post limits of ${instanceOrigin}; try again`,
      );
    }
  }
}
