// One member's jobs must not delay everyone: the pipeline and rebuild queues take turns between
// members (measured here in jobs run ahead of another member's job, not in time), and the queues'
// schedules and rebuilds survive Redis losing its data.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';
import { JobQueue } from '@tributary/queue';
import { createDefaultPipeline } from '@tributary/timeline';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createSource, items, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { deleteQueueKeys, startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const FLOOD = 30;
const BATCH = 100;

let instance: TestInstance;
let prisma: PrismaClient;
let jobs: JobQueue;

interface Member {
  id: string;
  pipelineId: string;
  postIds: string[];
}
let attacker: Member;
let other: Member;

/** A member with their default pipeline and `posts` stored posts seen by their one source. */
async function member(name: string, posts: number, first: number): Promise<Member> {
  const user = await prisma.user.create({ data: { username: name, passwordHash: 'x' } });
  const pipeline = await createDefaultPipeline(prisma, user.id);
  const { sourceId } = await createSource(prisma, user.id);
  const stored = await upsertIngested(
    prisma,
    sourceId,
    items(Array.from({ length: posts }, (_, i) => testPost(first + i))),
    NETWORK_TRUST_DOMAIN,
  );
  return { id: user.id, pipelineId: pipeline.id, postIds: stored.newPostIds.map(String) };
}

/** Waits until the queue has nothing left to run. */
async function drained(queue: Queue): Promise<void> {
  await waitFor(
    `queue ${queue.name} to drain`,
    async () => {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      return Object.values(counts).every((n) => n === 0);
    },
    150_000,
    50,
  );
}

/** How many jobs of the queue count against their members' shares (FairShare's sets). */
async function fairShares(queue: Queue): Promise<number> {
  const redis = new Redis(instance.config.REDIS_URL);
  try {
    const keys = await redis.keys(queue.toKey('fair:*'));
    let count = 0;
    for (const key of keys) count += await redis.zcard(key);
    return count;
  } finally {
    await redis.quit();
  }
}

/** How many of `others` were taken by the worker after `job` was queued and before it started. */
function ranAhead(job: Job, others: Job[]): number {
  return others.filter((o) => o.processedOn! >= job.timestamp && o.processedOn! < job.processedOn!).length;
}

beforeAll(async () => {
  // Two slots per queue: a member's jobs may hold one of them.
  instance = await startTestInstance({
    ROLE: 'all',
    WORKER_CONCURRENCY: '2',
    REBUILD_SLICE_MS: '100',
    SCHEDULE_CHECK_MS: '300',
  });
  const app = instance.running.apps[0]!;
  prisma = app.get(PrismaService, { strict: false }).client;
  jobs = app.get(JobQueue, { strict: false });
  attacker = await member('attacker', FLOOD * BATCH, 0);
  other = await member('other', BATCH, 1_000_000);
});

afterAll(async () => {
  await instance?.stop();
});

describe('fair queues', () => {
  it("another member's new posts run after at most one of a member's flood of pipeline jobs, which holds one slot of two", async () => {
    // Extra pipelines make each of the attacker's jobs heavier.
    for (let i = 0; i < 5; i++)
      await prisma.pipeline.create({
        data: { userId: attacker.id, name: `extra ${i}`, spec: DEFAULT_PIPELINE_SPEC as object },
      });
    for (let i = 0; i < FLOOD; i++)
      await jobs.enqueue('run-pipelines', {
        userId: attacker.id,
        postIds: attacker.postIds.slice(i * BATCH, (i + 1) * BATCH),
      });
    await jobs.enqueue('run-pipelines', { userId: other.id, postIds: other.postIds });
    const queue = jobs.queue('run-pipelines');
    await drained(queue);

    const done = await queue.getJobs(['completed'], 0, -1);
    const theirs = done.filter((j) => (j.data as { userId: string }).userId === attacker.id);
    const mine = done.filter((j) => (j.data as { userId: string }).userId === other.id);
    expect(theirs).toHaveLength(FLOOD);
    expect(mine).toHaveLength(1);
    // First in first out, it would wait for the rest of the flood (about FLOOD jobs).
    expect(ranAhead(mine[0]!, theirs)).toBeLessThanOrEqual(1);
    // The flood never held both slots: its jobs that the free slot took were put back (started
    // again later), while the other member's ran at its first start.
    expect(theirs.filter((j) => j.attemptsStarted > 1).length).toBeGreaterThan(0);
    expect(mine[0]!.attemptsStarted).toBe(1);
    // A job put back stays out of the queue until one of its member's slots frees: about one put-back
    // per job. Put back for a moment instead, the flood went round the free slot without pause (each
    // job taken and put back again every half second while the member's one job ran).
    const putBacks = theirs.reduce((sum, j) => sum + j.attemptsStarted - 1, 0);
    expect(putBacks).toBeLessThanOrEqual(FLOOD + 5);
    expect(await prisma.timelineEntry.count({ where: { pipelineId: other.pipelineId } })).toBe(BATCH);
    // Finished jobs no longer count against their member: the next one gets the first turn again.
    await waitFor('the finished jobs to leave their members’ shares', async () =>
      (await fairShares(queue)) === 0 ? true : null,
    );
  });

  it("another member's rebuild runs after at most one slice of a member's flood of rebuilds", async () => {
    const flood: string[] = [];
    for (let i = 0; i < 8; i++) {
      const pipeline = await prisma.pipeline.create({
        data: {
          userId: attacker.id,
          name: `rebuilt ${i}`,
          spec: DEFAULT_PIPELINE_SPEC as object,
          versions: { create: { version: 1, spec: DEFAULT_PIPELINE_SPEC as object } },
          rebuildState: 'RUNNING',
        },
      });
      flood.push(pipeline.id);
      await jobs.enqueue('rebuild-timeline', { pipelineId: pipeline.id, version: 1, userId: attacker.id });
    }
    await jobs.enqueue('rebuild-timeline', { pipelineId: other.pipelineId, version: 1, userId: other.id });
    const queue = jobs.queue('rebuild-timeline');
    await drained(queue);

    const done = await queue.getJobs(['completed'], 0, -1);
    const mine = done.find((j) => (j.data as { pipelineId: string }).pipelineId === other.pipelineId)!;
    const theirs = done.filter((j) => flood.includes((j.data as { pipelineId: string }).pipelineId));
    expect(theirs).toHaveLength(8);
    // Rebuilds of the attacker that finished while the other member's waited: first in first out,
    // all of them (each of 3,000 posts, several slices).
    const finishedAhead = theirs.filter(
      (j) => j.finishedOn! >= mine.timestamp && j.finishedOn! <= mine.processedOn!,
    );
    expect(finishedAhead.length).toBeLessThanOrEqual(1);
    const rebuilt = await prisma.pipeline.findMany({ where: { id: { in: [...flood, other.pipelineId] } } });
    expect(rebuilt.map((p) => p.rebuildState)).toEqual(rebuilt.map(() => 'DONE'));
    expect(rebuilt.find((p) => p.id === flood[0])).toMatchObject({ rebuildDone: 3000, rebuildTotal: 3000 });
  });

  it('after Redis lost the queues, schedules come back without a restart and a lost rebuild runs again', async () => {
    const maintenance = jobs.queue('housekeeping');
    const scheduled = async () => (await maintenance.getJobSchedulers()).map((s) => s.key).sort();
    const before = await scheduled();
    expect(before).toEqual(expect.arrayContaining(['housekeeping', 'poll-sources']));
    // A pipeline edited just before the loss: its row says RUNNING, its job is gone with the data.
    const lost = await prisma.pipeline.create({
      data: {
        userId: other.id,
        name: 'edited before the loss',
        spec: DEFAULT_PIPELINE_SPEC as object,
        versions: { create: { version: 1, spec: DEFAULT_PIPELINE_SPEC as object } },
        rebuildState: 'RUNNING',
      },
    });

    expect(await deleteQueueKeys(instance.config)).toBeGreaterThan(0);
    expect(await maintenance.getJobSchedulers()).toEqual([]);

    await waitFor('the schedules to be back', async () =>
      (await scheduled()).join() === before.join() ? true : null,
    );
    const rebuilt = await waitFor('the lost rebuild to have run', async () => {
      const row = await prisma.pipeline.findUniqueOrThrow({ where: { id: lost.id } });
      return row.rebuildState === 'DONE' ? row : null;
    });
    expect(rebuilt).toMatchObject({ rebuildDone: BATCH, rebuildTotal: BATCH, rebuildError: null });
  });
});
