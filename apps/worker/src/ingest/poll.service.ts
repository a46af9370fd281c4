import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * The fallback that keeps sources (and each account's notifications) fresh when no stream event arrives: queue a sync for each source
 * whose `nextPollAt` has passed (dedupe ids collapse those already queued), checked every
 * POLL_INTERVAL_SECONDS, at least every minute (JobSchedules), so a shorter interval is honoured too.
 */
@Injectable()
export class PollService {
  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
  ) {}

  @JobHandler('poll-sources')
  async pollDue(): Promise<{ queued: number; notifications: number }> {
    const due = await this.db.client.source.findMany({
      where: {
        OR: [{ nextPollAt: null }, { nextPollAt: { lte: new Date() } }],
        linkedAccount: { status: { not: 'NEEDS_REAUTH' } },
      },
      select: { id: true },
      take: 5000,
    });
    await this.jobs.enqueueMany(
      'sync-source',
      due.map(({ id }) => ({ sourceId: id })),
    );
    // Each account's notifications too (Bluesky's only way to them; Mastodon's stream announces them).
    const accounts = await this.db.client.linkedAccount.findMany({
      where: {
        OR: [{ notificationsNextPollAt: null }, { notificationsNextPollAt: { lte: new Date() } }],
        status: { not: 'NEEDS_REAUTH' },
      },
      select: { id: true },
      take: 5000,
    });
    await this.jobs.enqueueMany(
      'sync-notifications',
      accounts.map(({ id }) => ({ accountId: id })),
    );
    return { queued: due.length, notifications: accounts.length };
  }
}
