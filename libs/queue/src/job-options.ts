import type { BackoffStrategy, JobsOptions } from 'bullmq';
import type { JobName, JobPayloads } from './jobs.js';

/** First retry delay of every job; each next one waits twice as long. */
const RETRY_DELAY_MS = 2_000;
/** The longest wait between two attempts: once the cause is gone, a job runs again within it. */
const RETRY_DELAY_CAP_MS = 5 * 60_000;
/** Attempts of most jobs: retries 2 s … 256 s apart (~4 minutes), all under the cap. */
const ATTEMPTS = 8;

/**
 * The backoff type jobs of the previous version carry. Jobs now use BullMQ's built-in
 * `exponential`, which every worker of every version knows: a worker that predates a custom type
 * cannot compute a retry for it (BullMQ then leaves the job to stall). Workers keep registering
 * `backoffStrategy`, for jobs still queued with this type and for any custom type a newer version
 * may send them during a rollout.
 */
export const CAPPED_BACKOFF = 'capped-exponential';

/** Wait before the retry that follows attempt `attemptsMade` (1 after the first failure). */
export function retryDelay(attemptsMade: number, delay = RETRY_DELAY_MS): number {
  return Math.min(delay * 2 ** (attemptsMade - 1), RETRY_DELAY_CAP_MS);
}

/**
 * BullMQ asks the worker's `settings.backoffStrategy` for any backoff type it does not know itself:
 * doubling from the job's `delay`, capped, whatever the type is called.
 */
export const backoffStrategy: BackoffStrategy = (attemptsMade, _type, _error, job) => {
  const backoff = job?.opts.backoff;
  return retryDelay(attemptsMade, typeof backoff === 'object' ? backoff.delay : undefined);
};

/**
 * Pipeline jobs run the posts already stored through the users' pipelines: one that gives up leaves
 * those posts out of the timelines, silently, until a rebuild. Their only failures are PostgreSQL or
 * Redis being away, so they keep being retried through a long outage (a database upgrade, a
 * failover): after their attempts, every RETRY_DELAY_CAP_MS until this long after they were added.
 */
const LONG_RETRY_MS: Partial<Record<JobName, number>> = {
  'run-pipelines': 2 * 3600_000,
  'rebuild-timeline': 2 * 3600_000,
};

/**
 * When a job that failed its last attempt should run again, or null when it has failed for good.
 * The worker applies it (BullMQ's built-in backoff has no cap, and would wait hours after the
 * 12th attempt); an older worker just ends the job after its attempts, as it used to.
 */
export function lateRetryDelay(name: string, addedAt: number, now = Date.now()): number | null {
  const span = LONG_RETRY_MS[name as JobName];
  if (span === undefined || now - addedAt >= span) return null;
  return Math.min(RETRY_DELAY_CAP_MS, addedAt + span - now);
}

/** The id of the job rebuilding this version of a pipeline (BullMQ ids may not contain ':'). */
export function rebuildJobId(pipelineId: string, version: number): string {
  return `rebuild-${pipelineId}-v${version}`;
}

/**
 * Retry and dedupe policy of every job, decided in one place. Jobs are delivered at least once,
 * so handlers are idempotent; deduplication ids additionally collapse requests that pile up (ten
 * stream events for one source become one sync).
 */
export function jobOptions<N extends JobName>(name: N, data: JobPayloads[N]): JobsOptions {
  const base: JobsOptions = {
    attempts: ATTEMPTS,
    // Built in: any worker, also one of an older version, retries it (see CAPPED_BACKOFF).
    backoff: { type: 'exponential', delay: RETRY_DELAY_MS },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  switch (name) {
    case 'sync-source': {
      const { sourceId } = data as JobPayloads['sync-source'];
      // A sync requested while one runs is kept (once), so posts arriving mid-sync are not missed.
      return { ...base, deduplication: { id: `sync:${sourceId}`, keepLastIfActive: true } };
    }
    case 'recheck-source': {
      const { sourceId } = data as JobPayloads['recheck-source'];
      // Reopened streams asking again while one waits are the same re-check.
      return { ...base, deduplication: { id: `recheck:${sourceId}` } };
    }
    case 'backfill-source': {
      const { sourceId } = data as JobPayloads['backfill-source'];
      return { ...base, deduplication: { id: `backfill:${sourceId}` } };
    }
    case 'rebuild-timeline': {
      const { pipelineId, version } = data as JobPayloads['rebuild-timeline'];
      // One job per version: a second request for it is the same job, and the rebuild watch finds
      // it by this id. A newer version gets its own job (the older one then skips).
      // Retried for 2 hours (lateRetryDelay).
      return { ...base, jobId: rebuildJobId(pipelineId, version) };
    }
    case 'save-read-marker': {
      const { pipelineId } = data as JobPayloads['save-read-marker'];
      // The handler reads the position current when it runs: marks piling up collapse into one
      // job, and one marked while a job runs is kept (once) so the latest position is saved.
      return {
        ...base,
        attempts: 5,
        deduplication: { id: `read-marker:${pipelineId}`, keepLastIfActive: true },
      };
    }
    case 'sync-notifications': {
      const { accountId } = data as JobPayloads['sync-notifications'];
      // Like a source's sync: one queued (and one more while it runs) per account.
      return { ...base, deduplication: { id: `notifications:${accountId}`, keepLastIfActive: true } };
    }
    case 'save-notifications-marker': {
      const { userId } = data as JobPayloads['save-notifications-marker'];
      // It reads the marker current when it runs: marks piling up are one job.
      return {
        ...base,
        attempts: 5,
        deduplication: { id: `notifications-marker:${userId}`, keepLastIfActive: true },
      };
    }
    case 'perform-action': {
      const { actionId } = data as JobPayloads['perform-action'];
      // One job per action: a double submit of the same action id is one job. Writes are
      // user-visible, so a few quick retries (about a minute in all) before the action is FAILED.
      return {
        ...base,
        attempts: 5,
        deduplication: { id: `action:${actionId}` },
      };
    }
    case 'refresh-filter-list': {
      const { listId } = data as JobPayloads['refresh-filter-list'];
      // One refresh of a list at a time; a failed fetch is recorded on the list and tried again at
      // its next check, not retried here.
      return { ...base, attempts: 2, deduplication: { id: `filter-list:${listId}` } };
    }
    case 'poll-sources':
    case 'housekeeping':
    case 'check-rebuilds':
    case 'check-filter-lists':
      return { ...base, attempts: 3 };
    default:
      return base;
  }
}
