import type { JobsOptions } from 'bullmq';
import type { JobName, JobPayloads } from './jobs.js';

/**
 * Retry and dedupe policy of every job, decided in one place. Jobs are delivered at least once,
 * so handlers are idempotent; the job id additionally collapses duplicates that are still waiting
 * (e.g. ten stream events for one source become one sync).
 */
export function jobOptions<N extends JobName>(name: N, data: JobPayloads[N]): JobsOptions {
  const base: JobsOptions = {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  switch (name) {
    case 'sync-source':
      // A sync requested while one runs is kept (once), so posts arriving mid-sync are not missed.
      return {
        ...base,
        deduplication: { id: `sync:${(data as JobPayloads['sync-source']).sourceId}`, keepLastIfActive: true },
      };
    case 'backfill-source':
      return { ...base, deduplication: { id: `backfill:${(data as JobPayloads['backfill-source']).sourceId}` } };
    case 'rebuild-timeline': {
      const { pipelineId, version } = data as JobPayloads['rebuild-timeline'];
      return { ...base, jobId: `rebuild:${pipelineId}:${version}` };
    }
    case 'perform-action':
      return { ...base, attempts: 5, jobId: `action:${(data as JobPayloads['perform-action']).actionId}` };
    default:
      return base;
  }
}
