// Bluesky through a whole Tributary (API + worker, polling effectively off) and the reference
// network (@atproto/dev-env, started here in its child process):
//  1. backfill: link an account whose home timeline holds BACKFILL posts; posts/s from the link
//     mutation returning to the home source's backfill reaching DONE (worker: PDS -> AppView ->
//     normalize -> Postgres).
//  2. freshness: POSTS posts created on the PDS after linking, one every SPACING ms; latency from
//     createRecord returning to the row's `ingestedAt` in Tributary's Post table (same host clock).
//     Baseline in the same run: the same posts' firehose events, received by a subscribeRepos
//     subscription in this process.
// Run: node --import @swc-node/register/esm-register tools/bench/bluesky-ingest-freshness.bench.ts [posts=60] [backfill=500] [spacingMs=500]
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { graphqlClient } from '../../apps/api/src/testing/graphql-client.js';
import { startTestInstance } from '../../apps/server/test/test-instance.js';
import { waitFor } from '../../apps/server/test/wait-for.js';
import { BlueskyFirehoseService } from '../../apps/worker/src/streams/bluesky-firehose.service.js';
import { subscribeRepos } from '../../libs/connectors/bluesky/src/index.js';
import {
  blueskyNetwork,
  startBlueskyNetwork,
  stopBlueskyNetwork,
} from '../../libs/testing/src/bluesky-network.js';
import { setupPostgres, teardownPostgres } from '../../libs/testing/src/postgres.js';

const POSTS = Number(process.argv[2] ?? 60);
const BACKFILL = Number(process.argv[3] ?? 500);
const SPACING_MS = Number(process.argv[4] ?? 500);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `median ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
await setupPostgres();
await startBlueskyNetwork();
const net = await blueskyNetwork();
const instance = await startTestInstance({
  ROLE: 'all',
  POLL_INTERVAL_SECONDS: '3600',
  BACKFILL_DEPTH: String(BACKFILL),
});
const db = new pg.Client({ connectionString: instance.databaseUrl });
await db.connect();

try {
  const gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "bench", password: "long enough password") { token } }',
    { i: code },
  );
  const token = signUp.data!.signUp.token;

  const [viewer, historian, author] = await Promise.all([
    net.createAccount('viewer'),
    net.createAccount('historian'),
    net.createAccount('author'),
  ]);
  await viewer.agent.follow(historian.did);
  await viewer.agent.follow(author.did);
  const t0 = Date.now();
  for (let i = 0; i < BACKFILL; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, BACKFILL - i) }, (_, j) =>
        historian.agent.post({ text: `history ${i + j}` }),
      ),
    );
  }
  await net.processAll();
  console.log(`seeded ${BACKFILL} posts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // 1. Backfill through the worker.
  const linkStart = Date.now();
  const linked = await gql<{ linkBlueskyAccount: { sources: { id: string; kind: string }[] } }>(
    'mutation($i: String!, $p: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { sources { id kind } } }',
    { i: viewer.handle, p: viewer.appPassword, s: net.info.pdsUrl },
    token,
  );
  if (linked.errors) throw new Error(JSON.stringify(linked.errors));
  const homeId = linked.data!.linkBlueskyAccount.sources.find((s) => s.kind === 'HOME')!.id;
  let backfilled = 0;
  await waitFor(
    'backfill DONE',
    async () => {
      const { rows } = await db.query<{ state: string; done: number }>(
        `SELECT "backfillState" AS state, "backfillDone" AS done FROM "Source" WHERE id = $1`,
        [homeId],
      );
      backfilled = rows[0]!.done;
      return rows[0]!.state === 'DONE';
    },
    300_000,
    20,
  );
  const backfillS = (Date.now() - linkStart) / 1000;
  const { rows: stored } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM "SourcePost" WHERE "sourceId" = $1`,
    [homeId],
  );

  // 2. Freshness.
  const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
  await waitFor('consumer ready', async () => firehose.status.ready >= 1, 60_000);
  const eventAt = new Map<string, number>();
  const sub = subscribeRepos({
    service: net.info.pdsUrl,
    cursor: null,
    onEvent: (e) => void (e.action === 'create' && eventAt.set(e.uri, Date.now())),
  });
  const warm = await author.agent.post({ text: 'warm-up' });
  await waitFor('warm-up event', async () => eventAt.has(warm.uri), 30_000, 5);

  const createdAt = new Map<string, number>();
  for (let i = 0; i < POSTS; i++) {
    const started = Date.now();
    const post = await author.agent.post({ text: `fresh ${i} ${started}` });
    createdAt.set(post.uri, Date.now());
    await sleep(Math.max(0, SPACING_MS - (Date.now() - started)));
  }
  const uris = [...createdAt.keys()];
  const ingestedAt = new Map<string, number>();
  await waitFor(
    'all fresh posts stored',
    async () => {
      const { rows } = await db.query<{ uri: string; at: Date }>(
        `SELECT uri, "ingestedAt" AS at FROM "Post" WHERE uri = ANY($1)`,
        [uris],
      );
      for (const r of rows) ingestedAt.set(r.uri, r.at.getTime());
      return ingestedAt.size === uris.length;
    },
    120_000,
    100,
  );
  await sub.stop();
  const toRow = uris.map((u) => ingestedAt.get(u)! - createdAt.get(u)!);
  const toEvent = uris.filter((u) => eventAt.has(u)).map((u) => eventAt.get(u)! - createdAt.get(u)!);

  console.log(
    `\nbackfill: ${backfilled} posts (${stored[0]!.n} home rows) in ${backfillS.toFixed(2)} s from link to DONE = ${(backfilled / backfillS).toFixed(0)} posts/s`,
  );
  console.log(`freshness, createRecord returned -> row in Post:   ${fmt(toRow)}`);
  console.log(`baseline,  createRecord returned -> firehose event: ${fmt(toEvent)}`);
  console.log(
    `(one post every ${SPACING_MS} ms; the consumer syncs 0.4 s after an event, and again at 1.5 s and 15 s only if the post is not in yet, for a slow AppView; bursts collapse)`,
  );
} finally {
  await db.end();
  await instance.stop();
  await stopBlueskyNetwork();
  await teardownPostgres();
}
