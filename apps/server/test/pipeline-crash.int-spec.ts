import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { createDefaultPipeline } from '@tributary/timeline';
import { createSource, items, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(180_000);

const POSTS = 20_000;
const BATCH = 500;

let instance: TestInstance;
let prisma: PrismaClient;
let jobs: JobQueue;
const workers: ChildProcess[] = [];

/** A real worker process (the production entry point) on the test instance's database and queues. */
function startWorker(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'apps/server/src/main.ts'],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        ROLE: 'worker',
        DATABASE_URL: instance.databaseUrl,
        REDIS_URL: instance.config.REDIS_URL,
        REDIS_EMBEDDED: 'false',
        QUEUE_PREFIX: instance.config.QUEUE_PREFIX,
        DATA_DIR: instance.config.DATA_DIR,
        ENCRYPTION_KEY: instance.config.ENCRYPTION_KEY ?? '',
        LOG_LEVEL: 'warn',
        // A dead worker's jobs come back after ~3 s instead of ~60 s.
        QUEUE_LOCK_DURATION_MS: '2000',
        QUEUE_STALLED_INTERVAL_MS: '1000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  workers.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

beforeAll(async () => {
  instance = await startTestInstance({ ROLE: 'api' });
  const api = instance.running.apps[0]!;
  prisma = api.get(PrismaService, { strict: false }).client;
  jobs = api.get(JobQueue, { strict: false });
});

afterAll(async () => {
  for (const child of workers) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  await instance?.stop();
});

describe('a worker killed mid-batch', () => {
  it('leaves exactly one entry per post once another worker has taken over', async () => {
    const user = await prisma.user.create({ data: { username: 'crash-test', passwordHash: 'x' } });
    const pipeline = await createDefaultPipeline(prisma, user.id);
    const { sourceId } = await createSource(prisma, user.id);
    const postIds: string[] = [];
    for (let n = 0; n < POSTS; n += 1000) {
      const posts = Array.from({ length: 1000 }, (_, i) => testPost(n + i));
      postIds.push(
        ...(await upsertIngested(prisma, sourceId, items(posts), NETWORK_TRUST_DOMAIN)).newPostIds.map(
          String,
        ),
      );
    }
    expect(postIds).toHaveLength(POSTS);
    for (let i = 0; i < POSTS; i += BATCH * 10) {
      await jobs.enqueueMany(
        'run-pipelines',
        Array.from({ length: 10 }, (_, j) => ({
          userId: user.id,
          postIds: postIds.slice(i + j * BATCH, i + (j + 1) * BATCH),
        })),
      );
    }
    const queue = jobs.queue('run-pipelines');
    const entryCount = () => prisma.timelineEntry.count({ where: { pipelineId: pipeline.id } });

    const first = startWorker();
    // Kill as soon as the first batches are written, while others are being processed.
    const atKill = await until(
      'the first entries',
      async () => {
        const count = await entryCount();
        return count > 0 ? count : undefined;
      },
      90_000,
      5,
    );
    first.kill('SIGKILL');
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    expect(atKill).toBeLessThan(POSTS);
    // The dead worker's jobs are still marked active: it died in the middle of them.
    expect(await queue.getActiveCount()).toBeGreaterThan(0);

    startWorker();
    await until(
      'every job to complete',
      async () => ((await queue.getCompletedCount()) === POSTS / BATCH ? true : undefined),
      120_000,
      200,
    );
    expect(await queue.getFailedCount()).toBe(0);

    const [row] = await prisma.$queryRawUnsafe<{ entries: bigint; posts: bigint; missing: bigint }[]>(
      `SELECT (SELECT count(*) FROM "TimelineEntry" WHERE "pipelineId" = $1::uuid) AS entries,
              (SELECT count(DISTINCT "postId") FROM "TimelineEntry" WHERE "pipelineId" = $1::uuid) AS posts,
              (SELECT count(*) FROM unnest($2::bigint[]) AS want(post_id)
                 WHERE NOT EXISTS (SELECT 1 FROM "TimelineEntry" t WHERE t."pipelineId" = $1::uuid AND t."postId" = want.post_id)) AS missing`,
      pipeline.id,
      postIds,
    );
    expect(row).toEqual({ entries: BigInt(POSTS), posts: BigInt(POSTS), missing: 0n });
  });
});
