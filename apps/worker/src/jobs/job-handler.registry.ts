import { Injectable, Logger, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { jobDuration, secondsSince } from '@tributary/metrics';
import { JOB_NAMES } from '@tributary/queue';
import type { JobName, JobOf } from '@tributary/queue';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { JOB_HANDLER } from './job-handler.decorator.js';
import { withLateRetry } from './late-retry.js';

/** `token` is the worker's lock token, needed to move a job back to delayed (rate limits). */
type Handler = (data: unknown, job: Job, token?: string) => Promise<unknown>;

/** A job name without a handler (or with two): a deployment error, caught before any job runs. */
export class JobHandlerRegistryError extends Error {
  override readonly name = 'JobHandlerRegistryError';
}

@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, Handler>();
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    /** Binds each job's id to what it logs (absent where logging is Nest's own, e.g. unit tests). */
    @Optional() private readonly pino?: PinoLogger,
  ) {}

  /** Finds every `@JobHandler` method; throws naming each job that has no handler or two. */
  discover(required: readonly JobName[] = JOB_NAMES): void {
    const duplicates: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, fn);
        if (!name) continue;
        if (this.handlers.has(name)) duplicates.push(name);
        this.handlers.set(name, (fn as Handler).bind(instance));
      }
    }
    const missing = required.filter((name) => !this.handlers.has(name));
    if (missing.length || duplicates.length) {
      throw new JobHandlerRegistryError(
        [
          missing.length ? `no handler for job(s): ${missing.join(', ')}` : '',
          duplicates.length ? `more than one handler for job(s): ${duplicates.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') + ' — refusing to start the worker',
      );
    }
  }

  async run(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    // Unreachable after discover(), unless a newer API version enqueued a job this worker predates.
    if (!handler) throw new JobHandlerRegistryError(`no handler for job "${job.name}"`);
    const work = async () => {
      const started = performance.now();
      let outcome = 'failed';
      try {
        const result = await withLateRetry(job, token, this.logger, () =>
          handler((job as unknown as JobOf).data, job, token),
        );
        outcome = 'completed';
        return result;
      } finally {
        const seconds = secondsSince(started);
        jobDuration.observe({ queue: job.queueName, job: job.name, outcome }, seconds);
        this.logger.debug(`${outcome} in ${Math.round(seconds * 1000)} ms (attempt ${job.attemptsMade + 1})`);
      }
    };
    // Everything logged while the job runs carries its queue, name and id.
    const bindings = { queue: job.queueName, job: job.name, jobId: job.id };
    return this.pino ? this.pino.runInContext(work, { bindings }) : work();
  }
}
