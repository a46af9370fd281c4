// Backfill throughput of the Mastodon connector (HTTP + JSON + normalization) against the fake
// Mastodon on loopback, next to a bare fetch + JSON.parse over the same pages in the same run.
// Run: npm run bench -- tools/bench/mastodon-ingest.bench.ts [posts]
import { cpus, totalmem } from 'node:os';
import {
  MastodonConnector,
  normalizeStatus,
  parseAsMasto,
  parseLinkHeader,
} from '../../libs/connectors/mastodon/src/index.js';
import { FakeMastodonServer } from '../../libs/testing/src/mastodon/index.js';

const POSTS = Number(process.argv[2] ?? 4000);
const ROUNDS = 3;

const server = await FakeMastodonServer.start();
server.rateLimit = 1_000_000;
const reader = server.createAccount('reader');
const authors = Array.from({ length: 20 }, (_, n) => server.createAccount(`author${n}`));
for (const a of authors) server.follow(reader, a);
for (let i = 0; i < POSTS; i++) {
  const a = authors[i % authors.length]!;
  server.post(a, {
    html: `<p>Post ${i} with a <a href="https://example.com/${i}">link</a> and <a href="${server.origin}/tags/bench" class="mention hashtag" rel="tag">#<span>bench</span></a><br />second line &amp; more</p>`,
    tags: ['bench'],
    spoilerText: i % 10 === 0 ? 'cw' : '',
    media: i % 5 === 0 ? [{ description: 'alt text', focus: { x: 0.1, y: 0.2 } }] : [],
    card: i % 7 === 0 ? { url: `https://example.com/${i}`, title: 'A card' } : undefined,
  });
}
const token = server.issueToken(reader);
const home = `${server.origin}/api/v1/timelines/home`;

async function bare(): Promise<{ statuses: number; raw: unknown[] }> {
  let url: string | null = `${home}?limit=40`;
  let statuses = 0;
  const raw: unknown[] = [];
  while (url) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const page = JSON.parse(await res.text()) as unknown[];
    if (page.length === 0) break;
    statuses += page.length;
    raw.push(...page);
    url = parseLinkHeader(res.headers.get('link')).next?.href ?? null;
  }
  return { statuses, raw };
}

async function connector(): Promise<number> {
  const c = new MastodonConnector({
    instanceOrigin: server.origin,
    accessToken: token,
    allowHosts: [server.host],
    allowHttp: true,
  });
  let cursor: string | null = null;
  let items = 0;
  for (;;) {
    const page = await c.fetchOlder({ kind: 'HOME', externalId: '' }, cursor, 40);
    items += page.items.length + page.skipped.length;
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return items;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
console.log(
  `posts: ${POSTS}, pages of 40, fake server validates every response against the OpenAPI description`,
);
await bare();
await connector(); // warm-up
for (let r = 1; r <= ROUNDS; r++) {
  const b = await time(bare);
  const c = await time(connector);
  if (b.value.statuses !== POSTS || c.value !== POSTS)
    throw new Error(`counts: bare ${b.value.statuses}, connector ${c.value}`);
  // The normalizer reads statuses in masto's (camelCase) shape, as the connector hands them over.
  const shaped = b.value.raw.map((s) => parseAsMasto(JSON.stringify(s)));
  const t0 = performance.now();
  for (const s of shaped) normalizeStatus(s, server.origin);
  const norm = performance.now() - t0;
  console.log(
    `round ${r}: bare fetch+JSON.parse ${(POSTS / (b.ms / 1000)).toFixed(0)} posts/s | connector fetch+normalize ${(POSTS / (c.ms / 1000)).toFixed(0)} posts/s | ratio ${(b.ms / c.ms).toFixed(2)} | normalize alone ${(POSTS / (norm / 1000)).toFixed(0)} posts/s`,
  );
}
if (server.violations.length) throw new Error(`violations: ${server.violations.slice(0, 3).join('; ')}`);
await server.close();
