import { Inject, Injectable } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { FreshnessModel } from './linked-account.model.js';
import type { EventStreamModel, JobStateModel, LinkedAccountModel } from './linked-account.model.js';

/** Where the worker keeps the Bluesky stream's status (BlueskyFanoutService). */
const BLUESKY_STREAM = 'bluesky';
/** A status not refreshed for this long: no worker consumes the stream (it refreshes every 2 s). */
const STALE_MS = 15_000;

@Injectable()
export class LinkedAccountsService {
  constructor(
    private readonly db: PrismaService,
    private readonly linking: AccountsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async get(userId: string, accountId: string): Promise<LinkedAccountModel> {
    const [account] = await this.list(userId, accountId);
    if (!account) throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    return account;
  }

  async list(userId: string, accountId?: string): Promise<LinkedAccountModel[]> {
    const rows = await this.db.client.linkedAccount.findMany({
      where: { userId, ...(accountId ? { id: accountId } : {}) },
      include: { sources: { orderBy: { createdAt: 'asc' } } },
      orderBy: { createdAt: 'asc' },
    });
    const stream = rows.some((r) => r.network === Network.Bluesky) ? await this.blueskyStream() : null;
    return rows.map(({ credentials: _secret, sources, streamingUnavailableSince, ...account }) => ({
      ...account,
      freshness: streamingUnavailableSince ? FreshnessModel.POLLING : FreshnessModel.STREAMING,
      pollIntervalSeconds: streamingUnavailableSince ? this.config.POLL_INTERVAL_SECONDS : null,
      stream: account.network === Network.Bluesky ? stream : null,
      sources: sources.map((s) => ({
        ...s,
        backfill: { state: s.backfillState as JobStateModel, done: s.backfillDone, target: s.backfillTarget },
      })),
    }));
  }

  private async blueskyStream(): Promise<EventStreamModel | null> {
    const row = await this.db.client.streamStatus.findUnique({ where: { key: BLUESKY_STREAM } });
    if (!row) return null;
    return {
      kind: row.kind,
      live: row.connected && Date.now() - row.heartbeatAt.getTime() < STALE_MS,
      host: row.url,
      lagSeconds: row.lagMs === null ? null : row.lagMs / 1000,
      lastEventAt: row.lastEventAt,
      lastError: row.lastError,
      lastErrorAt: row.lastErrorAt,
    };
  }

  /**
   * Unlinks one of the caller's accounts: its credentials and sources go, and the credentials are
   * revoked at the network where Tributary can (AccountsService.revokeCredentials); posts stay for
   * others.
   */
  async unlink(userId: string, accountId: string): Promise<boolean> {
    if (!isUuid(accountId)) throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    const account = await this.db.client.linkedAccount.findFirst({
      where: { id: accountId, userId },
      select: { userId: true, networkAccountId: true, serviceUrl: true, credentials: true },
    });
    const deleted = await this.db.client.linkedAccount.deleteMany({ where: { id: accountId, userId } });
    if (!account || deleted.count === 0) {
      throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    }
    await this.linking.revokeCredentials(account);
    return true;
  }
}
