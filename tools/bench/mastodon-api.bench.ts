// The Mastodon client API's two reads apps make most, over HTTP on loopback against the timeline-read
// data set (1M posts, 1,000 members; seeded by timeline-seed.ts, reused between runs):
//  - `GET /api/v1/timelines/home?limit=40` (the default pipeline in time order),
//  - `GET /api/v1/timelines/list/:id?limit=40` (the same pipeline as a list, in its ranked order),
// each 200 times one at a time (service time, and its API CPU), then in an open loop at RATE requests/s for SECONDS
// (goal at 200/s: p99 <= 25 ms); latency counts from each request's scheduled start, so queueing
// shows when the service cannot keep up. The open loop's requests are sent by a process of their
// own (open-loop.ts).
// Baseline in the same run: the page query the API runs for each (its exact SQL text and
// parameters, captured from TimelineReader.window) through a plain pg client, in the same open loop.
// The rest of a request (token, pipeline, Mastodon ids, viewer state, JSON) is what Tributary adds;
// the open loop prints the API process's CPU per page (from /proc) and the SQL statements per page
// (the bench database's transactions, from pg_stat_database).
// Members' Mastodon ids are created on their first read (as an app's first look does), so every
// member of the run is read once before measuring.
// Run: node --import @swc-node/register/esm-register tools/bench/mastodon-api.bench.ts [seconds=10] [rate=200] [members=200] [--cpu-prof=DIR]
// --cpu-prof=DIR runs the API under V8's sampling profiler (node --cpu-prof): a .cpuprofile in DIR
// when the run ends (open it in Chrome DevTools' Performance panel, or sum it up by function).
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import type { PrismaService } from '@tributary/db';
import { DB, seed, token } from './timeline-seed.js';
import { TimelineReader } from '../../apps/api/src/timeline/timeline-reader.service.js';
import type { TimelineOrder } from '../../apps/api/src/timeline/timeline-reader.service.js';
import { startBenchApi } from './bench-api.js';
import { answerText, httpOpenLoop, sqlOpenLoop } from './open-loop.js';
import type { LoadRequest, LoadStatement } from './open-loop.js';
import { testDatabaseUrl } from '../../libs/testing/src/postgres.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SECONDS = Number(args[0] ?? 10);
const RATE = Number(args[1] ?? 200);
const MEMBERS = Number(args[2] ?? 200);
const LIMIT = 40;
const CPU_PROF_DIR = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
/** Requests one at a time before each open loop. */
const SERIAL = 200;
/** Bytes of an answer the client reads (enough to check it is a page of statuses). */
const ANSWER_START = 64;
/** How a page of statuses starts. */
const STATUSES_PREFIX = '[{"id":"';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Statements run in the bench database so far: each of the API's is a transaction of its own.
 * PostgreSQL (15) publishes an idle backend's counts up to 10 s after its last transaction, hence
 * the wait (with 1.5 s, a count once came out at 0.82 statements a page); the count includes this
 * statement itself.
 */
async function statementCount(): Promise<number> {
  await sleep(11_000);
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(rows[0]!.n);
}

/** The API alone (ROLE=api, production), on the bench database. */
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

/** One GET; resolves with the answer (whole when `parse`), rejects unless a 200 page of statuses. */
function get(url: string, tokenValue: string, parse = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${tokenValue}` } }, (res) => {
      answerText(res, parse, ANSWER_START).then((text) => {
        if (res.statusCode !== 200 || !text.startsWith(STATUSES_PREFIX))
          reject(new Error(`${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(parse ? JSON.parse(text) : null);
      }, reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The exact statement and parameters TimelineReader.window runs for a first page (captured, not copied). */
async function windowStatement(user: string, pipelineId: string, order: TimelineOrder) {
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
  await new TimelineReader(recorder).window(user, pipelineId, {
    order,
    limit: LIMIT,
    below: null,
    above: null,
    from: 'top',
  });
  return captured!;
}

// ---------------------------------------------------------------------------------------------
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ${load()}`,
);
const url = testDatabaseUrl(DB);
await seed(url);
const db = new pg.Client({ connectionString: url });
await db.connect();
const { rows: members } = await db.query<{ n: number; userId: string; pipelineId: string }>(
  `SELECT row_number() OVER (ORDER BY u.id)::int AS n, u.id AS "userId", p.id AS "pipelineId"
   FROM "User" u JOIN "Pipeline" p ON p."userId" = u.id AND p."isDefault" ORDER BY u.id LIMIT $1`,
  [MEMBERS],
);
await db.end();
const api = await startBenchApi(
  url,
  {},
  CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [],
);
const pool = new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 0 });
try {
  // Each member's list id (their default pipeline), and a first read of both pages: Mastodon ids made.
  const lists: string[] = [];
  for (const m of members) {
    const answer = await new Promise<string>((resolve, reject) =>
      request(
        `${api.url}/api/v1/lists`,
        { agent, headers: { authorization: `Bearer ${token(m.n)}` } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(text))));
        },
      )
        .on('error', reject)
        .end(),
    );
    lists.push((JSON.parse(answer) as { id: string }[])[0]!.id);
  }
  const home = `${api.url}/api/v1/timelines/home?limit=${LIMIT}`;
  const list = (i: number) => `${api.url}/api/v1/timelines/list/${lists[i]}?limit=${LIMIT}`;
  const firstHome = (await get(home, token(members[0]!.n), true)) as unknown[];
  if (firstHome.length !== LIMIT) throw new Error(`home answered ${firstHome.length} statuses`);
  console.log(`\nwarm-up: home and list of each of ${members.length} members; ${load()}`);
  for (let i = 0; i < members.length; i += 8)
    await Promise.all(
      members.slice(i, i + 8).flatMap((m, j) => [get(home, token(m.n)), get(list(i + j), token(m.n))]),
    );

  const pageStatements = await Promise.all(
    members.map(async (m) => ({
      home: await windowStatement(m.userId, m.pipelineId, 'time'),
      list: await windowStatement(m.userId, m.pipelineId, 'rank'),
    })),
  );
  const pick = () => Math.floor(Math.random() * members.length);
  const summary: string[] = [];
  for (const kind of ['home', 'list'] as const) {
    const path = kind === 'home' ? '/api/v1/timelines/home' : '/api/v1/timelines/list/:id';
    console.log(
      `\n${path}?limit=${LIMIT}, random members (of ${members.length}), ${RATE}/s for ${SECONDS} s; ${load()}`,
    );
    // Service time without queueing: what one request costs, to read the open loop against.
    // Its CPU too: unlike the open loop's, not swollen by queueing (requests in flight, their GC).
    const serial: number[] = [];
    const serialCpu = api.cpuSeconds();
    for (let n = 0; n < SERIAL; n++) {
      const i = pick();
      const t = performance.now();
      await get(kind === 'home' ? home : list(i), token(members[i]!.n));
      serial.push(performance.now() - t);
    }
    const serialCpuPerPage = ((api.cpuSeconds() - serialCpu) / SERIAL) * 1000;
    console.log(`   one at a time: ${fmt(serial)}; API CPU per page ${serialCpuPerPage.toFixed(2)} ms`);
    const statementsBefore = await statementCount();
    // Sent by a process of its own (open-loop.ts): each member's page, of random members.
    const pages: LoadRequest[] = members.map((m, i) => ({
      method: 'GET',
      path: (kind === 'home' ? home : list(i)).slice(api.url.length),
      headers: { authorization: `Bearer ${token(m.n)}` },
    }));
    const sequence = Array.from({ length: SECONDS * RATE }, pick);
    let cpuBefore = 0;
    const http = await httpOpenLoop(api.url, RATE, pages, sequence, STATUSES_PREFIX, () => {
      cpuBefore = api.cpuSeconds();
    });
    const cpu = ((api.cpuSeconds() - cpuBefore) / (SECONDS * RATE)) * 1000;
    // The warm-up's pages too: the statistics are read after it all.
    const sent = SECONDS * RATE + http.warmupRequests;
    const statements = ((await statementCount()) - statementsBefore - 1) / sent;
    console.log(
      `   HTTP:         ${fmt(http.latencies)}; errors ${http.errors.length}, late starts ${http.lateStarts}`,
    );
    console.log(
      `      API CPU per page: ${cpu.toFixed(2)} ms; SQL statements per page: ${statements.toFixed(2)}; ${load()}`,
    );
    if (http.errors.length) console.log(`   first error: ${http.errors[0]}`);
    // The same pages' statements, in the same order, from a load generator of the same kind.
    const pageSql: LoadStatement[] = pageStatements.map((p) => ({
      name: `window-${kind}`,
      text: p[kind].sql,
      values: p[kind].params,
    }));
    const base = await sqlOpenLoop(url, RATE, pageSql, sequence);
    console.log(
      `   baseline SQL: ${fmt(base.latencies)} (the page query alone); errors ${base.errors.length}; the bare client's CPU per query ${(base.cpuMs / (SECONDS * RATE)).toFixed(2)} ms`,
    );
    const p99 = pct(http.latencies, 99);
    summary.push(
      `${kind} p99 ${p99.toFixed(1)} ms (goal <= 25 ms: ${p99 <= 25 ? 'met' : 'NOT met'}), SQL p99 ${pct(base.latencies, 99).toFixed(1)} ms`,
    );
  }
  console.log(`\nsummary at ${RATE}/s: ${summary.join('; ')}; ${load()}`);
} finally {
  await pool.end();
  await api.stop();
  agent.destroy();
}
