// Upstream cost of Bluesky ingest through a whole Tributary (API + worker, polling off) and the
// reference network (@atproto/dev-env, started here in its child process): the requests Tributary
// sends to the PDS per new post, per member following its author. Counted by a proxy in front of
// the PDS that the members' accounts are linked through, each request attributed to the account
// whose token it carries. For each N: N members (one account each) follow a new author; once their
// backfills and first syncs are done, the author writes POSTS posts SPACING ms apart, and requests
// are counted from the first post until 40 s after the last (the stream's last check is at 15 s).
// Also: post created -> in each member's home source (`SourcePost.seenAt`); baseline in the same
// run: the same posts' firehose events, received by a subscriber in this process. The floor for
// requests is one getTimeline per post per member (a sync that finds the post at once).
// Run: node --import @swc-node/register/esm-register tools/bench/bluesky-upstream-cost.bench.ts [members=1,5,20] [posts=5] [spacingMs=10000]
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { graphqlClient } from '../../apps/api/src/testing/graphql-client.js';
import { linkBluesky } from '../../apps/server/test/link-accounts.js';
import { startTestInstance } from '../../apps/server/test/test-instance.js';
import { waitFor } from '../../apps/server/test/wait-for.js';
import { BlueskyFirehoseService } from '../../apps/worker/src/streams/bluesky-firehose.service.js';
import { subscribeRepos } from '../../libs/connectors/bluesky/src/index.js';
import {
  blueskyNetwork,
  startBlueskyNetwork,
  stopBlueskyNetwork,
} from '../../libs/testing/src/bluesky-network.js';
import { startCountingProxy } from '../../libs/testing/src/bluesky/counting-proxy.js';
import { setupPostgres, teardownPostgres } from '../../libs/testing/src/postgres.js';

const MEMBERS = (process.argv[2] ?? '1,5,20').split(',').map(Number);
const POSTS = Number(process.argv[3] ?? 5);
const SPACING_MS = Number(process.argv[4] ?? 10_000);
const TAIL_MS = 40_000;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `median ${(pct(xs, 50) / 1000).toFixed(2)} s, p90 ${(pct(xs, 90) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s (n=${xs.length})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
await setupPostgres();
await startBlueskyNetwork();
const net = await blueskyNetwork();
const proxy = await startCountingProxy(net.info.pdsUrl);
const instance = await startTestInstance({
  ROLE: 'all',
  POLL_INTERVAL_SECONDS: '3600',
  BACKFILL_DEPTH: '20',
  BLUESKY_ALLOWED_HOSTS: [new URL(net.info.pdsUrl).host, new URL(proxy.url).host].join(','),
  BLUESKY_ALLOW_HTTP: 'true',
});
const db = new pg.Client({ connectionString: instance.databaseUrl });
await db.connect();
const eventAt = new Map<string, number>();
const sub = subscribeRepos({
  service: net.info.pdsUrl,
  cursor: null,
  onEvent: (e) => void (e.action === 'create' && eventAt.set(e.uri, Date.now())),
});

try {
  const gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps[1]!.get(AuthService);
  const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
  let linkedSoFar = 0;
  const rows: string[] = [];

  for (const [round, n] of MEMBERS.entries()) {
    const author = await net.createAccount('author');
    const followers = [];
    for (let i = 0; i < n; i++) followers.push(await net.createAccount(`m${i}`));
    await Promise.all(followers.map((f) => f.agent.follow(author.did)));
    await author.agent.post({ text: 'before linking' });
    await net.processAll();

    const homes: string[] = [];
    for (const [i, follower] of followers.entries()) {
      const { code } = await auth.createInvite(null, 'MEMBER');
      // A distinct address per member: the bench signs up more members than one address may per hour.
      const { token } = await auth.signUp(
        code,
        `r${round}m${i}`,
        'long enough password',
        'bench',
        `10.0.${round}.${i}`,
      );
      await linkBluesky(gql, token, follower, proxy.url);
      const { rows: home } = await db.query<{ id: string }>(
        `SELECT s.id FROM "Source" s JOIN "LinkedAccount" a ON a.id = s."linkedAccountId"
         WHERE a."networkAccountId" = $1 AND s.kind = 'HOME'`,
        [follower.did],
      );
      homes.push(home[0]!.id);
    }
    linkedSoFar += n;
    await waitFor(
      'backfills and first syncs done, stream ready',
      async () => {
        const { rows: pending } = await db.query(
          `SELECT 1 FROM "Source" WHERE id = ANY($1) AND ("backfillState" <> 'DONE' OR "lastSyncedAt" IS NULL)`,
          [homes],
        );
        return pending.length === 0 && firehose.status.ready >= linkedSoFar;
      },
      300_000,
      200,
    );
    await sleep(2_000);

    proxy.reset();
    const started = Date.now();
    const createdAt = new Map<string, number>();
    for (let i = 0; i < POSTS; i++) {
      const at = Date.now();
      const post = await author.agent.post({ text: `news ${i} for ${n} members` });
      createdAt.set(post.uri, Date.now());
      if (i < POSTS - 1) await sleep(Math.max(0, SPACING_MS - (Date.now() - at)));
    }
    await sleep(Math.max(0, started + (POSTS - 1) * SPACING_MS + TAIL_MS - Date.now()));
    const windowS = (Date.now() - started) / 1000;

    const perMethod: Record<string, number> = {};
    let requests = 0;
    for (const follower of followers) {
      for (const [method, count] of Object.entries(proxy.counts(follower.did))) {
        perMethod[method] = (perMethod[method] ?? 0) + count;
        requests += count;
      }
    }
    const uris = [...createdAt.keys()];
    const { rows: seen } = await db.query<{ uri: string; at: number }>(
      `SELECT p.uri, EXTRACT(EPOCH FROM sp."seenAt") * 1000 AS at
       FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
       WHERE p.uri = ANY($1) AND sp."sourceId" = ANY($2)`,
      [uris, homes],
    );
    const toTimeline = seen.map((r) => Number(r.at) - createdAt.get(r.uri)!);
    const toEvent = uris.filter((u) => eventAt.has(u)).map((u) => eventAt.get(u)! - createdAt.get(u)!);
    const methods = Object.entries(perMethod)
      .sort((a, b) => b[1] - a[1])
      .map(([m, c]) => `${m.replace(/^.*\./, '')} ${c}`)
      .join(', ');
    console.log(`\n${n} member(s) following one author, ${POSTS} posts ${SPACING_MS / 1000} s apart:`);
    console.log(`  requests in ${windowS.toFixed(0)} s: ${requests} (${methods})`);
    console.log(
      `  per post: ${(requests / POSTS).toFixed(1)}, per post per member: ${(requests / POSTS / n).toFixed(2)} (floor: 1.00)`,
    );
    console.log(`  post -> in a member's home source (${seen.length}/${POSTS * n}): ${fmt(toTimeline)}`);
    console.log(`  baseline, post -> its firehose event:   ${fmt(toEvent)}`);
    rows.push(
      `| ${n} | ${requests} | ${(requests / POSTS).toFixed(1)} | ${(requests / POSTS / n).toFixed(2)} | ${(pct(toTimeline, 50) / 1000).toFixed(2)} s / ${(Math.max(...toTimeline) / 1000).toFixed(2)} s |`,
    );
  }
  console.log(
    '\n| following members | requests | per post | per post per member | post -> home, median / max |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
} finally {
  await sub.stop();
  await db.end();
  await instance.stop();
  await proxy.close();
  await stopBlueskyNetwork();
  await teardownPostgres();
}
