import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { UserRole } from '../auth/auth.models.js';
import { AuthService } from '../auth/auth.service.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { MemberDeletion } from './member-deletion.service.js';
import { MemberStatus } from './members.models.js';
import type { InstanceStatsModel, MemberModel, SourceHealthModel } from './members.models.js';

/** A source not synced for this many poll intervals is stale. */
const STALE_AFTER_POLLS = 3;

/** What administrators see and do about members. */
@Injectable()
export class MembersService {
  constructor(
    private readonly db: PrismaService,
    private readonly auth: AuthService,
    private readonly deletion: MemberDeletion,
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async list(): Promise<MemberModel[]> {
    const users = await this.db.client.user.findMany({
      orderBy: { createdAt: 'asc' },
      include: { _count: { select: { accounts: true, pipelines: true } } },
    });
    const lastUsed = await this.db.client.apiToken.groupBy({ by: ['userId'], _max: { lastUsedAt: true } });
    const active = new Map(lastUsed.map((row) => [row.userId, row._max.lastUsedAt]));
    return users.map((u) => ({
      id: u.id,
      username: u.username,
      role: u.role as UserRole,
      status: u.suspendedAt ? MemberStatus.SUSPENDED : MemberStatus.ACTIVE,
      suspendedAt: u.suspendedAt,
      createdAt: u.createdAt,
      lastActiveAt: active.get(u.id) ?? null,
      linkedAccounts: u._count.accounts,
      pipelines: u._count.pipelines,
    }));
  }

  /** Suspends (their tokens revoked, logging in refused) or reinstates a member; not oneself. */
  async suspend(adminId: string, memberId: string, suspended: boolean): Promise<MemberModel> {
    await this.member(adminId, memberId);
    await this.db.client.user.update({
      where: { id: memberId },
      data: { suspendedAt: suspended ? new Date() : null },
    });
    if (suspended) await this.auth.revokeAllTokens(memberId);
    return (await this.list()).find((m) => m.id === memberId)!;
  }

  async delete(adminId: string, memberId: string): Promise<boolean> {
    await this.member(adminId, memberId);
    return this.deletion.delete(memberId);
  }

  async stats(): Promise<InstanceStatsModel> {
    const db = this.db.client;
    const [members, suspendedMembers, accounts, posts, pipelines, entries, depths] = await Promise.all([
      db.user.count(),
      db.user.count({ where: { suspendedAt: { not: null } } }),
      db.linkedAccount.groupBy({ by: ['network'], _count: { _all: true } }),
      db.post.groupBy({ by: ['network'], _count: { _all: true } }),
      db.pipeline.count(),
      // An estimate: counting every entry would scan the largest table.
      this.db.sql.query<{ n: string }>(
        `SELECT greatest(reltuples, 0)::bigint::text AS n FROM pg_class WHERE relname = 'TimelineEntry'`,
      ),
      this.jobs.depths(),
    ]);
    return {
      members,
      suspendedMembers,
      linkedAccounts: accounts.map((a) => ({ network: a.network, count: a._count._all })),
      posts: posts.map((p) => ({ network: p.network, count: p._count._all })),
      pipelines,
      timelineEntries: Number(entries[0]?.n ?? 0),
      queues: Object.entries(depths).map(([queue, counts]) => ({
        queue,
        waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
        active: counts['active'] ?? 0,
        delayed: counts['delayed'] ?? 0,
        failed: counts['failed'] ?? 0,
      })),
    };
  }

  /** Every source of the member's accounts, with whether it is kept fresh and, when not, why. */
  async syncHealth(memberId: string): Promise<SourceHealthModel[]> {
    if (!isUuid(memberId)) throw new AppException(AppErrorCode.NotFound, 'member not found');
    return (await this.syncHealthOf([memberId])).get(memberId) ?? [];
  }

  /** {@link syncHealth} of several members in one query (the members screen lists them all). */
  async syncHealthOf(memberIds: readonly string[]): Promise<Map<string, SourceHealthModel[]>> {
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { userId: { in: [...memberIds] } },
      include: { sources: { orderBy: { createdAt: 'asc' } } },
      orderBy: { createdAt: 'asc' },
    });
    const staleBefore = Date.now() - STALE_AFTER_POLLS * this.config.POLL_INTERVAL_SECONDS * 1000;
    const byMember = new Map<string, SourceHealthModel[]>(memberIds.map((id) => [id, []]));
    for (const account of accounts)
      for (const source of account.sources) {
        const reason =
          account.status !== 'ACTIVE'
            ? `account ${account.status}${account.statusReason ? `: ${account.statusReason}` : ''}`
            : source.lastSyncedAt === null
              ? (source.lastError ?? 'never synced')
              : source.lastSyncedAt.getTime() < staleBefore
                ? `not synced since ${source.lastSyncedAt.toISOString()}${source.lastError ? `: ${source.lastError}` : ''}`
                : source.lastError;
        byMember.get(account.userId)?.push({
          sourceId: source.id,
          accountId: account.id,
          network: account.network,
          handle: account.handle,
          accountStatus: account.status,
          kind: source.kind,
          externalId: source.externalId,
          lastSyncedAt: source.lastSyncedAt,
          nextPollAt: source.nextPollAt,
          backfillState: source.backfillState,
          stale:
            account.status !== 'ACTIVE' ||
            source.lastSyncedAt === null ||
            source.lastSyncedAt.getTime() < staleBefore,
          reason,
        });
      }
    return byMember;
  }

  private async member(adminId: string, memberId: string): Promise<void> {
    if (!isUuid(memberId) || !(await this.db.client.user.findUnique({ where: { id: memberId } })))
      throw new AppException(AppErrorCode.NotFound, 'member not found');
    if (memberId === adminId)
      throw new AppException(
        AppErrorCode.BadUserInput,
        'member: administrators cannot do this to themselves',
        {
          field: 'member',
        },
      );
  }
}
