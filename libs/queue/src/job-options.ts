import type { JobsOptions } from 'bullmq';
import type { JobName, JobPayloads } from './jobs.js';

/**
 * Retry and dedupe policy of every job, decided in one place. Jobs are delivered at least once,
 * so handlers are idempotent; deduplication ids additionally collapse requests that pile up (ten
 * stream events for one source become one sync).
 */
export function jobOptions<N extends JobName>(name: N, data: JobPayloads[N]): JobsOptions {
  const base: JobsOptions = {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
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
      // An edit saved twice rebuilds once; a newer version gets its own job (the older one then skips).
      return { ...base, deduplication: { id: `rebuild:${pipelineId}:${version}` } };
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
    case 'perform-action': {
      const { actionId } = data as JobPayloads['perform-action'];
      // One job per action: a double submit of the same action id is one job. Writes are
      // user-visible, so a few quick retries (about a minute in all) before the action is FAILED.
      return {
        ...base,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2_000 },
        deduplication: { id: `action:${actionId}` },
      };
    }
    case 'poll-sources':
    case 'housekeeping':
      return { ...base, attempts: 3 };
    default:
      return base;
  }
}
