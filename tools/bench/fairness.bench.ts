// One member attacking the shared queues and sandbox, another member's latency: a real Tributary
// (API + worker in one process, default settings) where the other member (B) previews a pipeline,
// saves an edit and waits for its rebuild, and gets a new post into their timeline (stored, then
// its `run-pipelines` job to the `timeline-entries` event). Baseline in the same run: the same
// measurements before the attack. The attacker (A) uploads a plugin that loops until its time
// limit, creates P pipelines of 64 stages of it, and keeps editing them all (each edit queues a
// rebuild over their 2,000 posts) while previewing such a pipeline, one preview after another.
// Prints each latency's median and worst without and with the attacker, and the ratio (goal ≤ 2×).
// With --victim-plugin, the victim's pipeline also runs a plugin of their own upload (a quick one),
// so their plugin calls need the sandbox while the attacker's spin in it.
//   node --import @swc-node/register/esm-register tools/bench/fairness.bench.ts [samples] [pipelines] [timeoutSeconds] [--victim-plugin]
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '@tributary/config';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { applyMigrations, PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';
import { JobQueue } from '@tributary/queue';
import type { UserEvent } from '@tributary/queue';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { start } from '../../apps/server/src/start.js';
import { testPost } from '../../apps/server/test/pipeline-fixtures.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SAMPLES = Number(args[0] ?? 5);
const PIPELINES = Number(args[1] ?? 14);
const TIMEOUT_MS = Number(args[2] ?? 300) * 1000;
const VICTIM_PLUGIN = process.argv.includes('--victim-plugin');
const HISTORY = 2000;
const STAGES = 64;
if (!(SAMPLES >= 1 && PIPELINES >= 1 && PIPELINES <= 19 && TIMEOUT_MS > 0))
  throw new Error('usage: fairness.bench.ts [samples] [pipelines ≤ 19] [timeoutSeconds]');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: testPostgresUrl() });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}
const dbName = `tributary_bench_fairness_${process.pid}`;
await admin(`CREATE DATABASE "${dbName}"`);
const databaseUrl = testDatabaseUrl(dbName);
await applyMigrations({ url: databaseUrl });
const dataDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
const config = loadConfig({
  ROLE: 'all',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  REDIS_EMBEDDED: 'false',
  QUEUE_PREFIX: `bench-fair-${process.pid}`,
  LOG_LEVEL: 'error',
});
const running = await start(config);
const apiUrl = running.apiUrl!;
const app = running.apps[0]!;
const prisma: PrismaClient = app.get(PrismaService, { strict: false }).client;
const jobs = app.get(JobQueue, { strict: false });

interface GqlResult<T> {
  data?: T;
  errors?: { message: string }[];
}
async function gql<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GqlResult<T>;
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

interface Member {
  id: string;
  token: string;
  sourceId: string;
}
let postNumber = 0;
/** A member signed up through GraphQL, with one source that has seen `posts` stored posts. */
async function member(username: string, posts: number): Promise<Member> {
  const { code } = await running.apps
    .at(-1)!
    .get(AuthService, { strict: false })
    .createInvite(null, 'MEMBER');
  const { signUp } = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token user { id } } }',
    { i: code, u: username },
    '',
  );
  const account = await prisma.linkedAccount.create({
    data: {
      userId: signUp.user.id,
      network: 'BLUESKY',
      networkAccountId: `did:plc:${username}`,
      handle: `${username}.test`,
      serviceUrl: 'http://localhost',
      credentials: 'x',
      // Not polled: the bench feeds its posts itself.
      status: 'NEEDS_REAUTH',
    },
  });
  const source = await prisma.source.create({ data: { linkedAccountId: account.id, kind: 'HOME' } });
  const batch = Array.from({ length: posts }, () => ({ post: testPost(postNumber++), reason: null }));
  await upsertIngested(prisma, source.id, batch, NETWORK_TRUST_DOMAIN);
  return { id: signUp.user.id, token: signUp.token, sourceId: source.id };
}

const victim = await member('victim', HISTORY);
const attacker = await member('attacker', HISTORY);
const victimPipeline = (await gql<{ pipelines: { id: string }[] }>('{ pipelines { id } }', {}, victim.token))
  .pipelines[0]!.id;

// The victim's timeline events, to time rebuilds and new entries.
const subscriber = new Redis(config.REDIS_URL);
const waiters = new Set<(event: UserEvent) => void>();
subscriber.on('message', (_channel: string, message: string) => {
  for (const waiter of [...waiters]) waiter(JSON.parse(message) as UserEvent);
});
await subscriber.subscribe(`timeline:${victim.id}:${victimPipeline}`);
function nextEvent(matches: (event: UserEvent) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(new Error('timeout'));
    }, TIMEOUT_MS);
    const waiter = (event: UserEvent) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      waiters.delete(waiter);
      resolve();
    };
    waiters.add(waiter);
  });
}

const VICTIM_PLUGIN_CODE = `definePlugin({ name: 'victim/shouting', version: '1.0.0', configSchema: { type: 'object' },
  fields: ['text'], filter: (posts) => posts.map((p) => (p.text.length > 3 && p.text === p.text.toUpperCase() ? { action: 'warn', reason: 'shouting' } : null)) });`;
if (VICTIM_PLUGIN)
  await gql(
    'mutation($c: String!) { uploadPlugin(code: $c) { id } }',
    { c: VICTIM_PLUGIN_CODE },
    victim.token,
  );
const victimSpec = (word: string) => ({
  ...DEFAULT_PIPELINE_SPEC,
  stages: [
    ...DEFAULT_PIPELINE_SPEC.stages,
    { use: 'mute-words', with: { words: [word] } },
    ...(VICTIM_PLUGIN ? [{ use: 'plugin:victim/shouting@1.0.0' }] : []),
  ],
});
let edits = 0;

type Metric = 'preview' | 'rebuild' | 'live';
/** One measurement of a metric, in ms; Infinity when it did not finish within the timeout. */
async function measure(metric: Metric): Promise<number> {
  const t0 = performance.now();
  try {
    if (metric === 'preview') {
      await gql(
        'query($s: JSON!) { previewPipeline(spec: $s, limit: 50) { hidden } }',
        { s: victimSpec('preview') },
        victim.token,
      );
    } else if (metric === 'rebuild') {
      const word = `edit${++edits}`;
      const rebuilt = nextEvent((e) => e.type === 'timeline-rebuilt');
      await gql(
        'mutation($id: ID!, $s: JSON!) { updatePipeline(id: $id, spec: $s) { version } }',
        { id: victimPipeline, s: victimSpec(word) },
        victim.token,
      );
      await rebuilt;
    } else {
      const post = testPost(postNumber++, {}, Date.now());
      const { newPostIds } = await upsertIngested(
        prisma,
        victim.sourceId,
        [{ post, reason: null }],
        NETWORK_TRUST_DOMAIN,
      );
      const entered = nextEvent((e) => e.type === 'timeline-entries');
      await jobs.enqueue('run-pipelines', { userId: victim.id, postIds: newPostIds.map(String) });
      await entered;
    }
  } catch (error) {
    if ((error as Error).message !== 'timeout') throw error;
    return Infinity;
  }
  return performance.now() - t0;
}

async function phase(): Promise<Record<Metric, number[]>> {
  const results: Record<Metric, number[]> = { preview: [], rebuild: [], live: [] };
  for (let i = 0; i < SAMPLES; i++)
    for (const metric of ['live', 'preview', 'rebuild'] as const) results[metric].push(await measure(metric));
  return results;
}

// Warm-up (compilation, connections), then the baseline.
await measure('preview');
await measure('live');
await measure('rebuild');
// Each phase starts from a vacuumed timeline: every edit rewrites the victim's 2,000 entries, and
// without this the baseline's own dead rows (before autovacuum came round) slowed its later
// rebuilds 2-3x, which then counted against the attack measured after them.
const vacuum = () => prisma.$executeRawUnsafe('VACUUM ANALYZE "TimelineEntry"');
await vacuum();
const baseline = await phase();

// The attack.
const SPIN = `definePlugin({ name: 'attacker/spin', version: '1.0.0', configSchema: { type: 'object' },
  filter() { for (;;) {} } });`;
await gql('mutation($c: String!) { uploadPlugin(code: $c) { id } }', { c: SPIN }, attacker.token);
const hostileSpec = (n: number) => ({
  stages: Array.from({ length: STAGES }, (_, i) => ({
    use: 'plugin:attacker/spin@1.0.0',
    with: i === 0 ? { n } : {},
  })),
});
const hostile: string[] = [];
for (let i = 0; i < PIPELINES; i++) {
  const { createPipeline } = await gql<{ createPipeline: { id: string } }>(
    'mutation($n: String!, $s: JSON!) { createPipeline(name: $n, spec: $s) { id } }',
    { n: `spin ${i}`, s: hostileSpec(0) },
    attacker.token,
  );
  hostile.push(createPipeline.id);
}
let attacking = true;
const editLoop = (async () => {
  // Keeps re-arming: every pipeline edited again, a new version (and rebuild) each time.
  for (let round = 1; attacking; round++) {
    for (const id of hostile) {
      if (!attacking) break;
      await gql(
        'mutation($id: ID!, $s: JSON!) { updatePipeline(id: $id, spec: $s) { version } }',
        { id, s: hostileSpec(round) },
        attacker.token,
      ).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
})();
const previewLoop = (async () => {
  while (attacking)
    await gql(
      'query($s: JSON!) { previewPipeline(spec: $s, limit: 200) { hidden } }',
      { s: hostileSpec(-1) },
      attacker.token,
    ).catch(() => new Promise((r) => setTimeout(r, 100)));
})();
await new Promise((r) => setTimeout(r, 3000));
await vacuum();
const attacked = await phase();
attacking = false;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const worst = (xs: number[]) => Math.max(...xs);
const fmt = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : `> ${TIMEOUT_MS / 1000} s`);
const cpu = cpus();
console.log(
  `machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `victim: ${HISTORY} posts, default pipeline + mute words${VICTIM_PLUGIN ? ' + a plugin of their own' : ''}; attacker: ${PIPELINES} pipelines × ${STAGES} stages of a plugin looping to its limit, ${HISTORY} posts, edits every pipeline every ~2 s, previews without pause; ${SAMPLES} samples each`,
);
console.log('metric   baseline median / worst   under attack median / worst   ratio (medians)');
for (const metric of ['preview', 'rebuild', 'live'] as const) {
  const b = baseline[metric];
  const a = attacked[metric];
  const ratio = median(a) / median(b);
  console.log(
    `${metric.padEnd(8)} ${fmt(median(b)).padStart(10)} / ${fmt(worst(b)).padEnd(12)} ${fmt(median(a)).padStart(14)} / ${fmt(worst(a)).padEnd(14)} ${Number.isFinite(ratio) ? ratio.toFixed(2) : '∞'}×`,
  );
}

// Where the victim's job time went: waiting in the queue, or running (slowed by a busy machine).
const victimJobs = async (name: 'rebuild-timeline' | 'run-pipelines') => {
  const done = await jobs.queue(name).getJobs(['completed'], 0, -1);
  return done.filter((job) =>
    name === 'rebuild-timeline'
      ? (job.data as { pipelineId: string }).pipelineId === victimPipeline
      : (job.data as { userId: string }).userId === victim.id,
  );
};
for (const [metric, name] of [
  ['rebuild', 'rebuild-timeline'],
  ['live', 'run-pipelines'],
] as const) {
  const list = (await victimJobs(name)).sort((a, b) => a.timestamp - b.timestamp);
  const attackStart = list.length - SAMPLES;
  const split = (from: number, to: number) =>
    list
      .slice(from, to)
      .map(
        (j) =>
          `${j.processedOn! - j.timestamp}+${j.finishedOn! - j.processedOn!}${j.attemptsStarted > 1 ? ` (${j.attemptsStarted} starts)` : ''}`,
      )
      .join(' ');
  console.log(
    `${metric} jobs, queued+ran ms (started more than once: a slice, or its member's share taken): baseline ${split(0, attackStart)}; under attack ${split(attackStart, list.length)}`,
  );
}

// The attack's jobs may run for minutes: drop everything instead of waiting for them.
await Promise.race([Promise.all([editLoop, previewLoop]), new Promise((r) => setTimeout(r, 5000))]);
await subscriber.quit();
await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
const redis = new Redis(config.REDIS_URL);
for (let cursor = '0'; ;) {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
  if (keys.length > 0) await redis.del(...keys);
  if ((cursor = next) === '0') break;
}
await redis.quit();
await rm(dataDir, { recursive: true, force: true });
process.exit(0);
