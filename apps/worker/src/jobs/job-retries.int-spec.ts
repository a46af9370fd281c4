// Retries across versions, on the real Redis: during a rollout, workers of the previous version
// and of this one consume the same queues, and each must retry what the other queued.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { JOB_NAMES, backoffStrategy, jobOptions } from '@tributary/queue';
import type { JobName, JobPayloads } from '@tributary/queue';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import { withLateRetry } from './late-retry.js';

const connection = { url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };
const prefix = `retries-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const SAMPLE: { [N in JobName]: JobPayloads[N] } = {
  'sync-source': { sourceId: 's' },
  'recheck-source': { sourceId: 's' },
  'backfill-source': { sourceId: 's' },
  'fanout-posts': { items: [], attempt: 0 },
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

/** A queue and a worker whose processor fails each job's first attempt, then succeeds. */
async function failingOnce(name: string, settings: WorkerOptions['settings']) {
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  const worker = new Worker(
    name,
    async (job: Job) => {
      if (job.attemptsMade === 0) throw new Error('first attempt fails');
      return 'done';
    },
    { connection, prefix, settings },
  );
  closers.push(
    () => queue.obliterate({ force: true }).then(() => queue.close()),
    () => events.close(),
    () => worker.close(),
  );
  await events.waitUntilReady();
  return { queue, events };
}

describe('job retries during a rollout', () => {
  it('a worker of the previous version (no backoff strategy registered) retries every job this version queues', async () => {
    const { queue, events } = await failingOnce('previous-worker', undefined);
    for (const name of JOB_NAMES) {
      // Only the first retry's 2 s are waited: the options are this version's, the delay shortened.
      const opts = jobOptions(name, SAMPLE[name]);
      const job = await queue.add(name, SAMPLE[name], {
        ...opts,
        backoff: { ...(opts.backoff as object), delay: 10 } as never,
      });
      expect(await job.waitUntilFinished(events, 10_000)).toBe('done');
      // Failed once, completed at the second attempt.
      expect((await queue.getJob(job.id!))?.attemptsMade).toBe(2);
    }
  });

  it('a worker of this version retries the jobs the previous version queued with its custom backoff type', async () => {
    const { queue, events } = await failingOnce('current-worker', { backoffStrategy });
    const job = await queue.add('run-pipelines', SAMPLE['run-pipelines'], {
      attempts: 30,
      backoff: { type: 'capped-exponential', delay: 10 }, // as the previous version queued them
    });
    expect(await job.waitUntilFinished(events, 10_000)).toBe('done');
  });

  it('keeps a pipeline job that failed its last attempt, until two hours after it was queued', async () => {
    const name = 'late-retry';
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    const logger = new Logger('test');
    const worker = new Worker(
      name,
      (job: Job, token?: string) =>
        withLateRetry(job, token, logger, () => Promise.reject(new Error('database away'))),
      { connection, prefix },
    );
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      () => worker.close(),
    );
    await events.waitUntilReady();

    const fresh = await queue.add('run-pipelines', SAMPLE['run-pipelines'], { attempts: 1 });
    const stale = await queue.add('run-pipelines', SAMPLE['run-pipelines'], {
      attempts: 1,
      timestamp: Date.now() - 2 * 3600_000 - 1000,
    });
    const sync = await queue.add('sync-source', SAMPLE['sync-source'], { attempts: 1 });
    await expect(stale.waitUntilFinished(events, 10_000)).rejects.toThrow('database away');
    await expect(sync.waitUntilFinished(events, 10_000)).rejects.toThrow('database away');
    const waiting = await queue.getJob(fresh.id!);
    expect(await waiting?.getState()).toBe('delayed');
    // Put back for the capped 5 minutes (when it was moved, give or take the test's own time).
    expect(waiting!.delay).toBeGreaterThan(290_000);
    expect(waiting!.delay).toBeLessThanOrEqual(300_000);
  });
});
