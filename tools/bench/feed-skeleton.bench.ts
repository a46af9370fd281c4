// app.bsky.feed.getFeedSkeleton (limit 50) over HTTP on loopback, over the timeline-read data set
// (1M posts, 1,000 members with a published feed each): open loops at RATE requests/s for SECONDS
// (goal at 200/s: p99 <= 15 ms), latency from each request's scheduled start. Every request carries
// a service JWT of its member (secp256k1, minted here as their PDS would) that the API verifies
// against the member's DID document, served by a PLC directory of this bench and cached by the API
// after its first read (a warm-up asks once per member). Two loops: each member's one token again
// and again (the API verifies each token once), and a fresh token for every request, as a PDS mints
// for every getFeed (one signature check per request).
// Baseline in the same run: the statement the API runs for the answer (skeletonQuery, the same text
// and parameters) through a plain pg client, in the same open loop.
// The open loops' requests and statements are sent by a load generator of their own (open-loop.ts).
// Prints the API process's CPU per request (from /proc), and the load generator's.
// Run: node --import @swc-node/register/esm-register tools/bench/feed-skeleton.bench.ts [seconds=30] [rate=200] [--reseed]
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { Secp256k1Keypair } from '@atproto/crypto';
import { createServiceJwt } from '@atproto/xrpc-server';
import pg from 'pg';
import { skeletonQuery } from '../../apps/api/src/feed-generator/feed-skeleton.service.js';
import { startBenchApi } from './bench-api.js';
import { httpOpenLoop, sqlOpenLoop, WARMUP_SECONDS } from './open-loop.js';
import type { LoadRequest, LoadStatement, OpenLoopResult } from './open-loop.js';
import { testDatabaseUrl } from '../../libs/testing/src/postgres.js';
import { DB, seed } from './timeline-seed.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SECONDS = Number(args[0] ?? 30);
const RATE = Number(args[1] ?? 200);
const RESEED = process.argv.includes('--reseed');

const LIMIT = 50;
const GOAL_P99_MS = 15;
/** How a skeleton page starts. */
const FEED_PREFIX = '{"feed":[';
const HOST = 'feeds.bench.test';
const SERVICE_DID = `did:web:${HOST}`;
const METHOD = 'app.bsky.feed.getFeedSkeleton';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** A PLC directory for the bench's members: every DID's document names the same signing key. */
async function startPlc(publicKeyMultibase: string) {
  const server = createServer((req, res) => {
    const did = decodeURIComponent((req.url ?? '/').slice(1));
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: did,
        alsoKnownAs: [`at://${did.slice(8)}.test`],
        verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase }],
        service: [
          { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.test' },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The API alone (ROLE=api, production), as the feed generator of PUBLIC_URL. */
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

/** One getFeedSkeleton; resolves with the item count, rejects on a non-200 or a short page. */
function skeleton(apiUrl: string, feed: string, jwt: string): Promise<number> {
  const query = new URLSearchParams({ feed, limit: String(LIMIT) });
  return new Promise((resolve, reject) => {
    const req = request(
      `${apiUrl}/xrpc/${METHOD}?${query}`,
      { agent, headers: { authorization: `Bearer ${jwt}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const items = text.split('"post":').length - 1;
          if (res.statusCode !== 200 || items !== LIMIT)
            reject(new Error(`${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(items);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ${load()}`,
);
const url = testDatabaseUrl(DB);
await seed(url, RESEED);
const db = new pg.Client({ connectionString: url });
await db.connect();
// One published feed per member, through their linked account (idempotent: kept between runs).
await db.query(
  `INSERT INTO "PublishedFeed" (id, "userId", "pipelineId", "linkedAccountId", uri, rkey, "displayName", "updatedAt")
   SELECT gen_random_uuid(), u.id, p.id, la.id,
     'at://' || la."networkAccountId" || '/app.bsky.feed.generator/tributary', 'tributary', 'My Tributary', now()
   FROM "User" u JOIN "Pipeline" p ON p."userId" = u.id AND p."isDefault"
   JOIN "LinkedAccount" la ON la."userId" = u.id
   ON CONFLICT (uri) DO NOTHING`,
);
const { rows: members } = await db.query<{ userId: string; pipelineId: string; did: string; feed: string }>(
  `SELECT f."userId", f."pipelineId", la."networkAccountId" AS did, f.uri AS feed
   FROM "PublishedFeed" f JOIN "LinkedAccount" la ON la.id = f."linkedAccountId" ORDER BY f."userId"`,
);
await db.end();
console.log(`${members.length} published feeds`);

const keypair = await Secp256k1Keypair.create();
const plc = await startPlc(keypair.did().slice('did:key:'.length));
const exp = Math.floor(Date.now() / 1000) + 3600;
// Minted ahead: the API verifies each one on each request, as it would a fresh one.
const jwts = await Promise.all(
  members.map((m) => createServiceJwt({ iss: m.did, aud: SERVICE_DID, lxm: METHOD, keypair, exp })),
);
// One per request of the loop and of its warm-up, which must not verify the loop's tokens first.
const freshCount = (SECONDS + WARMUP_SECONDS) * RATE;
console.log(`minting ${freshCount} fresh tokens…`);
const fresh: { member: number; jwt: string }[] = [];
for (let i = 0; i < freshCount; i++) {
  const member = Math.floor(Math.random() * members.length);
  const m = members[member]!;
  fresh.push({
    member,
    jwt: await createServiceJwt({ iss: m.did, aud: SERVICE_DID, lxm: METHOD, keypair, exp }),
  });
}
const statements = members.map((m) => skeletonQuery(m.feed, m.did, LIMIT, null));
const api = await startBenchApi(url, { PUBLIC_URL: `https://${HOST}`, BLUESKY_PLC_URL: plc.url });
const pool = new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 0 });
try {
  const pick = () => Math.floor(Math.random() * members.length);
  const http =
    (i: number, jwt = jwts[i]!) =>
    () =>
      skeleton(api.url, members[i]!.feed, jwt);
  const sql = (i: number) => () =>
    pool.query({ name: 'feed-page', text: statements[i]!.text, values: statements[i]!.params });

  // Warm-up: each member's DID document is read once (then cached), and the statements prepared.
  const t = performance.now();
  for (let i = 0; i < members.length; i += 8) {
    await Promise.all(members.slice(i, i + 8).map((_, k) => http(i + k)()));
  }
  for (let i = 0; i < 500; i++) await sql(pick())();
  console.log(
    `warm-up: ${members.length} members' first requests in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  console.log(
    `\nopen loops: getFeedSkeleton(limit ${LIMIT}) of random members at ${RATE}/s for ${SECONDS} s; ${load()}`,
  );
  // Sent by a process of its own (open-loop.ts), as are the baseline's statements.
  const feedRequest = (member: number, jwt: string): LoadRequest => ({
    method: 'GET',
    path: `/xrpc/${METHOD}?${new URLSearchParams({ feed: members[member]!.feed, limit: String(LIMIT) })}`,
    headers: { authorization: `Bearer ${jwt}` },
  });
  const randomMembers = Array.from({ length: SECONDS * RATE }, pick);
  const perRequest = (ms: number) => `${(ms / (SECONDS * RATE)).toFixed(2)} ms`;
  const report = (name: string, result: OpenLoopResult, cpu: string) => {
    console.log(
      `   ${name}: ${fmt(result.latencies)}; errors ${result.errors.length}, late starts ${result.lateStarts}`,
    );
    console.log(`      ${cpu}; ${load()}`);
    if (result.errors.length) console.log(`      first error: ${result.errors[0]}`);
  };
  const run = async (name: string, requests: LoadRequest[], sequence: number[], warmup?: number[]) => {
    let cpuBefore = 0;
    const onCounting = () => (cpuBefore = api.cpuSeconds());
    const result = await httpOpenLoop(api.url, RATE, requests, sequence, FEED_PREFIX, onCounting, warmup);
    const cpu = ((api.cpuSeconds() - cpuBefore) / (SECONDS * RATE)) * 1000;
    report(
      name,
      result,
      `API CPU per request: ${cpu.toFixed(2)} ms; the load generator's: ${perRequest(result.cpuMs)}`,
    );
    return { latencies: result.latencies, cpu };
  };
  const reused = await run(
    'HTTP, one token per member',
    members.map((_, i) => feedRequest(i, jwts[i]!)),
    randomMembers,
  );
  const unique = await run(
    'HTTP, a fresh token each',
    fresh.map((f) => feedRequest(f.member, f.jwt)),
    Array.from({ length: SECONDS * RATE }, (_, i) => i),
    Array.from({ length: WARMUP_SECONDS * RATE }, (_, i) => SECONDS * RATE + i),
  );
  const feedStatements: LoadStatement[] = statements.map((st) => ({
    name: 'feed-page',
    text: st.text,
    values: st.params,
  }));
  const base = await sqlOpenLoop(url, RATE, feedStatements, randomMembers);
  report(
    'baseline SQL, same statement',
    base,
    `the bare client's CPU per request: ${perRequest(base.cpuMs)}`,
  );

  const line = (name: string, r: { latencies: number[] }) =>
    `${name} p50 ${pct(r.latencies, 50).toFixed(1)} ms, p99 ${pct(r.latencies, 99).toFixed(1)} ms`;
  const p99 = pct(reused.latencies, 99);
  console.log(
    `\nsummary at ${RATE}/s: ${line('HTTP (token reused)', reused)} (goal <= ${GOAL_P99_MS} ms: ${p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}), ` +
      `API CPU ${reused.cpu.toFixed(2)} ms/request; ${line('HTTP (fresh tokens)', unique)}, API CPU ${unique.cpu.toFixed(2)} ms/request; ` +
      `${line('SQL', base)}; p99 ratio HTTP/SQL ${(p99 / pct(base.latencies, 99)).toFixed(2)}; ${load()}`,
  );
} finally {
  await pool.end();
  await api.stop();
  plc.server.close();
  agent.destroy();
}
