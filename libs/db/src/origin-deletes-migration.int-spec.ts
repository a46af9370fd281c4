// The origin_deletes_column migration on a database where Mastodon's deletions live in the posts'
// data: each moves to the "deletedAt" column (the one record of a delete at origin, both networks)
// and leaves the data; then ingest goes on without ever clearing it.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import type { Post } from '@tributary/core';
import pg from 'pg';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { openDatabase } from './database.js';
import { DEFAULT_MIGRATIONS_DIR, applyMigrations } from './migrations.js';
import { markDeletedAtOrigin, postDataSql } from './origin-deletes.js';
import { storePosts, upsertIngested } from './post-store.js';

jest.setTimeout(60_000);

const MIGRATION = '20261207063503_origin_deletes_column';
const A = 'https://a.example';
const name = `tributary_deletes_${Date.now().toString(36)}_${process.pid}`;
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

const ids: Partial<Record<string, string>> = {};
const MARKED_AT = '2026-12-01T10:20:30.456Z';
const UPDATED_AT = '2026-12-02T08:00:00.000Z';
const BLUESKY_AT = '2026-11-30T00:00:00.000Z';

/** A Mastodon status of instance A as its connector normalizes it. */
function status(n: number, text = `status ${n}`): Post {
  return {
    network: 'MASTODON',
    uri: `${A}/users/carol/statuses/${n}`,
    nativeId: String(n),
    webUrl: null,
    author: {
      network: 'MASTODON',
      networkId: `${A}/users/carol`,
      handle: 'carol@a.example',
      displayName: 'Carol',
      avatarUrl: null,
      bot: false,
    },
    text,
    richText: { segments: [{ type: 'text', text }] },
    languages: [],
    createdAt: '2026-12-01T00:00:00.000Z',
    indexedAt: '2026-12-01T00:00:00.000Z',
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
    raw: { id: String(n) },
  };
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${name}"`);
  // Every migration before this one.
  before = await mkdtemp(join(tmpdir(), 'tributary-deletes-migration-'));
  const dir = join(before, 'migrations');
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  // This one and every later one: they run after the data is in, in order, as on a deployment.
  const later = (await readdir(dir)).filter((name) => /^\d/.test(name) && name >= MIGRATION).sort();
  for (const name of later) await rm(join(dir, name), { recursive: true });
  await applyMigrations({ url }, { migrationsDir: dir });
  db = new pg.Client({ connectionString: url });
  await db.connect();

  const id = async (sql: string, params: unknown[]) => (await one<{ id: string }>(sql, params)).id;
  ids.user = await id(
    `INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), 'ann', 'x') RETURNING id`,
    [],
  );
  ids.account = await id(
    `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
     VALUES (gen_random_uuid(), $1::uuid, 'MASTODON', 'ann', 'ann@a.example', $2, 'sealed', now()) RETURNING id`,
    [ids.user, A],
  );
  ids.home = await id(
    `INSERT INTO "Source" (id, "linkedAccountId", kind) VALUES (gen_random_uuid(), $1, 'HOME') RETURNING id`,
    [ids.account],
  );
  const carol = await id(
    `INSERT INTO "Author" (network, "networkId", "trustDomain", handle) VALUES ('MASTODON', $1, $2, 'carol') RETURNING id::text`,
    [`${A}/users/carol`, A],
  );
  const dora = await id(
    `INSERT INTO "Author" (network, "networkId", "trustDomain", handle) VALUES ('BLUESKY', 'did:plc:dora', '', 'dora') RETURNING id::text`,
    [],
  );
  const post = (network: string, uri: string, domain: string, authorId: string, data: object) =>
    id(
      `INSERT INTO "Post" (network, uri, "trustDomain", "nativeId", "authorId", data, raw, "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, '{}', now(), $7) RETURNING id::text`,
      [network, uri, domain, uri.split('/').at(-1), authorId, JSON.stringify(data), UPDATED_AT],
    );
  // Statuses deleted at origin as Mastodon's path recorded them: in the data.
  ids.marked = await post('MASTODON', status(1).uri, A, carol, { text: 'one', deletedAt: MARKED_AT });
  ids.odd = await post('MASTODON', status(2).uri, A, carol, { text: 'two', deletedAt: 'yesterday' });
  ids.nulled = await post('MASTODON', status(3).uri, A, carol, { text: 'three', deletedAt: null });
  ids.live = await post('MASTODON', status(4).uri, A, carol, { text: 'four' });
  // A Bluesky post deleted through the stream: the column already, which the migration keeps.
  ids.bluesky = await post('BLUESKY', 'at://did:plc:dora/app.bsky.feed.post/5', '', dora, {
    text: 'five',
    deletedAt: MARKED_AT,
  });
  await db.query(`UPDATE "Post" SET "deletedAt" = $2 WHERE id = $1`, [ids.bluesky, BLUESKY_AT]);

  expect((await applyMigrations({ url })).applied[0]).toBe(MIGRATION);
});

afterAll(async () => {
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (before) await rm(before, { recursive: true, force: true });
});

/**
 * The row's column (a UTC wall-clock time, read as the instant it is), its data, and the data as
 * readers get it (postDataSql).
 */
const row = (postId: string | undefined) =>
  one<{ deletedAt: Date | null; data: Record<string, unknown>; read: Record<string, unknown> }>(
    `SELECT p."deletedAt" AT TIME ZONE 'UTC' AS "deletedAt", p.data, ${postDataSql('p')} AS read
     FROM "Post" p WHERE p.id = $1`,
    [postId],
  );

it('moves a deletion from the data to the column, at the same instant, and readers see it as before', async () => {
  const marked = await row(ids.marked);
  expect(marked.deletedAt).toEqual(new Date(MARKED_AT));
  expect(marked.data).toEqual({ text: 'one' });
  expect(marked.read).toEqual({ text: 'one', deletedAt: MARKED_AT });
});

it('takes the time the mark was written for a value that is not a timestamp, and no deletion from a null', async () => {
  const odd = await row(ids.odd);
  expect(odd.deletedAt).toEqual(new Date(UPDATED_AT));
  expect(odd.data).toEqual({ text: 'two' });
  const nulled = await row(ids.nulled);
  expect(nulled.deletedAt).toBeNull();
  expect(nulled.data).toEqual({ text: 'three' });
  expect(nulled.read).toEqual({ text: 'three' });
});

it('keeps a column already set and leaves posts that exist as they were', async () => {
  const bluesky = await row(ids.bluesky);
  expect(bluesky.deletedAt).toEqual(new Date(BLUESKY_AT));
  expect(bluesky.data).toEqual({ text: 'five' });
  expect(bluesky.read).toEqual({ text: 'five', deletedAt: BLUESKY_AT });
  const live = await row(ids.live);
  expect(live).toEqual({ deletedAt: null, data: { text: 'four' }, read: { text: 'four' } });
});

it('lets ingest go on: a deleted status stored again stays deleted, and its data never holds the mark', async () => {
  const { prisma, close } = await openDatabase({ url });
  try {
    // The migrated status, then one deleted now, come back in a sync (a stale page) and a thread.
    const [deletedNow] = await markDeletedAtOrigin(prisma, {
      network: 'MASTODON',
      trustDomain: A,
      nativeIds: ['4'],
    });
    expect(String(deletedNow)).toBe(ids.live);
    const { deletedAt: markedNow } = await row(ids.live);
    expect(markedNow).toBeInstanceOf(Date);
    // A post that claims a deletedAt of its own cannot write it into the data.
    await upsertIngested(
      prisma,
      ids.home!,
      [1, 4].map((n) => ({
        post: { ...status(n, `edited ${n}`), deletedAt: '2000-01-01T00:00:00.000Z' },
        reason: null,
      })),
      A,
    );
    await storePosts(prisma, [status(1, 'from a thread')], A);
    const first = await row(ids.marked);
    expect(first.deletedAt).toEqual(new Date(MARKED_AT));
    expect(first.data).toMatchObject({ text: 'from a thread' });
    expect(first.data).not.toHaveProperty('deletedAt');
    const four = await row(ids.live);
    expect(four.deletedAt).toEqual(markedNow);
    expect(four.data).toMatchObject({ text: 'edited 4' });
    expect(four.data).not.toHaveProperty('deletedAt');
    // Marking again keeps the first time; another instance's copy would not be touched.
    await markDeletedAtOrigin(prisma, { network: 'MASTODON', trustDomain: A, nativeIds: ['1', '4'] });
    expect((await row(ids.marked)).deletedAt).toEqual(new Date(MARKED_AT));
    expect(
      await markDeletedAtOrigin(prisma, {
        network: 'MASTODON',
        trustDomain: 'https://b.example',
        nativeIds: ['1'],
      }),
    ).toEqual([]);
  } finally {
    await close();
  }
});
