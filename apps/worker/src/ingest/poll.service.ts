import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService } from '@tributary/db';
import { JobQueue, QueueName, jobOptions } from '@tributary/queue';
import type { Queue } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * The fallback that keeps sources fresh when no stream event arrives: queue a sync for each source
 * whose `nextPollAt` has passed (dedupe ids collapse those already queued), checked every
 * POLL_INTERVAL_SECONDS (at least every minute), so a shorter interval is honoured too.
 */
@Injectable()
export class PollService implements OnApplicationBootstrap {
  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      'poll-sources',
      { every: Math.min(60, this.config.POLL_INTERVAL_SECONDS) * 1000 },
      { name: 'poll-sources', data: {}, opts: jobOptions('poll-sources', {}) },
    );
  }

  @JobHandler('poll-sources')
  async pollDue(): Promise<{ queued: number }> {
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
    return { queued: due.length };
  }
}
