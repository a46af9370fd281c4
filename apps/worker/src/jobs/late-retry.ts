import type { Logger } from '@nestjs/common';
import { jobsRetried } from '@tributary/metrics';
import { lateRetryDelay } from '@tributary/queue';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';

/** Errors BullMQ uses for control flow, or to end a job at once: never retried here. */
const NOT_FAILURES = new Set([
  'DelayedError',
  'WaitingError',
  'WaitingChildrenError',
  'RateLimitError',
  'UnrecoverableError',
]);

/**
 * Runs a job; when it fails its last attempt and its kind keeps retrying through long outages
 * (lateRetryDelay: pipeline jobs), puts it back as delayed instead of failing it. Done here rather
 * than in a custom backoff type, which a worker of an older version could not compute.
 */
export async function withLateRetry<T>(
  job: Job,
  token: string | undefined,
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!lastAttempt || token === undefined || (error instanceof Error && NOT_FAILURES.has(error.name)))
      throw error;
    const delay = lateRetryDelay(job.name, job.timestamp);
    if (delay === null) throw error;
    await job.moveToDelayed(Date.now() + delay, token);
    jobsRetried.inc({ queue: job.queueName, job: job.name });
    logger.warn(
      `job ${job.name}#${job.id} failed again (${(error as Error).message}); next try in ${Math.round(delay / 1000)} s`,
    );
    throw new DelayedError();
  }
}
