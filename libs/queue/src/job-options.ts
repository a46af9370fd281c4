import type { BackoffStrategy, JobsOptions } from 'bullmq';
import type { JobName, JobPayloads } from './jobs.js';

/** The backoff type of every job: doubling from its `delay`, at most RETRY_DELAY_CAP_MS. */
export const CAPPED_BACKOFF = 'capped-exponential';
/** First retry delay of every job. */
const RETRY_DELAY_MS = 2_000;
/** The longest wait between two attempts: once the cause is gone, a job runs again within it. */
const RETRY_DELAY_CAP_MS = 5 * 60_000;

/** Wait before the retry that follows attempt `attemptsMade` (1 after the first failure). */
export function retryDelay(attemptsMade: number, delay = RETRY_DELAY_MS): number {
  return Math.min(delay * 2 ** (attemptsMade - 1), RETRY_DELAY_CAP_MS);
}

/**
 * BullMQ resolves a backoff type it does not know through the worker's `settings.backoffStrategy`:
 * every worker consuming these jobs must be given this one (else a failed job is not retried).
 */
export const backoffStrategy: BackoffStrategy = (attemptsMade, _type, _error, job) => {
  const backoff = job?.opts.backoff;
  return retryDelay(attemptsMade, typeof backoff === 'object' ? backoff.delay : undefined);
};

/** How many attempts make the retries span at least `ms` (an outage that long loses nothing). */
function attemptsSpanning(ms: number): number {
  let attempts = 1;
  for (let waited = 0; waited < ms; attempts++) waited += retryDelay(attempts);
  return attempts;
}

/**
 * Pipeline jobs run the posts already stored through the users' pipelines: one that gives up leaves
 * those posts out of the timelines, silently, until a rebuild. Their only failures are PostgreSQL or
 * Redis being away, so they retry through a long outage (a database upgrade, a failover).
 */
const PIPELINE_ATTEMPTS = attemptsSpanning(2 * 3600_000);

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
    attempts: 8,
    backoff: { type: CAPPED_BACKOFF, delay: RETRY_DELAY_MS },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  switch (name) {
    case 'sync-source': {
      const { sourceId } = data as JobPayloads['sync-source'];
      // A sync requested while one runs is kept (once), so posts arriving mid-sync are not missed.
      return { ...base, deduplication: { id: `sync:${sourceId}`, keepLastIfActive: true } };
    }
    case 'backfill-source': {
      const { sourceId } = data as JobPayloads['backfill-source'];
      return { ...base, deduplication: { id: `backfill:${sourceId}` } };
    }
    case 'rebuild-timeline': {
      const { pipelineId, version } = data as JobPayloads['rebuild-timeline'];
      // One job per version: a second request for it is the same job, and the rebuild watch finds
      // it by this id. A newer version gets its own job (the older one then skips).
      return { ...base, attempts: PIPELINE_ATTEMPTS, jobId: rebuildJobId(pipelineId, version) };
    }
    case 'run-pipelines':
      return { ...base, attempts: PIPELINE_ATTEMPTS };
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
