// The trust_domains migration on a database that already holds shared rows: Mastodon posts and
// authors go to the instance that delivered them, rows two instances delivered are split with every
// link following its instance, Bluesky rows stay the network's, and ingest carries on from there.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { openDatabase } from './database.js';
import { DEFAULT_MIGRATIONS_DIR, applyMigrations } from './migrations.js';
import { upsertIngested } from './post-store.js';

jest.setTimeout(60_000);

const MIGRATION = '20261207023053_trust_domains';
const A = 'https://a.example';
const B = 'https://b.example';
const name = `tributary_trust_${Date.now().toString(36)}_${process.pid}`;
const url = testDatabaseUrl(name);
let db: pg.Client;
let before: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.query(sql, params)).rows[0] as T;
}

/** The database as the migration finds it: ids of what the assertions need. */
const ids: Partial<Record<string, string>> = {};

beforeAll(async () => {
  await admin(`CREATE DATABASE "${name}"`);
  // Every migration before this one.
  before = await mkdtemp(join(tmpdir(), 'tributary-trust-migration-'));
  const dir = join(before, 'migrations');
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  // This one and every later one: they run after the data is in, in order, as on a deployment.
  const later = (await readdir(dir)).filter((name) => /^\d/.test(name) && name >= MIGRATION).sort();
  for (const name of later) await rm(join(dir, name), { recursive: true });
  expect((await readdir(dir)).includes(MIGRATION)).toBe(false);
  await applyMigrations({ url }, { migrationsDir: dir });
  db = new pg.Client({ connectionString: url });
  await db.connect();

  const user = async (n: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), $1, 'x') RETURNING id`,
        [n],
      )
    ).id;
  const account = async (userId: string, network: string, serviceUrl: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
         VALUES (gen_random_uuid(), $1::uuid, $2, $1::text, 'h', $3, 'sealed', now()) RETURNING id`,
        [userId, network, serviceUrl],
      )
    ).id;
  const home = async (accountId: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "Source" (id, "linkedAccountId", kind) VALUES (gen_random_uuid(), $1, 'HOME') RETURNING id`,
        [accountId],
      )
    ).id;
  const pipeline = async (userId: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "Pipeline" (id, "userId", name, spec, "updatedAt") VALUES (gen_random_uuid(), $1, 'p', '{}', now()) RETURNING id`,
        [userId],
      )
    ).id;
  const author = async (network: string, networkId: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "Author" (network, "networkId", handle) VALUES ($1, $2, 'h') RETURNING id::text`,
        [network, networkId],
      )
    ).id;
  const post = async (network: string, uri: string, nativeId: string, authorId: string) =>
    (
      await one<{ id: string }>(
        `INSERT INTO "Post" (network, uri, "nativeId", "authorId", data, raw, "createdAt")
         VALUES ($1, $2, $3, $4, $5, '{}', now()) RETURNING id::text`,
        [network, uri, nativeId, authorId, JSON.stringify({ uri, text: 'as stored' })],
      )
    ).id;
  const seen = (sourceId: string, postId: string, seenAt: string) =>
    db.query(`INSERT INTO "SourcePost" ("sourceId", "postId", "seenAt") VALUES ($1, $2, $3)`, [
      sourceId,
      postId,
      seenAt,
    ]);
  const entry = (userId: string, pipelineId: string, postId: string) =>
    db.query(
      `INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", decisions, "seenIn", "pipelineVersion")
       VALUES ($1, $2, $3, 1, '[]', '[]', 1)`,
      [userId, pipelineId, postId],
    );
  const thread = (accountId: string, postId: string, postIds: string[]) =>
    db.query(
      `INSERT INTO "ThreadCache" ("linkedAccountId", "postId", "ancestorIds", replies, "postIds", "fetchedAt")
       VALUES ($1, $2, '{}', '[]', $3::bigint[], now())`,
      [accountId, postId, postIds],
    );

  // Ann reads through instance A, Ben through instance B (stored with a trailing slash), Cat on Bluesky.
  ids.ann = await user('ann');
  ids.ben = await user('ben');
  ids.cat = await user('cat');
  ids.annAccount = await account(ids.ann, 'MASTODON', A);
  ids.benAccount = await account(ids.ben, 'MASTODON', `${B}/`);
  ids.catAccount = await account(ids.cat, 'BLUESKY', 'https://bsky.social');
  ids.annHome = await home(ids.annAccount);
  ids.benHome = await home(ids.benAccount);
  ids.catHome = await home(ids.catAccount);
  ids.annPipeline = await pipeline(ids.ann);
  ids.benPipeline = await pipeline(ids.ben);
  ids.carol = await author('MASTODON', `${A}/users/carol`);
  ids.dora = await author('BLUESKY', 'did:plc:dora');
  // Carol's status, stored through A first and later also seen through B: one shared row.
  ids.shared = await post('MASTODON', `${A}/users/carol/statuses/1`, '1', ids.carol);
  await seen(ids.annHome, ids.shared, '2026-01-01T00:00:00Z');
  await seen(ids.benHome, ids.shared, '2026-01-02T00:00:00Z');
  await entry(ids.ann, ids.annPipeline, ids.shared);
  await entry(ids.ben, ids.benPipeline, ids.shared);
  // Another of hers only B delivered; a thread Ben opened through B holds both.
  ids.onlyB = await post('MASTODON', `${A}/users/carol/statuses/2`, '777', ids.carol);
  await seen(ids.benHome, ids.onlyB, '2026-01-02T00:00:00Z');
  await thread(ids.benAccount, ids.onlyB, [ids.onlyB, ids.shared]);
  await thread(ids.annAccount, ids.shared, [ids.shared]);
  ids.bluesky = await post('BLUESKY', 'at://did:plc:dora/app.bsky.feed.post/1', 'cid1', ids.dora);
  await seen(ids.catHome, ids.bluesky, '2026-01-01T00:00:00Z');
  ids.orphan = await post('MASTODON', `${A}/users/carol/statuses/3`, '3', ids.carol);

  expect((await applyMigrations({ url })).applied[0]).toBe(MIGRATION);
});

afterAll(async () => {
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (before) await rm(before, { recursive: true, force: true });
});

async function rowsOf(uri: string) {
  return (
    await db.query<{ id: string; trustDomain: string; nativeId: string; authorDomain: string }>(
      `SELECT p.id::text, p."trustDomain", p."nativeId", a."trustDomain" AS "authorDomain"
       FROM "Post" p JOIN "Author" a ON a.id = p."authorId" WHERE p.uri = $1 ORDER BY p.id`,
      [uri],
    )
  ).rows;
}

const linkedPost = async (table: 'SourcePost' | 'TimelineEntry', column: string, value: string | undefined) =>
  (await one<{ id: string }>(`SELECT "postId"::text AS id FROM "${table}" WHERE "${column}" = $1`, [value]))
    .id;

it('gives a row two instances delivered to the first one, and the other its own copy with its links', async () => {
  const [first, copy] = await rowsOf(`${A}/users/carol/statuses/1`);
  expect(first).toEqual({ id: ids.shared, trustDomain: A, nativeId: '1', authorDomain: A });
  // The copy's id there is unknown until B serves the status again.
  expect(copy).toMatchObject({ trustDomain: B, nativeId: '', authorDomain: B });
  expect(await linkedPost('SourcePost', 'sourceId', ids.annHome)).toBe(ids.shared);
  expect(
    (
      await db.query<{ id: string }>(`SELECT "postId"::text AS id FROM "SourcePost" WHERE "sourceId" = $1`, [
        ids.benHome,
      ])
    ).rows
      .map((r) => r.id)
      .sort(),
  ).toEqual([copy!.id, ids.onlyB].sort());
  expect(await linkedPost('TimelineEntry', 'pipelineId', ids.annPipeline)).toBe(ids.shared);
  expect(await linkedPost('TimelineEntry', 'pipelineId', ids.benPipeline)).toBe(copy!.id);
});

it('gives rows one instance delivered to it, leaves Bluesky and undelivered rows to the network', async () => {
  expect(await rowsOf(`${A}/users/carol/statuses/2`)).toEqual([
    { id: ids.onlyB, trustDomain: B, nativeId: '777', authorDomain: B },
  ]);
  expect(await rowsOf('at://did:plc:dora/app.bsky.feed.post/1')).toEqual([
    { id: ids.bluesky, trustDomain: '', nativeId: 'cid1', authorDomain: '' },
  ]);
  expect((await rowsOf(`${A}/users/carol/statuses/3`))[0]).toMatchObject({ id: ids.orphan, trustDomain: '' });
  // Carol has a row per domain that names her.
  const carol = await db.query<{ trustDomain: string }>(
    `SELECT "trustDomain" FROM "Author" WHERE "networkId" = $1 ORDER BY "trustDomain"`,
    [`${A}/users/carol`],
  );
  expect(carol.rows.map((r) => r.trustDomain)).toEqual(['', A, B]);
});

it('drops only the cached threads that held a row now copied for their instance', async () => {
  const threads = await db.query<{ linkedAccountId: string }>(`SELECT "linkedAccountId" FROM "ThreadCache"`);
  expect(threads.rows.map((r) => r.linkedAccountId)).toEqual([ids.annAccount]);
});

it('lets ingest go on: the next status from B refreshes B’s copy in place', async () => {
  const { prisma, close } = await openDatabase({ url });
  try {
    const [, copy] = await rowsOf(`${A}/users/carol/statuses/1`);
    const uri = `${A}/users/carol/statuses/1`;
    const author = {
      network: 'MASTODON' as const,
      networkId: `${A}/users/carol`,
      handle: 'carol@a.example',
      displayName: 'Carol',
      avatarUrl: null,
      bot: false,
    };
    const now = new Date().toISOString();
    const result = await upsertIngested(
      prisma,
      ids.benHome!,
      [
        {
          post: {
            network: 'MASTODON',
            uri,
            nativeId: '555',
            webUrl: null,
            author,
            text: 'from B',
            richText: { segments: [] },
            languages: [],
            createdAt: now,
            indexedAt: now,
            replyParent: null,
            replyRoot: null,
            quote: null,
            media: [],
            linkCard: null,
            counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
            contentWarning: null,
            sensitive: false,
            labels: [],
            visibility: 'public',
            hashtags: [],
            raw: null,
          },
          reason: null,
        },
      ],
      B,
    );
    expect(result.newPostIds).toEqual([]); // Ben's source had it already
    expect(await rowsOf(uri)).toEqual([
      { id: ids.shared, trustDomain: A, nativeId: '1', authorDomain: A },
      { id: copy!.id, trustDomain: B, nativeId: '555', authorDomain: B },
    ]);
  } finally {
    await close();
  }
});
