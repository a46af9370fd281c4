// Freshness and backfill of the Bluesky connector against the reference network (@atproto/dev-env,
// started here in its child process):
//  1. post created on the PDS -> its firehose event received (subscribeRepos), and -> the post
//     returned by a stream-triggered `fetchNewer` of a follower; baseline: a bare XRPC round trip
//     (describeServer) to the same PDS in the same run.
//  2. backfill: `fetchOlder` pages of 100 (HTTP + PDS proxy + AppView + normalization), posts/s;
//     the normalizer alone over the same entries; baseline: structuredClone of the same entries.
// Run: node --import @swc-node/register/esm-register tools/bench/bluesky-freshness.bench.ts [posts=60] [backfill=1000]
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SourceKind } from '@tributary/core';
import {
  BlueskyConnector,
  BlueskySession,
  normalizeFeedViewPost,
  subscribeRepos,
} from '../../libs/connectors/bluesky/src/index.js';
import type { RepoEvent } from '../../libs/connectors/bluesky/src/index.js';
import {
  blueskyNetwork,
  startBlueskyNetwork,
  stopBlueskyNetwork,
} from '../../libs/testing/src/bluesky-network.js';

const POSTS = Number(process.argv[2] ?? 60);
const BACKFILL = Number(process.argv[3] ?? 1000);
const HOME = { kind: SourceKind.Home, externalId: '' };

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `median ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
const t0 = performance.now();
await startBlueskyNetwork();
const net = await blueskyNetwork();
console.log(`reference network ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

try {
  const [viewer, author] = await Promise.all([net.createAccount('viewer'), net.createAccount('author')]);
  await viewer.agent.follow(author.did);
  await net.processAll();
  const session = await BlueskySession.login({
    service: net.info.pdsUrl,
    hostPolicy: net.hostPolicy,
    identifier: viewer.handle,
    password: viewer.appPassword,
  });
  const connector = new BlueskyConnector(session, { labelers: [] });

  // Baseline: a bare XRPC round trip to the PDS.
  const rtt: number[] = [];
  for (let i = 0; i < POSTS; i++) {
    const s = performance.now();
    await fetch(`${net.info.pdsUrl}/xrpc/com.atproto.server.describeServer`).then((r) => r.arrayBuffer());
    rtt.push(performance.now() - s);
  }

  // 1. Freshness.
  const seenAt = new Map<string, number>();
  const sub = subscribeRepos({
    service: net.info.pdsUrl,
    cursor: null,
    onEvent: (e: RepoEvent) => void (e.action === 'create' && seenAt.set(e.uri, performance.now())),
  });
  const warm = await author.agent.post({ text: 'warm-up' });
  while (!seenAt.has(warm.uri)) await sleep(5);
  let marker = (await connector.fetchNewer(HOME, null, 100)).marker;

  const toEvent: number[] = [];
  const toTimeline: number[] = [];
  for (let i = 0; i < POSTS; i++) {
    const start = performance.now();
    const { uri } = await author.agent.post({ text: `freshness ${i}` });
    while (!seenAt.has(uri)) await sleep(1);
    toEvent.push((seenAt.get(uri) as number) - start);
    // The stream-triggered sync: ask until the AppView has indexed it.
    for (;;) {
      const newer = await connector.fetchNewer(HOME, marker, 100);
      marker = newer.marker;
      if (newer.items.some((it) => it.post.uri === uri)) break;
      await sleep(10);
    }
    toTimeline.push(performance.now() - start);
  }
  await sub.stop();
  console.log(`\nfreshness over ${POSTS} posts (sequential)`);
  console.log(`  baseline XRPC round trip (describeServer): ${fmt(rtt)}`);
  console.log(
    `  createRecord -> firehose event:            ${fmt(toEvent)}  (${(pct(toEvent, 50) / pct(rtt, 50)).toFixed(1)}× baseline median)`,
  );
  console.log(`  createRecord -> in follower's fetchNewer:  ${fmt(toTimeline)}`);

  // 2. Backfill: author writes BACKFILL posts in batches of 200 (applyWrites).
  for (let done = 0; done < BACKFILL; done += 200) {
    const n = Math.min(200, BACKFILL - done);
    await author.agent.com.atproto.repo.applyWrites({
      repo: author.did,
      writes: Array.from({ length: n }, (_, k) => ({
        $type: 'com.atproto.repo.applyWrites#create' as const,
        collection: 'app.bsky.feed.post',
        value: {
          $type: 'app.bsky.feed.post',
          text: `backfill ${done + k} with a link https://example.com/${done + k} and #bench`,
          facets: [
            {
              index: { byteStart: 22, byteEnd: 22 + `https://example.com/${done + k}`.length },
              features: [{ $type: 'app.bsky.richtext.facet#link', uri: `https://example.com/${done + k}` }],
            },
          ],
          langs: ['en'],
          createdAt: new Date(Date.now() - (BACKFILL - done - k) * 1000).toISOString(),
        },
      })),
    });
  }
  await net.processAll();

  const raw: unknown[] = [];
  const fb = performance.now();
  let cursor: string | null = null;
  let fetched = 0;
  do {
    const page = await connector.fetchOlder(HOME, cursor, 100);
    fetched += page.items.length;
    raw.push(...page.items.map((it) => it.post.raw));
    cursor = page.nextCursor;
  } while (cursor);
  const fetchMs = performance.now() - fb;

  const ROUNDS = 20;
  const nb = performance.now();
  let ok = 0;
  for (let r = 0; r < ROUNDS; r++) for (const e of raw) if (normalizeFeedViewPost(e).ok) ok++;
  const normMs = performance.now() - nb;
  const cb = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const e of raw) structuredClone(e);
  const cloneMs = performance.now() - cb;

  console.log(`\nbackfill of the home timeline (${fetched} entries, pages of 100)`);
  console.log(
    `  fetchOlder (HTTP + PDS proxy + AppView + normalize): ${(fetched / (fetchMs / 1000)).toFixed(0)} posts/s (${fetchMs.toFixed(0)} ms)`,
  );
  console.log(
    `  normalizeFeedViewPost alone:                          ${((ok / normMs) * 1000).toFixed(0)} posts/s`,
  );
  console.log(
    `  baseline structuredClone of the same entries:         ${(((raw.length * ROUNDS) / cloneMs) * 1000).toFixed(0)} posts/s (normalize = ${(normMs / cloneMs).toFixed(2)}× clone time)`,
  );
} finally {
  await stopBlueskyNetwork();
}
