import { describe, expect, it } from '@jest/globals';
import type { BackoffOptions } from 'bullmq';
import { CAPPED_BACKOFF, backoffStrategy, jobOptions, retryDelay } from './job-options.js';
import { JOB_NAMES } from './jobs.js';
import type { JobName, JobPayloads } from './jobs.js';

const SAMPLE: { [N in JobName]: JobPayloads[N] } = {
  'sync-source': { sourceId: 's' },
  'backfill-source': { sourceId: 's' },
  'fanout-posts': {
    items: [{ uri: 'at://did:plc:a/app.bsky.feed.post/1', sourceIds: ['s'], reason: null }],
    attempt: 0,
  },
  'poll-sources': {},
  housekeeping: {},
  'run-pipelines': { userId: 'u', postIds: ['1'] },
  'rebuild-timeline': { pipelineId: 'p', version: 2, userId: 'u' },
  'check-rebuilds': {},
  'refresh-filter-list': { listId: 'l' },
  'check-filter-lists': {},
  'save-read-marker': { pipelineId: 'p' },
  'perform-action': { actionId: 'a' },
};

/** How long a job keeps being retried after its first failure, in ms. */
function retrySpan(name: JobName): number {
  const opts = jobOptions(name, SAMPLE[name]);
  const delay = (opts.backoff as BackoffOptions).delay;
  let span = 0;
  for (let attemptsMade = 1; attemptsMade < opts.attempts!; attemptsMade++) {
    span += backoffStrategy(attemptsMade, CAPPED_BACKOFF, undefined, {
      opts: { backoff: { type: CAPPED_BACKOFF, delay } },
    } as never) as number;
  }
  return span;
}

describe('job retries', () => {
  it('wait twice as long after each failure, from 2 s, and never more than 5 minutes', () => {
    expect([1, 2, 3, 8, 9, 20].map((attemptsMade) => retryDelay(attemptsMade))).toEqual([
      2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('use the backoff the worker registers, for every job', () => {
    for (const name of JOB_NAMES)
      expect(jobOptions(name, SAMPLE[name]).backoff).toMatchObject({ type: CAPPED_BACKOFF });
  });

  it('carry pipeline jobs through a two-hour outage, and give up on a user’s action within about a minute', () => {
    expect(retrySpan('run-pipelines')).toBeGreaterThanOrEqual(2 * 3600_000);
    expect(retrySpan('rebuild-timeline')).toBeGreaterThanOrEqual(2 * 3600_000);
    // The other jobs keep their ~4 minutes: a sync is asked for again by the next poll, and an
    // account is marked ERROR after its sync's last attempt.
    expect(retrySpan('sync-source')).toBe(254_000);
    expect(retrySpan('perform-action')).toBe(30_000);
  });
});
