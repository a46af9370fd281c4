import { describe, expect, it } from '@jest/globals';
import { Backoffs } from 'bullmq';
import type { BackoffOptions } from 'bullmq';
import { CAPPED_BACKOFF, backoffStrategy, jobOptions, lateRetryDelay, retryDelay } from './job-options.js';
import { JOB_NAMES } from './jobs.js';
import type { JobName, JobPayloads } from './jobs.js';

const SAMPLE: { [N in JobName]: JobPayloads[N] } = {
  'sync-source': { sourceId: 's' },
  'recheck-source': { sourceId: 's' },
  'backfill-source': { sourceId: 's' },
  'fanout-posts': {
    items: [{ uri: 'at://did:plc:a/app.bsky.feed.post/1', sourceIds: ['s'], reason: null }],
    attempt: 0,
  },
  'enrich-posts': { uris: ['at://did:plc:a/app.bsky.feed.post/1'], attempt: 0 },
  'fanout-follow': { member: 'did:plc:m', actor: 'did:plc:a', sourceIds: ['s'] },
  'poll-sources': {},
  housekeeping: {},
  'run-pipelines': { userId: 'u', postIds: ['1'] },
  'rebuild-timeline': { pipelineId: 'p', version: 2, userId: 'u' },
  'check-rebuilds': {},
  'refresh-filter-list': { listId: 'l' },
  'check-filter-lists': {},
  'save-read-marker': { pipelineId: 'p' },
  'perform-action': { actionId: 'a' },
  'sync-notifications': { accountId: 'a' },
  'save-notifications-marker': { userId: 'u' },
};

/** How long a job keeps being retried after its first failure with BullMQ's own backoff, in ms. */
function retrySpan(name: JobName): number {
  const opts = jobOptions(name, SAMPLE[name]);
  const backoff = opts.backoff as BackoffOptions;
  let span = 0;
  for (let attemptsMade = 1; attemptsMade < opts.attempts!; attemptsMade++)
    span += Backoffs.calculate(backoff, attemptsMade, new Error('x'), {} as never, undefined) as number;
  return span;
}

describe('job retries', () => {
  it('wait twice as long after each failure, from 2 s, and never more than 5 minutes', () => {
    expect([1, 2, 3, 8, 9, 20].map((attemptsMade) => retryDelay(attemptsMade))).toEqual([
      2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('use a backoff type every BullMQ worker knows, without a strategy registered', () => {
    for (const name of JOB_NAMES) {
      const backoff = jobOptions(name, SAMPLE[name]).backoff as BackoffOptions;
      // What a worker of a version without `settings.backoffStrategy` computes: no "Unknown backoff strategy".
      expect(Backoffs.calculate(backoff, 1, new Error('x'), {} as never, undefined)).toBe(2_000);
    }
  });

  it('compute the same delays as the capped strategy the previous version registered, within their attempts', () => {
    for (const name of JOB_NAMES) {
      const opts = jobOptions(name, SAMPLE[name]);
      for (let attemptsMade = 1; attemptsMade < opts.attempts!; attemptsMade++) {
        const builtIn = Backoffs.calculate(
          opts.backoff as BackoffOptions,
          attemptsMade,
          new Error('x'),
          {} as never,
        );
        const capped = backoffStrategy(attemptsMade, CAPPED_BACKOFF, undefined, {
          opts: { backoff: { type: CAPPED_BACKOFF, delay: 2_000 } },
        } as never);
        expect(builtIn).toBe(capped);
      }
    }
  });

  it('give up on a sync after ~4 minutes and on a user’s action within about a minute', () => {
    // A sync is asked for again by the next poll, and an account is marked ERROR after its last attempt.
    expect(retrySpan('sync-source')).toBe(254_000);
    expect(retrySpan('perform-action')).toBe(30_000);
  });

  it('keep pipeline jobs going every 5 minutes after their attempts, until 2 hours after they were added', () => {
    const addedAt = 1_000_000;
    for (const name of ['run-pipelines', 'rebuild-timeline'] as const) {
      expect(lateRetryDelay(name, addedAt, addedAt + 254_000)).toBe(300_000);
      expect(lateRetryDelay(name, addedAt, addedAt + 2 * 3600_000 - 60_000)).toBe(60_000);
      expect(lateRetryDelay(name, addedAt, addedAt + 2 * 3600_000)).toBeNull();
    }
    expect(lateRetryDelay('sync-source', addedAt, addedAt + 254_000)).toBeNull();
  });
});
