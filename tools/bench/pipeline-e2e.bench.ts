// Pipeline write path end to end: N stored posts enqueued as `run-pipelines` jobs of B post ids,
// consumed by a real worker (the production launcher, ROLE=worker) that loads the candidates, runs
// the user's default pipeline and upserts the TimelineEntry rows in PostgreSQL. Baselines in the
// same run: the engine alone over the same batches (no I/O), and the same entries written as bare
// multi-row INSERTs of B rows over node-postgres. Prints posts/s, ratios and the machine.
// The jobs belong to U users in turn (default 8, a small community): one user's jobs take turns
// (their pipeline deduplicates, which reads the entries already written), different users' run side
// by side; with U = 1 every job waits for the one before.
//   node --import @swc-node/register/esm-register tools/bench/pipeline-e2e.bench.ts [total] [batch] [concurrency] [users]
import { cpus, totalmem } from 'node:os';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '@tributary/config';
import { applyMigrations, PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { JobQueue, QueueName, redisConnection } from '@tributary/queue';
import { createDefaultPipeline, loadCandidates, upsertEntries } from '@tributary/timeline';
import { compilePipeline } from '@tributary/pipeline';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { start } from '../../apps/server/src/start.js';
import { testPost } from '../../apps/server/test/pipeline-fixtures.js';

const TOTAL = Number(process.argv[2] ?? 50_000);
const BATCH = Number(process.argv[3] ?? 500);
const CONCURRENCY = process.argv[4] ?? '4';
const USERS = Number(process.argv[5] ?? 8);
if (!(BATCH >= 1 && TOTAL >= BATCH && USERS >= 1))
  throw new Error('usage: pipeline-e2e.bench.ts [total] [batch] [concurrency] [users]');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: testPostgresUrl() });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}
const dbName = `tributary_bench_pipeline_${process.pid}`;
await admin(`CREATE DATABASE "${dbName}"`);
const database = {
  url: testDatabaseUrl(dbName),
  drop: () => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`),
};
await applyMigrations({ url: database.url });
const dataDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
const config = loadConfig({
  ROLE: 'worker',
  DATABASE_URL: database.url,
  DATA_DIR: dataDir,
  REDIS_EMBEDDED: 'false',
  QUEUE_PREFIX: `bench-${process.pid}`,
  LOG_LEVEL: 'warn',
  WORKER_CONCURRENCY: CONCURRENCY,
});
const running = await start(config);
const app = running.apps[0]!;
const db = app.get(PrismaService, { strict: false });
const prisma: PrismaClient = db.client;
const jobs = app.get(JobQueue, { strict: false });

// Setup (not timed): USERS users, each with the default pipeline and one source; batch b's posts
// were seen by user b % USERS.
const users: { id: string; pipelineId: string; sourceId: string }[] = [];
for (let u = 0; u < USERS; u++) {
  const { id } = await prisma.user.create({ data: { username: `bench${u}`, passwordHash: 'x' } });
  const pipeline = await createDefaultPipeline(prisma, id);
  const account = await prisma.linkedAccount.create({
    data: {
      userId: id,
      network: 'BLUESKY',
      networkAccountId: `did:plc:bench${u}`,
      handle: `b${u}.test`,
      serviceUrl: 'http://localhost',
      credentials: 'x',
      status: 'NEEDS_REAUTH',
    },
  });
  const source = await prisma.source.create({ data: { linkedAccountId: account.id, kind: 'HOME' } });
  users.push({ id, pipelineId: pipeline.id, sourceId: source.id });
}
const user = users[0]!;
const userOf = (b: number) => users[b % USERS]!;
const batches: string[][] = [];
for (let n = 0, b = 0; n < TOTAL; n += BATCH, b++) {
  const posts = Array.from({ length: Math.min(BATCH, TOTAL - n) }, (_, i) =>
    testPost(
      n + i,
      (n + i) % 20 === 0 ? { labels: [{ value: 'porn', source: 'did:plc:l', action: null }] } : {},
    ),
  );
  const { newPostIds } = await upsertIngested(
    prisma,
    userOf(b).sourceId,
    posts.map((post) => ({ post, reason: null })),
    NETWORK_TRUST_DOMAIN,
  );
  batches.push(newPostIds.map(String));
}
const pipelineIds = users.map((u) => u.pipelineId);

// 1. End to end: enqueue every batch, wait for the last job to complete.
const events = new QueueEvents(QueueName.Pipeline, {
  connection: redisConnection(config.REDIS_URL),
  prefix: config.QUEUE_PREFIX,
});
await events.waitUntilReady();
let completed = 0;
let failed = 0;
const allDone = new Promise<void>((resolve) => {
  const check = () => completed + failed === batches.length && resolve();
  events.on('completed', () => (completed++, check()));
  events.on('failed', () => (failed++, check()));
});
let t0 = performance.now();
for (let i = 0; i < batches.length; i += 1000) {
  await jobs.enqueueMany(
    'run-pipelines',
    batches.slice(i, i + 1000).map((ids, j) => ({ userId: userOf(i + j).id, postIds: ids })),
  );
}
await allDone;
const e2eMs = performance.now() - t0;
const written = await prisma.timelineEntry.count({ where: { pipelineId: { in: pipelineIds } } });
if (failed > 0 || written !== TOTAL)
  throw new Error(`${failed} jobs failed, ${written}/${TOTAL} entries written`);

// 2. The engine alone, in-process, over the same batches (candidates loaded beforehand).
const { spec } = await prisma.pipeline.findUniqueOrThrow({ where: { id: user.pipelineId } });
const compiled = compilePipeline(spec);
const candidateBatches: Awaited<ReturnType<typeof loadCandidates>>[] = [];
t0 = performance.now();
for (const [b, ids] of batches.entries())
  candidateBatches.push(await loadCandidates(db.sql, userOf(b).id, ids.map(BigInt)));
const loadMs = performance.now() - t0;
t0 = performance.now();
const results = [];
for (const batch of candidateBatches) results.push(await compiled.run(batch, { now: new Date() }));
const engineMs = performance.now() - t0;
// The write alone, through the same upsert (sequential, one batch per statement), into another pipeline.
const third = await prisma.pipeline.create({ data: { userId: user.id, name: 'upsert-only', spec: {} } });
t0 = performance.now();
for (let b = 0; b < results.length; b++) {
  await upsertEntries(
    db.sql,
    user.id,
    third.id,
    1,
    results[b]!.map((result, i) => ({
      postId: candidateBatches[b]![i]!.postId,
      result,
    })),
  );
}
const upsertMs = performance.now() - t0;

// 3. Raw SQL: the same entries (read back, dedupe key hashes included) as multi-row INSERTs of BATCH
// rows into a second pipeline.
const other = await prisma.pipeline.create({ data: { userId: user.id, name: 'baseline', spec: {} } });
const rows = await prisma.$queryRawUnsafe<
  {
    postId: bigint;
    rankKey: number;
    hidden: boolean;
    hiddenReason: string | null;
    decisions: string;
    seenIn: string;
    dedupeKeys: string;
    reason: string | null;
  }[]
>(
  `SELECT "postId", "rankKey", hidden, "hiddenReason", decisions::text AS decisions, "seenIn"::text AS "seenIn",
          "dedupeKeys"::text AS "dedupeKeys", reason::text AS reason
   FROM "TimelineEntry" WHERE "pipelineId" = ANY($1::uuid[]) ORDER BY "postId"`,
  pipelineIds,
);
const client = new pg.Client({ connectionString: database.url });
await client.connect();
t0 = performance.now();
for (let i = 0; i < rows.length; i += BATCH) {
  const chunk = rows.slice(i, i + BATCH);
  const params: unknown[] = [user.id, other.id];
  const values = chunk.map((r) => {
    const p = params.length;
    params.push(
      String(r.postId),
      r.rankKey,
      r.hidden,
      r.hiddenReason,
      r.decisions,
      r.seenIn,
      r.dedupeKeys,
      r.reason,
    );
    return `($1, $2, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb, $${p + 6}::jsonb, 1, $${p + 7}::bigint[], $${p + 8}::jsonb)`;
  });
  await client.query(
    `INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", hidden, "hiddenReason", decisions, "seenIn", "pipelineVersion", "dedupeKeys", reason) VALUES ${values.join(', ')}`,
    params,
  );
}
const rawMs = performance.now() - t0;
await client.end();

const rate = (ms: number) => Math.round((TOTAL / ms) * 1000);
const cpu = cpus();
console.log(
  `machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log(
  `${TOTAL} posts, ${batches.length} jobs of ${BATCH} for ${USERS} user${USERS === 1 ? '' : 's'}, WORKER_CONCURRENCY=${CONCURRENCY}, default pipeline (${compiled.spec.stages.length} stages)`,
);
console.log(`end to end (BullMQ → worker → PostgreSQL): ${e2eMs.toFixed(0)} ms, ${rate(e2eMs)} posts/s`);
console.log(
  `engine only (in-process, no I/O):          ${engineMs.toFixed(0)} ms, ${rate(engineMs)} posts/s`,
);
console.log(
  `  candidates alone (sequential, same batches): ${loadMs.toFixed(0)} ms, ${rate(loadMs)} posts/s`,
);
console.log(
  `  entry upserts alone (sequential, same rows):  ${upsertMs.toFixed(0)} ms, ${rate(upsertMs)} posts/s`,
);
console.log(`raw SQL multi-row INSERT of the entries:   ${rawMs.toFixed(0)} ms, ${rate(rawMs)} posts/s`);
console.log(`end to end / raw SQL: ${(rate(e2eMs) / rate(rawMs)).toFixed(2)}`);

await events.close();
await running.stop();
const { Queue } = await import('bullmq');
const queue = new Queue(QueueName.Pipeline, {
  connection: redisConnection(config.REDIS_URL),
  prefix: config.QUEUE_PREFIX,
});
await queue.obliterate({ force: true });
await queue.close();
await database.drop();
await rm(dataDir, { recursive: true, force: true });
