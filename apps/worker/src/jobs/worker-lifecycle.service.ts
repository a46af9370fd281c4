import { BullRegistrar } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { jobsFailed, jobsRetried } from '@tributary/metrics';
import { FairShare, backoffStrategy, jobOwner, redisConnection } from '@tributary/queue';
import type { JobOf } from '@tributary/queue';
import type { Job, Worker } from 'bullmq';
import { RebuildWatch } from '../pipelines/rebuild-watch.service.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { QUEUE_PROCESSORS } from './queue.processors.js';

/** What `@Processor(name, workerOptions)` stores (@nestjs/bullmq's WORKER_METADATA, not exported). */
const WORKER_METADATA = 'bullmq:worker_metadata';

/**
 * Starts consuming only after every job name has a handler, so a worker built from an incomplete
 * deployment fails at start-up instead of failing jobs one by one.
 */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly registrar: BullRegistrar,
    private readonly moduleRef: ModuleRef,
    private readonly fairShare: FairShare,
    private readonly rebuilds: RebuildWatch,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.discover();
    // Lock and stall timings are read when BullMQ builds a worker: set them before registering.
    for (const processor of QUEUE_PROCESSORS) {
      Reflect.defineMetadata(
        WORKER_METADATA,
        {
          // Workers wait for Redis to come back; the queues (producers) fail fast instead.
          connection: redisConnection(this.config.REDIS_URL),
          lockDuration: this.config.QUEUE_LOCK_DURATION_MS,
          stalledInterval: this.config.QUEUE_STALLED_INTERVAL_MS,
          // For custom backoff types: jobs the previous version queued, or a newer one sends (CAPPED_BACKOFF).
          settings: { backoffStrategy },
        },
        processor,
      );
    }
    this.registrar.register();
    for (const processor of QUEUE_PROCESSORS) {
      const host = this.moduleRef.get(processor, { strict: false });
      host.worker.concurrency = this.config.WORKER_CONCURRENCY;
      host.worker.on('completed', (job) => void this.finished(host.worker, job));
      host.worker.on('failed', (job, error) => {
        this.logger.warn(
          `job ${job?.name}#${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
        );
        if (job === undefined) return;
        const labels = { queue: host.worker.name, job: job.name };
        // finishedOn is set once the job failed for good (no retry left, unrecoverable, or stalled too often).
        if (job.finishedOn !== undefined) {
          jobsFailed.inc(labels);
          void this.finished(host.worker, job, error);
        } else jobsRetried.inc(labels);
      });
      host.worker.on('error', (error) => this.logger.error(`queue ${host.worker.name}: ${error.message}`));
    }
    this.logger.log(
      `consuming queues ${QUEUE_PROCESSORS.map((p) => this.moduleRef.get(p, { strict: false }).worker.name).join(', ')}`,
    );
  }

  /** A job is done for good: it leaves its owner's share, and a failed rebuild shows why. */
  private async finished(worker: Worker, job: Job, error?: Error): Promise<void> {
    try {
      const owner = jobOwner(job as unknown as JobOf);
      if (owner !== null && job.id !== undefined) await this.fairShare.release(worker, owner, job.id);
      if (error !== undefined && job.name === 'rebuild-timeline')
        await this.rebuilds.failed(job.data as JobOf<'rebuild-timeline'>['data'], error.message);
    } catch (failure) {
      // The rebuild watch (check-rebuilds) and the next enqueue settle what this could not.
      this.logger.warn(`after job ${job.name}#${job.id}: ${(failure as Error).message}`);
    }
  }
}
