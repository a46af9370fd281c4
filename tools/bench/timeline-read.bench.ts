// timeline(first: 50) over HTTP on loopback against 1M posts and 1,000 users in PostgreSQL:
//  1. service time, one request at a time: first pages of random users; a page 10,000 entries
//     deep (keyset cursor) against the first page of the same users (goal: deep within 1.5x);
//  2. throughput with 8 requests in flight;
//  3. an open loop at RATE requests/s for SECONDS (goal at 200/s: p99 <= 25 ms); latency counts
//     from each request's scheduled start, so queueing shows when the service cannot keep up. The
//     requests are sent by a process of their own (open-loop.ts).
// Baseline in the same run, for each: the page query the resolver runs (its exact SQL text and
// parameters, captured from TimelineReader) through a plain pg client.
// The API runs in API_PROCESSES processes of its own (ROLE=api, NODE_ENV=production, sharing one
// port with HTTP_REUSE_PORT), as a deployment scaling the API over a machine's cores would (on a
// 2-core machine that also runs PostgreSQL and this client, one does better than two). Seeding
// uses generate_series in a dedicated database `tributary_bench_timeline`, kept between runs
// (--reseed rebuilds it).
// Prints the API processes' CPU per page in the open loop (from /proc), and the load generator's.
// Run: node --import @swc-node/register/esm-register tools/bench/timeline-read.bench.ts [seconds=30] [rate=200] [api processes=1] [--reseed] [--cpu-prof=DIR]
// --cpu-prof=DIR runs the API processes under V8's sampling profiler (node --cpu-prof), each writing a
// .cpuprofile into DIR when stopped; tools/bench/cpu-profile.ts sums one up by function.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { PrismaService } from '@tributary/db';
import { encodeCursor } from '@tributary/timeline';
import { processCpuSeconds } from './bench-api.js';
import { answerText, httpOpenLoop, sqlOpenLoop } from './open-loop.js';
import type { LoadRequest, LoadStatement } from './open-loop.js';
import { DB, DEPTH, PAGE, SEED, seed, token, userId } from './timeline-seed.js';
import { TimelineReader } from '../../apps/api/src/timeline/timeline-reader.service.js';
import { freePort } from '../../libs/testing/src/free-port.js';
import { testDatabaseUrl } from '../../libs/testing/src/postgres.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SECONDS = Number(args[0] ?? 30);
const RATE = Number(args[1] ?? 200);
const API_PROCESSES = Number(args[2] ?? 1);
const RESEED = process.argv.includes('--reseed');
const CPU_PROF_DIR = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);

/** Bytes of an answer the client reads when it does not parse it (enough to check and to report). */
const ANSWER_START = 300;

const QUERY = `query($after: String) { timeline(first: ${PAGE}, after: $after) {
  edges { cursor node { id rankKey hidden hiddenReason warnings
    reason { by { handle displayName } at }
    decisions { stage verdict reason score }
    seenIn { network linkedAccountId sourceId uri }
    post { id uri webUrl text createdAt languages sensitive contentWarning
      author { handle displayName avatarUrl }
      richText { type text url }
      media { type url altText }
      counts { replies reposts likes } } } }
  pageInfo { hasNextPage endCursor } } }`;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const stats = (xs: number[]) => ({
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  p99: pct(xs, 99),
  max: Math.max(...xs),
  n: xs.length,
});
const fmt = (xs: number[]): string => {
  const s = stats(xs);
  return `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`;
};
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** The API alone (ROLE=api): API_PROCESSES processes on one port, on the bench database. */
async function startApi(databaseUrl: string, encryptionKey: string) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const children = Array.from({ length: API_PROCESSES }, () =>
    spawn(
      process.execPath,
      [
        ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
        '--import',
        '@swc-node/register/esm-register',
        'apps/server/src/main.ts',
      ],
      {
        env: {
          ...process.env,
          NODE_ENV: 'production', // schema in memory (no schema.graphql write), production logging
          ROLE: 'api',
          PORT: String(port),
          HOST: '127.0.0.1',
          HTTP_REUSE_PORT: 'true',
          DATABASE_URL: databaseUrl,
          DATA_DIR: dataDir,
          ENCRYPTION_KEY: encryptionKey,
          REDIS_EMBEDDED: 'false',
          QUEUE_PREFIX: `bench-${process.pid}`,
          LOG_LEVEL: 'log', // for the "GraphQL API on" line; stdout is read, not shown
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  // Each process says when it listens (the first one up would answer any health check).
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('API did not start')), 120_000);
          let output = '';
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('GraphQL API on')) {
              clearTimeout(timer);
              // From here on its request logs are drained unread: kept, they made a string that
              // grew by every line and was searched again at each chunk (the client's CPU), and a
              // pipe read too slowly blocks the API's synchronous log writes.
              child.stdout!.off('data', onData).resume();
              resolve();
            }
          };
          child.stdout!.on('data', onData);
          child.once('exit', (code) => reject(new Error(`API exited with ${code}`)));
        }),
    ),
  );
  return {
    url,
    /** CPU seconds the API processes have used (all threads: JavaScript, GC, I/O). */
    cpuSeconds: () => children.reduce((sum, child) => sum + processCpuSeconds(child.pid!), 0),
    stop: async () => {
      await Promise.all(
        children.map((child) => {
          child.kill('SIGTERM');
          return new Promise((resolve) => child.once('exit', resolve));
        }),
      );
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Idle sockets are dropped before the server's 5 s keep-alive timeout: a request sent on a socket
// the server is closing at that moment fails with ECONNRESET (seen once in 1,500 at 100/s).
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

const BARE_SERVER = fileURLToPath(new URL('./bare-http-server.mjs', import.meta.url));

/** bare-http-server.mjs serving `statements` (GET /page/<index>), in a process of its own. */
async function startBareServer(databaseUrl: string, statements: readonly LoadStatement[]) {
  const child = spawn(process.execPath, [BARE_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ databaseUrl, statements }));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.split(' ')[1])));
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    stop: () => {
      child.kill('SIGTERM');
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** How an answer without errors starts: Apollo writes `errors` before `data`. */
const ANSWER_PREFIX = '{"data":{"timeline":{"edges":[';

/** The timeline page request of the user with this token. */
const graphqlRequest = (tokenValue: string, variables: Record<string, unknown>): LoadRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenValue}` },
  body: JSON.stringify({ query: QUERY, variables }),
});

/**
 * One GraphQL request; resolves with the answer's `data` (parsed when `parse`), rejects on a
 * non-200 or an answer with errors. Unparsed, an answer is checked by its start (ANSWER_PREFIX).
 * The client shares the machine's two cores with the service; parsing ~75 kB per answer would
 * take them from it.
 */
function graphql(
  url: string,
  tokenValue: string,
  variables: Record<string, unknown>,
  parse = false,
): Promise<unknown> {
  const { method, path, headers, body } = graphqlRequest(tokenValue, variables);
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
      answerText(res, parse, ANSWER_START).then((text) => {
        if (res.statusCode !== 200 || !text.startsWith(ANSWER_PREFIX))
          reject(new Error(`${res.statusCode}: ${text.slice(0, ANSWER_START)}`));
        else resolve(parse ? (JSON.parse(text) as { data: unknown }).data : null);
      }, reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Closed loop: `concurrency` workers, each starting its next job when the last one answered, for
 * `count` jobs: the service time without queueing, and the throughput the service sustains.
 */
async function closedLoop(
  count: number,
  concurrency: number,
  job: (i: number) => { kind: string; run: () => Promise<unknown> },
): Promise<{ latencies: Map<string, number[]>; errors: string[]; perSecond: number }> {
  const latencies = new Map<string, number[]>();
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const { kind, run } = job(next++);
        const t = performance.now();
        try {
          await run();
          const list = latencies.get(kind) ?? [];
          list.push(performance.now() - t);
          latencies.set(kind, list);
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    }),
  );
  return { latencies, errors, perSecond: count / ((performance.now() - started) / 1000) };
}

/** The exact statement and parameters TimelineReader runs for a page (captured, not copied). */
async function pageStatement(
  user: string,
  pipelineId: string,
  after: string | null,
): Promise<{ sql: string; params: unknown[] }> {
  let captured: { sql: string; params: unknown[] } | null = null;
  const recorder = {
    sql: {
      query: async (sql: string, params: unknown[]) => {
        // The page's statement; an empty page then makes the reader check the pipeline is the member's.
        if (captured) return [{ id: pipelineId }];
        captured = { sql, params };
        return [];
      },
    },
  } as unknown as PrismaService;
  const reader = new TimelineReader(recorder);
  await reader.page(user, null, { first: PAGE, after, includeHidden: false });
  return captured!;
}

// ---------------------------------------------------------------------------------------------
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ${load()}; API processes: ${API_PROCESSES}`,
);
const url = testDatabaseUrl(DB);
await seed(url, RESEED);
const db = new pg.Client({ connectionString: url });
await db.connect();
const { rows: version } = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
const { rows: counts } = await db.query<{ posts: string; entries: string; users: string }>(
  `SELECT (SELECT count(*) FROM "Post") posts, (SELECT count(*) FROM "TimelineEntry") entries, (SELECT count(*) FROM "User") users`,
);
console.log(
  `PostgreSQL ${version[0]!.v}: ${counts[0]!.posts} posts, ${counts[0]!.users} users, ${counts[0]!.entries} timeline entries`,
);
const { rows: pipelines } = await db.query<{ n: number; userId: string; pipelineId: string }>(
  `SELECT row_number() OVER (ORDER BY u.id)::int AS n, u.id AS "userId", p.id AS "pipelineId"
   FROM "User" u JOIN "Pipeline" p ON p."userId" = u.id AND p."isDefault" ORDER BY u.id`,
);
const encryptionKey = randomBytes(32).toString('base64');
// Deep cursors: the position of each deep user's 10,000th visible entry (OFFSET only here, to set up).
const deep: { n: number; userId: string; pipelineId: string; cursor: string; firstId: string }[] = [];
for (const p of pipelines.slice(0, SEED.deepUsers)) {
  const { rows } = await db.query<{ id: string; rankKey: number }>(
    `SELECT id::text, "rankKey" FROM "TimelineEntry" WHERE "pipelineId" = $1 AND NOT hidden
     ORDER BY "rankKey" DESC, id DESC OFFSET $2 LIMIT 2`,
    [p.pipelineId, DEPTH - 1],
  );
  const cursor = encodeCursor({
    pipelineId: p.pipelineId,
    rankKey: rows[0]!.rankKey,
    entryId: BigInt(rows[0]!.id),
  });
  deep.push({ ...p, cursor, firstId: rows[1]!.id });
}
if (userId(1) !== pipelines[0]!.userId) throw new Error('unexpected user ids');

const api = await startApi(url, encryptionKey);
// Connections stay open between sections (the API's stay open while it is under load): re-opened
// after pg's 10 s idle timeout, their start-up landed in the baseline's tail.
const pool = new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 0 });
try {
  // The deep cursor really lands 10,000 entries down.
  const check = (await graphql(api.url, token(deep[0]!.n), { after: deep[0]!.cursor }, true)) as {
    timeline: { edges: { node: { id: string } }[] };
  };
  if (check.timeline.edges[0]?.node.id !== deep[0]!.firstId || check.timeline.edges.length !== PAGE) {
    throw new Error('the deep cursor did not land where expected');
  }
  const users = pipelines.length;
  const randomUser = () => pipelines[Math.floor(Math.random() * users)]!;
  const randomDeep = () => deep[Math.floor(Math.random() * deep.length)]!;
  const statements = new Map<string, { sql: string; params: unknown[] }>();
  for (const p of pipelines)
    statements.set(`first:${p.n}`, await pageStatement(p.userId, p.pipelineId, null));
  for (const x of deep) statements.set(`deep:${x.n}`, await pageStatement(x.userId, x.pipelineId, x.cursor));
  // Named, as the API runs it (a prepared statement per connection; the text differs with a cursor).
  const sqlRun = (key: string) => () => {
    const { sql, params } = statements.get(key)!;
    return pool.query({ name: `page-${key.split(':')[0]}`, text: sql, values: params });
  };
  const httpFirst = (n: number) => () => graphql(api.url, token(n), {});
  const httpDeep = (d: (typeof deep)[number]) => () => graphql(api.url, token(d.n), { after: d.cursor });

  console.log(`
warm-up: 300 requests`);
  await closedLoop(300, 4, () => ({ kind: 'first', run: httpFirst(randomUser().n) }));

  const N = 1000;
  // The deep/first p99 ratio compares the tails of 2,000 requests each, interleaved so that both see
  // the same disturbances. One at a time a page takes ~2 ms, so its p99 is set by the machine's rare
  // hiccups (a GC, another process), not by the query: with 500 each the ratio swung from 1.00x to
  // 1.64x between two runs of the same code, with equal medians; with 100 each, from 0.7x to 2.2x.
  const MIXED = 4000;
  console.log(`
1. service time, one request at a time (${N} each; deep and first pages interleaved, ${MIXED / 2} each); ${load()}`);
  const one = await closedLoop(N, 1, () => ({ kind: 'first', run: httpFirst(randomUser().n) }));
  console.log(`   HTTP first page:           ${fmt(one.latencies.get('first') ?? [])}`);
  const sqlOne = await closedLoop(N, 1, () => ({ kind: 'first', run: sqlRun(`first:${randomUser().n}`) }));
  console.log(`   baseline SQL, same page:   ${fmt(sqlOne.latencies.get('first') ?? [])}`);
  const mixed = await closedLoop(MIXED, 1, (i) => {
    const d = randomDeep();
    return i % 2 ? { kind: 'deep', run: httpDeep(d) } : { kind: 'first', run: httpFirst(d.n) };
  });
  const [f, d] = [stats(mixed.latencies.get('first') ?? []), stats(mixed.latencies.get('deep') ?? [])];
  console.log(`   HTTP first page (deep users): ${fmt(mixed.latencies.get('first') ?? [])}`);
  console.log(`   HTTP page ${DEPTH} deep:       ${fmt(mixed.latencies.get('deep') ?? [])}`);
  console.log(
    `   deep / first: p50 ${(d.p50 / f.p50).toFixed(2)}x, p95 ${(d.p95 / f.p95).toFixed(2)}x, p99 ${(d.p99 / f.p99).toFixed(2)}x`,
  );
  const sqlMixed = await closedLoop(MIXED, 1, (i) => {
    const x = randomDeep();
    return i % 2
      ? { kind: 'deep', run: sqlRun(`deep:${x.n}`) }
      : { kind: 'first', run: sqlRun(`first:${x.n}`) };
  });
  const [sf, sd] = [
    stats(sqlMixed.latencies.get('first') ?? []),
    stats(sqlMixed.latencies.get('deep') ?? []),
  ];
  console.log(
    `   baseline SQL first / deep: p50 ${sf.p50.toFixed(1)} / ${sd.p50.toFixed(1)} ms, p99 ${sf.p99.toFixed(1)} / ${sd.p99.toFixed(1)} ms (deep/first p99 ${(sd.p99 / sf.p99).toFixed(2)}x)`,
  );

  console.log(`
2. throughput, 8 requests in flight (${N * 2} requests); ${load()}`);
  const busy = await closedLoop(N * 2, 8, () => ({ kind: 'first', run: httpFirst(randomUser().n) }));
  console.log(
    `   HTTP first page: ${busy.perSecond.toFixed(0)} requests/s; ${fmt(busy.latencies.get('first') ?? [])}; errors ${busy.errors.length}`,
  );
  const sqlBusy = await closedLoop(N * 2, 8, () => ({
    kind: 'first',
    run: sqlRun(`first:${randomUser().n}`),
  }));
  console.log(
    `   baseline SQL:    ${sqlBusy.perSecond.toFixed(0)} queries/s; ${fmt(sqlBusy.latencies.get('first') ?? [])}`,
  );

  console.log(`
3. open loop: timeline(first: ${PAGE}) of random users (of ${users}) at ${RATE} requests/s for ${SECONDS} s; ${load()}`);
  // Sent by a process of its own (open-loop.ts), the first pages of random users.
  const firstPages: LoadRequest[] = pipelines.map((p) => graphqlRequest(token(p.n), {}));
  const sequence = Array.from({ length: SECONDS * RATE }, () => Math.floor(Math.random() * users));
  let cpuBefore = 0;
  const open = await httpOpenLoop(api.url, RATE, firstPages, sequence, ANSWER_PREFIX, () => {
    cpuBefore = api.cpuSeconds();
  });
  const achieved = (SECONDS * RATE) / (open.elapsedMs / 1000); // until the last answer
  const cpuPerPage = ((api.cpuSeconds() - cpuBefore) / (SECONDS * RATE)) * 1000;
  const clientPerPage = open.cpuMs / (SECONDS * RATE);
  console.log(
    `   HTTP first page: ${fmt(open.latencies)} (from the scheduled start); errors ${open.errors.length}, late starts ${open.lateStarts}`,
  );
  // Token lookups included: at this rate a user's cached token expires between two of their requests
  // about once in six.
  console.log(
    `   API CPU per page: ${cpuPerPage.toFixed(2)} ms (all the API's threads); the load generator's: ${clientPerPage.toFixed(2)} ms`,
  );
  if (open.errors.length) console.log(`   first error: ${open.errors[0]}`);
  // The same pages' statements, in the same order, from a load generator of the same kind.
  const firstStatements: LoadStatement[] = pipelines.map((p) => {
    const { sql, params } = statements.get(`first:${p.n}`)!;
    return { name: 'page-first', text: sql, values: params };
  });
  const sqlOpen = await sqlOpenLoop(url, RATE, firstStatements, sequence);
  const sqlCpuPerQuery = sqlOpen.cpuMs / (SECONDS * RATE);
  console.log(
    `   baseline SQL:    ${fmt(sqlOpen.latencies)}; errors ${sqlOpen.errors.length}; the bare client's CPU per query: ${sqlCpuPerQuery.toFixed(2)} ms`,
  );
  if (sqlOpen.errors.length) console.log(`   first error: ${sqlOpen.errors[0]}`);
  // The floor of any HTTP API for these pages: the same statements' rows as JSON from a bare server.
  const bare = await startBareServer(url, firstStatements);
  let bareCpuBefore = 0;
  const bareOpen = await httpOpenLoop(
    bare.url,
    RATE,
    pipelines.map((_, i) => ({ method: 'GET', path: `/page/${i}`, headers: {} })),
    sequence,
    '{"rows":[',
    () => (bareCpuBefore = bare.cpuSeconds()),
  );
  const bareCpuPerPage = ((bare.cpuSeconds() - bareCpuBefore) / (SECONDS * RATE)) * 1000;
  const answerBytes = async (base: string, { method, path, headers, body }: LoadRequest) =>
    (await (await fetch(`${base}${path}`, { method, headers, body })).arrayBuffer()).byteLength;
  const apiBytes = await answerBytes(api.url, firstPages[0]!);
  const bareBytes = await answerBytes(bare.url, { method: 'GET', path: '/page/0', headers: {} });
  await bare.stop();
  console.log(
    `   bare HTTP server (the rows as JSON): ${fmt(bareOpen.latencies)}; errors ${bareOpen.errors.length}; its CPU per page: ${bareCpuPerPage.toFixed(2)} ms; a first page's answer: ${(bareBytes / 1000).toFixed(0)} kB (the API's: ${(apiBytes / 1000).toFixed(0)} kB)`,
  );

  const p99 = stats(open.latencies).p99;
  const cpuRatio = cpuPerPage / sqlCpuPerQuery;
  console.log(
    `\nsummary: open loop at ${RATE}/s: HTTP p99 ${p99.toFixed(1)} ms (goal <= 25 ms: ${p99 <= 25 ? 'met' : 'NOT met'}), ` +
      `SQL p99 ${stats(sqlOpen.latencies).p99.toFixed(1)} ms; ` +
      `API CPU per page ${cpuRatio.toFixed(2)}x the bare client's (goal <= 1.5x: ${cpuRatio <= 1.5 ? 'met' : 'NOT met'}), ` +
      `the bare HTTP server's ${(bareCpuPerPage / sqlCpuPerQuery).toFixed(2)}x, the API's ${(cpuPerPage / bareCpuPerPage).toFixed(2)}x the bare HTTP server's; ` +
      `deep/first p99 ${(d.p99 / f.p99).toFixed(2)}x (goal <= 1.5x: ${d.p99 / f.p99 <= 1.5 ? 'met' : 'NOT met'}); ` +
      `sustained ${busy.perSecond.toFixed(0)} requests/s with 8 in flight; ${load()} (achieved ${achieved.toFixed(0)}/s)`,
  );
} finally {
  await pool.end();
  await db.end();
  await api.stop();
  agent.destroy();
}
