// Freshness of the live timeline through the instance's Jetstream with fan-out on write: from a
// post created on the reference Bluesky network (@atproto/dev-env, started here in its child
// process) to its `timelineUpdated` event on a graphql-ws subscription of a follower, through a
// whole Tributary (API + worker, polling effectively off): PDS firehose -> Jetstream (libs/testing's
// JetstreamServer, zstd) -> stream leader -> fanout-posts job -> AppView getPosts -> Post row ->
// pipeline job -> TimelineEntry -> Redis -> API subscriber -> WebSocket. POSTS posts, one every
// SPACING ms. Goal: p99 <= 1 s.
// Baseline in the same run: the same posts on the Jetstream itself (a plain subscriber in this
// process, same server, same filter): what no consumer of that stream can beat; and where the rest
// goes (the Post row's `ingestedAt`).
// Run: node --import @swc-node/register/esm-register tools/bench/bluesky-stream-freshness.bench.ts [posts=100] [spacingMs=300]
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { UserEventsService } from '../../apps/api/src/live/user-events.service.js';
import { graphqlClient } from '../../apps/api/src/testing/graphql-client.js';
import { liveClient } from '../../apps/api/src/testing/graphql-ws-client.js';
import { startTestInstance } from '../../apps/server/test/test-instance.js';
import { waitFor } from '../../apps/server/test/wait-for.js';
import { BlueskyFanoutService } from '../../apps/worker/src/streams/bluesky-fanout.service.js';
import { subscribeJetstream } from '../../libs/connectors/bluesky/src/index.js';
import {
  blueskyNetwork,
  startBlueskyNetwork,
  stopBlueskyNetwork,
} from '../../libs/testing/src/bluesky-network.js';
import { JetstreamServer } from '../../libs/testing/src/bluesky/jetstream-server.js';
import { setupPostgres, teardownPostgres } from '../../libs/testing/src/postgres.js';

const POSTS = Number(process.argv[2] ?? 100);
const SPACING_MS = Number(process.argv[3] ?? 300);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ${load()}`,
);
await setupPostgres();
await startBlueskyNetwork();
const net = await blueskyNetwork();
const jetstream = await JetstreamServer.start({ pdsUrls: [net.info.pdsUrl], plcUrl: net.info.plcUrl });
const instance = await startTestInstance({
  ROLE: 'all',
  POLL_INTERVAL_SECONDS: '3600',
  BACKFILL_DEPTH: '10',
  BLUESKY_JETSTREAM_URL: jetstream.url,
  BLUESKY_APPVIEW_URL: net.info.appviewUrl,
});
const db = new pg.Client({ connectionString: instance.databaseUrl });
await db.connect();
const api = instance.running.apps.at(-1)!;
let live: ReturnType<typeof liveClient> | null = null;

try {
  const gql = graphqlClient(instance.apiUrl);
  const { code } = await api.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "bench", password: "long enough password") { token } }',
    { i: code },
  );
  const token = signUp.data!.signUp.token;
  const [viewer, author] = await Promise.all([net.createAccount('viewer'), net.createAccount('author')]);
  await viewer.agent.follow(author.did);
  const linked = await gql(
    'mutation($i: String!, $p: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { id } }',
    { i: viewer.handle, p: viewer.appPassword, s: net.info.pdsUrl },
    token,
  );
  if (linked.errors) throw new Error(JSON.stringify(linked.errors));
  const fanout = instance.running.apps[0]!.get(BlueskyFanoutService);
  await waitFor(
    'the stream leader watching the author',
    async () => fanout.isReady(viewer.did) && fanout.isWatching(author.did),
    60_000,
  );

  live = liveClient(instance.apiUrl, token);
  await live.acknowledged;
  const updatedAt = new Map<string, number>();
  const stopUpdates = live.client.subscribe<{ timelineUpdated: { items: { post: { uri: string } }[] } }>(
    { query: 'subscription { timelineUpdated { items { post { uri } } } }' },
    {
      next: (result) => {
        const at = Date.now();
        for (const item of result.data?.timelineUpdated.items ?? []) updatedAt.set(item.post.uri, at);
      },
      error: (error) => console.error('subscription failed', error),
      complete: () => {},
    },
  );
  await waitFor('subscribed', async () => api.get(UserEventsService).stats.listeners === 1, 30_000);

  const eventAt = new Map<string, number>();
  const sub = subscribeJetstream({
    urls: [jetstream.url],
    cursor: null,
    collections: ['app.bsky.feed.post'],
    wantedDids: [author.did],
    onEvent: (e) => void (e.action === 'create' && eventAt.set(e.uri, Date.now())),
  });
  const warm = await author.agent.post({ text: 'warm-up' });
  await waitFor('warm-up update', async () => updatedAt.has(warm.uri), 60_000, 5);

  console.log(`\n${POSTS} posts, one every ${SPACING_MS} ms; ${load()}`);
  const createdAt = new Map<string, number>();
  for (let i = 0; i < POSTS; i++) {
    const started = Date.now();
    const post = await author.agent.post({ text: `fresh ${i} ${started}` });
    createdAt.set(post.uri, Date.now());
    await sleep(Math.max(0, SPACING_MS - (Date.now() - started)));
  }
  const uris = [...createdAt.keys()];
  await waitFor('every post delivered', async () => uris.every((u) => updatedAt.has(u)), 120_000, 100);
  await sub.stop();
  const { rows } = await db.query<{ uri: string; at: Date }>(
    `SELECT uri, "ingestedAt" AS at FROM "Post" WHERE uri = ANY($1)`,
    [uris],
  );
  const ingestedAt = new Map(rows.map((r) => [r.uri, r.at.getTime()]));
  const since = (m: Map<string, number>) =>
    uris.filter((u) => m.has(u)).map((u) => m.get(u)! - createdAt.get(u)!);

  console.log(`createRecord returned -> timelineUpdated on the WebSocket: ${fmt(since(updatedAt))}`);
  console.log(`  of which: createRecord -> Post row (ingest):           ${fmt(since(ingestedAt))}`);
  console.log(
    `  Post row -> timelineUpdated (pipeline, Redis, API):    ${fmt(uris.map((u) => updatedAt.get(u)! - ingestedAt.get(u)!))}`,
  );
  console.log(`baseline, createRecord returned -> Jetstream event:      ${fmt(since(eventAt))}`);
  console.log(
    `  Jetstream event -> timelineUpdated (Tributary's part):  ${fmt(uris.map((u) => updatedAt.get(u)! - eventAt.get(u)!))}`,
  );
  const p99 = pct(since(updatedAt), 99);
  console.log(
    `goal p99 <= 1000 ms: ${p99 <= 1000 ? 'met' : 'NOT met'} (p99 ${p99.toFixed(0)} ms); ${load()}`,
  );
  const { rows: hydrations } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Post" WHERE uri = ANY($1)`,
    [uris],
  );
  console.log(
    `${hydrations[0]!.n} of ${uris.length} posts stored; Jetstream bytes sent: ${jetstream.bytesSent}`,
  );
  stopUpdates();
} finally {
  await live?.dispose();
  await db.end();
  await instance.stop();
  await jetstream.close();
  await stopBlueskyNetwork();
  await teardownPostgres();
}
