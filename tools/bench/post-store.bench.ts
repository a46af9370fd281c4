// Bulk ingest throughput: 100k synthetic posts in batches of 500 through upsertIngested (Prisma
// raw SQL, one transaction per batch: authors + posts + source rows, with conflict handling)
// against PostgreSQL, and a baseline in the same run: the same rows as bare multi-row INSERTs over
// node-postgres into an identical empty database. Prints posts/s, the ratio and the machine.
//   node --import @swc-node/register/esm-register tools/bench/post-store.bench.ts [total] [batch]
import { cpus, totalmem } from 'node:os';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import pg from 'pg';
import type { IngestedItem, Post } from '@tributary/core';
import { applyMigrations, openDatabase, upsertIngested } from '@tributary/db';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';

const TOTAL = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 500);
const AUTHORS = 5_000;

function synthetic(n: number): Post {
  const a = n % AUTHORS;
  const did = `did:plc:bench${a.toString().padStart(6, '0')}`;
  const text = `Synthetic post ${n} with a link https://example.com/${n} and #tag${n % 50} `.repeat(3);
  return {
    network: 'BLUESKY',
    uri: `at://${did}/app.bsky.feed.post/${n.toString(36)}`,
    nativeId: `bafyrei${n.toString(36).padStart(20, 'x')}`,
    webUrl: `https://bsky.app/profile/${did}/post/${n.toString(36)}`,
    author: {
      network: 'BLUESKY',
      networkId: did,
      handle: `bench${a}.test`,
      displayName: `Bench ${a}`,
      avatarUrl: null,
      bot: false,
    },
    text,
    richText: { segments: [{ type: 'text', text }] },
    languages: ['en'],
    createdAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    indexedAt: new Date(Date.UTC(2026, 0, 1) + n * 1000 + 500).toISOString(),
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: n % 3, reposts: n % 5, likes: n % 17, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [`tag${n % 50}`],
    raw: {
      $type: 'app.bsky.feed.post',
      text,
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
      langs: ['en'],
    },
  };
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: testPostgresUrl() });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

async function freshDatabase(name: string): Promise<string> {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = testDatabaseUrl(name);
  await applyMigrations({ url });
  return url;
}

async function seedSource(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ id: string }>(`
    WITH u AS (INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), 'bench', 'x') RETURNING id),
         a AS (INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
               SELECT gen_random_uuid(), id, 'BLUESKY', 'did:plc:me', 'me.test', 'http://localhost', 'x', now() FROM u RETURNING id)
    INSERT INTO "Source" (id, "linkedAccountId", kind) SELECT gen_random_uuid(), id, 'HOME' FROM a RETURNING id`);
  return rows[0]!.id;
}

function batches<T>(all: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(all.slice(i, i + BATCH));
  return out;
}

function placeholders(rows: number, cols: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`,
  ).join(',');
}

/** The same rows as bare multi-row INSERTs (no conflict handling, no Prisma), one transaction per batch. */
async function baselineRunner(url: string, posts: Post[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sourceId = await seedSource(client);
  const authorIds = new Map<string, string>();
  return {
    async batch(chunk: Post[]): Promise<void> {
      await client.query('BEGIN');
      const fresh = [
        ...new Map(
          chunk.filter((p) => !authorIds.has(p.author.networkId)).map((p) => [p.author.networkId, p.author]),
        ).values(),
      ];
      if (fresh.length > 0) {
        const { rows } = await client.query<{ id: string; networkId: string }>(
          `INSERT INTO "Author" (network, "networkId", handle, "displayName", "avatarUrl", bot) VALUES ${placeholders(fresh.length, 6)} RETURNING id, "networkId"`,
          fresh.flatMap((a) => [a.network, a.networkId, a.handle, a.displayName, a.avatarUrl, a.bot]),
        );
        for (const r of rows) authorIds.set(r.networkId, r.id);
      }
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO "Post" (network, uri, "nativeId", "authorId", data, raw, "createdAt") VALUES ${placeholders(chunk.length, 7)} RETURNING id`,
        chunk.flatMap(({ raw, ...data }) => [
          data.network,
          data.uri,
          data.nativeId,
          authorIds.get(data.author.networkId),
          JSON.stringify(data),
          JSON.stringify(raw),
          data.createdAt,
        ]),
      );
      await client.query(
        `INSERT INTO "SourcePost" ("sourceId", "postId", reason) VALUES ${placeholders(rows.length, 3)}`,
        rows.flatMap((r) => [sourceId, r.id, null]),
      );
      await client.query('COMMIT');
    },
    close: () => client.end(),
    posts,
  };
}

async function storeRunner(url: string) {
  const seed = new pg.Client({ connectionString: url });
  await seed.connect();
  const sourceId = await seedSource(seed).finally(() => seed.end());
  const db = await openDatabase({ url });
  return {
    batch: async (chunk: IngestedItem[]) =>
      (await upsertIngested(db.prisma, sourceId, chunk, NETWORK_TRUST_DOMAIN)).newPostIds.length,
    close: () => db.close(),
  };
}

const stamp = Date.now().toString(36);
const posts = Array.from({ length: TOTAL }, (_, n) => synthetic(n));
const items: IngestedItem[] = posts.map((post) => ({ post, reason: null }));
const bytes = posts.reduce((s, p) => s + JSON.stringify(p).length, 0);

const storeUrl = await freshDatabase(`tributary_bench_store_${stamp}`);
const baseUrl = await freshDatabase(`tributary_bench_base_${stamp}`);
try {
  const pgVersion = await (async () => {
    const c = new pg.Client({ connectionString: storeUrl });
    await c.connect();
    return (
      await c.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v').finally(() => c.end())
    ).rows[0]!.v;
  })();
  // Baseline and store batches alternate so both see the same machine load.
  const base = await baselineRunner(baseUrl, posts);
  const store = await storeRunner(storeUrl);
  let baseMs = 0;
  let firstMs = 0;
  let againMs = 0;
  let newPosts = 0;
  const postBatches = batches(posts);
  const itemBatches = batches(items);
  for (let i = 0; i < postBatches.length; i++) {
    let t0 = performance.now();
    await base.batch(postBatches[i]!);
    baseMs += performance.now() - t0;
    t0 = performance.now();
    newPosts += await store.batch(itemBatches[i]!);
    firstMs += performance.now() - t0;
  }
  for (const chunk of itemBatches) {
    const t0 = performance.now();
    newPosts -= await store.batch(chunk); // idempotent: must report nothing new
    againMs += performance.now() - t0;
  }
  await base.close();
  await store.close();
  if (newPosts !== TOTAL) throw new Error(`expected ${TOTAL} new posts once, got ${newPosts} net`);
  const rate = (ms: number) => Math.round((TOTAL / ms) * 1000);
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, PostgreSQL ${pgVersion}`,
  );
  console.log(
    `workload: ${TOTAL} posts (${AUTHORS} authors), batches of ${BATCH}, avg ${Math.round(bytes / TOTAL)} B/post JSON`,
  );
  console.log(
    `baseline  raw multi-row INSERT (pg):      ${rate(baseMs).toLocaleString('en')} posts/s (${(baseMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `upsertIngested, new posts:                ${rate(firstMs).toLocaleString('en')} posts/s (${(firstMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `upsertIngested, same batches again:       ${rate(againMs).toLocaleString('en')} posts/s (${(againMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `ratio upsertIngested / baseline:          ${(baseMs / firstMs).toFixed(2)} (new), ${(baseMs / againMs).toFixed(2)} (again)`,
  );
} finally {
  await admin(`DROP DATABASE IF EXISTS "tributary_bench_store_${stamp}" WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS "tributary_bench_base_${stamp}" WITH (FORCE)`);
}
