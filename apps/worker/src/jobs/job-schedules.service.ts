import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { JOB_SCHEDULES, JobQueue, jobOptions } from '@tributary/queue';
import type { ScheduledJobName } from '@tributary/queue';

/**
 * The repeating jobs' schedulers live in Redis only: a Redis restarted without persistence or a
 * failover to an empty replica loses them, and polling and housekeeping would stop for good. Every
 * worker process checks for them at start and every SCHEDULE_CHECK_MS and adds those missing; the
 * scheduler id makes every process's upsert the same one.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobSchedules.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure(true);
    this.timer = setInterval(() => void this.ensure(false), this.config.SCHEDULE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Polling is checked every POLL_INTERVAL_SECONDS when that is shorter than its minute. */
  private interval(name: ScheduledJobName, every: number): number {
    return name === 'poll-sources' ? Math.min(every, this.config.POLL_INTERVAL_SECONDS * 1000) : every;
  }

  /**
   * Adds each scheduler that is missing. At start a failure stops the worker (as any Redis failure
   * at start does); later it is logged and the next check tries again.
   */
  async ensure(atStart: boolean): Promise<void> {
    const added: ScheduledJobName[] = [];
    try {
      for (const [name, every] of Object.entries(JOB_SCHEDULES) as [ScheduledJobName, number][]) {
        const queue = this.jobs.queue(name);
        // At start every scheduler is written again, so a changed interval takes effect.
        if (!atStart && (await queue.getJobScheduler(name))) continue;
        await queue.upsertJobScheduler(
          name,
          { every: this.interval(name, every) },
          { name, data: {}, opts: jobOptions(name, {}) },
        );
        added.push(name);
      }
    } catch (error) {
      if (atStart) throw error;
      this.logger.warn(`checking the job schedules: ${(error as Error).message}`);
    }
    // A first start has none yet; later, a missing one means Redis lost its data.
    if (added.length > 0 && !atStart)
      this.logger.warn(`scheduled ${added.join(', ')} again: Redis had lost them`);
  }
}
