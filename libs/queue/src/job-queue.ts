import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { readQueueDepths } from '@tributary/metrics';
import type { JobsOptions, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { FairShare } from './fair-share.js';
import { JOB_QUEUE, QueueName, jobOwner } from './jobs.js';
import type { JobName, JobOf, JobPayloads } from './jobs.js';
import { jobOptions } from './job-options.js';
import { QueueUnavailableError, isRedisUnavailable } from './queue-unavailable.error.js';

/**
 * The one way to enqueue: typed payloads, the right queue, the job's options and its fair share.
 * With Redis away it fails at once with `QueueUnavailableError` (producerConnection).
 */
@Injectable()
export class JobQueue implements OnModuleDestroy {
  private readonly queues: Record<QueueName, Queue>;
  private readonly stopReadingDepths: () => void;

  constructor(
    private readonly fairShare: FairShare,
    @InjectQueue(QueueName.Ingest) ingest: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Pipeline) pipeline: Queue,
    @InjectQueue(QueueName.Rebuild) rebuild: Queue,
    @InjectQueue(QueueName.Actions) actions: Queue,
  ) {
    this.queues = {
      [QueueName.Ingest]: ingest,
      [QueueName.Maintenance]: maintenance,
      [QueueName.Pipeline]: pipeline,
      [QueueName.Rebuild]: rebuild,
      [QueueName.Actions]: actions,
    };
    this.stopReadingDepths = readQueueDepths(() => this.depths());
  }

  onModuleDestroy(): void {
    this.stopReadingDepths();
  }

  /** Jobs per state in every queue (for the metrics). */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const states = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
    const entries = await Promise.all(
      Object.entries(this.queues).map(
        async ([name, queue]) => [name, await queue.getJobCounts(...states)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], delayMs = 0): Promise<void> {
    await unavailableAsError(async () => {
      const opts = await this.options(name, data);
      await this.queue(name).add(name, data, { ...opts, ...(delayMs ? { delay: delayMs } : {}) });
    });
  }

  async enqueueMany<N extends JobName>(name: N, items: JobPayloads[N][]): Promise<void> {
    if (items.length === 0) return;
    await unavailableAsError(async () => {
      const opts = await Promise.all(items.map((data) => this.options(name, data)));
      await this.queue(name).addBulk(items.map((data, i) => ({ name, data, opts: opts[i] })));
    });
  }

  /** Resolves when Redis answers (readiness checks); fails at once when it is away. */
  async ping(): Promise<void> {
    await unavailableAsError(async () => {
      const queue = this.queues[QueueName.Maintenance];
      // The queue's job-id counter (a string, or none yet): a read Redis answers itself.
      await (await queue.getBackend().client).get(queue.toKey('id'));
    });
  }

  queue(name: JobName): Queue {
    return this.queues[JOB_QUEUE[name]];
  }

  /** jobOptions, and for a member's job its id and its priority among the members' jobs. */
  private async options<N extends JobName>(name: N, data: JobPayloads[N]): Promise<JobsOptions> {
    const opts = jobOptions(name, data);
    const owner = jobOwner({ name, data } as JobOf);
    if (owner === null) return opts;
    const jobId = opts.jobId ?? randomUUID();
    return { ...opts, jobId, priority: await this.fairShare.take(this.queue(name), owner, jobId) };
  }
}

async function unavailableAsError(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw isRedisUnavailable(error) ? new QueueUnavailableError({ cause: error }) : error;
  }
}
