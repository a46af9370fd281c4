// Mastodon through the whole service (API + worker on PostgreSQL and Redis), against the fake
// Mastodon on loopback:
//  1. freshness: status published -> row in `Post` (the leader's user stream queues a home sync,
//     the worker fetches and stores it); baseline in the same run: the same status reaching a bare
//     `MastodonStream` client (stream delivery alone).
//  2. backfill: link through GraphQL -> home source backfill DONE (worker pages, normalizes and
//     stores), posts/s; baseline in the same run: the connector's `fetchOlder` over the same
//     timeline without storing.
// Run: node --import @swc-node/register/esm-register tools/bench/mastodon-ingest-freshness.bench.ts [statuses=60] [backfill=2000]
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SourceKind } from '@tributary/core';
import pg from 'pg';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { graphqlClient } from '../../apps/api/src/testing/graphql-client.js';
import { startTestInstance } from '../../apps/server/test/test-instance.js';
import { MastodonConnector, MastodonStream } from '../../libs/connectors/mastodon/src/index.js';
import { FakeMastodonServer } from '../../libs/testing/src/mastodon/index.js';
import { setupPostgres, teardownPostgres } from '../../libs/testing/src/postgres.js';

const STATUSES = Math.max(50, Number(process.argv[2] ?? 60));
const BACKFILL = Number(process.argv[3] ?? 2000);
const HOME = { kind: SourceKind.Home, externalId: '' };

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `median ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  ms: number,
  every = 2,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
await setupPostgres();
const fake = await FakeMastodonServer.start();
fake.rateLimit = 1_000_000;
const reader = fake.createAccount('reader');
const authors = Array.from({ length: 20 }, (_, n) => fake.createAccount(`author${n}`));
for (const a of authors) fake.follow(reader, a);
for (let i = 0; i < BACKFILL; i++) {
  fake.post(authors[i % authors.length]!, {
    text: `history ${i} #bench`,
    tags: ['bench'],
    media: i % 5 ? [] : [{ description: 'alt' }],
  });
}
const accessToken = fake.issueToken(reader);

const instance = await startTestInstance({
  ROLE: 'all',
  POLL_INTERVAL_SECONDS: '3600',
  BACKFILL_DEPTH: String(BACKFILL),
  MASTODON_ALLOWED_HOSTS: fake.host,
  MASTODON_ALLOW_HTTP: 'true',
  LOG_LEVEL: 'error',
});
const db = new pg.Client({ connectionString: instance.databaseUrl });
await db.connect();
let stream: MastodonStream | null = null;
try {
  const gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "bench", password: "long enough password") { token } }',
    { i: code },
  );
  const token = signUp.data!.signUp.token;

  // Baseline for 2: the connector alone over the same history.
  const connector = new MastodonConnector({
    instanceOrigin: fake.origin,
    accessToken,
    allowHosts: [fake.host],
    allowHttp: true,
  });
  const b0 = performance.now();
  let cursor: string | null = null;
  let fetched = 0;
  do {
    const page = await connector.fetchOlder(HOME, cursor, 40);
    fetched += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && fetched < BACKFILL);
  const connectorMs = performance.now() - b0;

  // 2. Backfill through the service.
  const t0 = performance.now();
  const linked = await gql<{ linkMastodonAccount: { id: string } }>(
    'mutation($i: String!, $t: String!) { linkMastodonAccount(instance: $i, accessToken: $t) { id } }',
    { i: fake.origin, t: accessToken },
    token,
  );
  const accountId = linked.data!.linkMastodonAccount.id;
  const home = await until(
    'backfill DONE',
    async () => {
      const { rows } = await db.query<{ id: string; backfillState: string; backfillDone: number }>(
        `SELECT id, "backfillState", "backfillDone" FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
        [accountId],
      );
      return rows[0]?.backfillState === 'DONE' && rows[0];
    },
    600_000,
    10,
  );
  const serviceMs = performance.now() - t0;
  const { rows: stored } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM "SourcePost" WHERE "sourceId" = $1`,
    [home.id],
  );

  // 1. Freshness: wait for the leader's stream, then one status at a time.
  await until('the worker stream', async () => fake.openStreams >= 1, 60_000, 50);
  const delivered = new Map<string, number>();
  stream = new MastodonStream({
    streamingUrl: fake.origin,
    instanceOrigin: fake.origin,
    accessToken,
    allowHosts: [fake.host],
    allowHttp: true,
    onStatus: (r) => {
      if ('ok' in r) delivered.set(r.ok.post.nativeId, performance.now());
    },
  });
  stream.start();
  await until(
    'the baseline stream',
    async () => stream?.state === 'open' && fake.openStreams >= 2,
    10_000,
    10,
  );
  await sleep(500);
  const toRow: number[] = [];
  const toClient: number[] = [];
  for (let i = 0; i < STATUSES; i++) {
    const s = performance.now();
    const id = fake.post(authors[i % authors.length]!, { text: `fresh ${i}` });
    const at = await until(
      `status ${id} stored`,
      async () => {
        const { rowCount } = await db.query(
          `SELECT 1 FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`,
          [id],
        );
        return rowCount ? performance.now() : null;
      },
      30_000,
      1,
    );
    toRow.push(at - s);
    const got = await until(`status ${id} on the baseline stream`, async () => delivered.get(id), 5_000, 1);
    toClient.push(got - s);
  }

  console.log(`\n1. freshness over ${STATUSES} statuses (sequential, fake instance on loopback)`);
  console.log(`   published -> row in Post (stream -> sync-source job -> fetch -> store): ${fmt(toRow)}`);
  console.log(`   baseline, published -> bare MastodonStream onStatus:                  ${fmt(toClient)}`);
  console.log(`\n2. backfill of ${BACKFILL} statuses (depth ${BACKFILL}), stored ${stored[0]?.n} rows`);
  console.log(
    `   link mutation -> backfill DONE (worker: fetch, normalize, store): ${(serviceMs / 1000).toFixed(2)} s, ${((Number(stored[0]?.n) / serviceMs) * 1000).toFixed(0)} posts/s`,
  );
  console.log(
    `   baseline, connector fetchOlder alone (${fetched} statuses):          ${(connectorMs / 1000).toFixed(2)} s, ${((fetched / connectorMs) * 1000).toFixed(0)} posts/s`,
  );
  if (fake.violations.length) console.log(`\nfake instance violations: ${fake.violations.length}`);
} finally {
  stream?.close();
  await db.end();
  await instance.stop();
  await fake.close();
  await teardownPostgres();
}
