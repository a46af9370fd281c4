// The personal_labels migration on a database whose shared posts hold members' own labels: each
// goes to the links of the one account that read the post (source, timeline entry, cached thread),
// is dropped where several did, and leaves the shared post with its own labels only.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { DEFAULT_MIGRATIONS_DIR, applyMigrations } from './migrations.js';

jest.setTimeout(60_000);

const MIGRATION = '20261207031302_personal_labels';
const A = 'https://a.example';
const BSKY_MODERATION = 'did:plc:ar7c4by46qjdydhdevvrndac';
const name = `tributary_labels_${Date.now().toString(36)}_${process.pid}`;
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

// Labels as connectors stored them before: nothing told a member's own from the post's.
const sensitive = { value: 'sensitive', source: 'mastodon', action: 'blur' };
const annsFilter = { value: 'filter:Spoilers', source: 'mastodon-filter:7', action: 'hide' };
const selfLabel = { value: 'spoiler', source: 'did:plc:dora', action: null };
const moderation = { value: 'rude', source: BSKY_MODERATION, action: null };
const catsLabeler = { value: 'porn', source: 'did:plc:catslabeler', action: 'blur' };
const personal = <T extends object>(label: T) => ({ ...label, personal: true });

beforeAll(async () => {
  await admin(`CREATE DATABASE "${name}"`);
  before = await mkdtemp(join(tmpdir(), 'tributary-labels-migration-'));
  const dir = join(before, 'migrations');
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  // This one and every later one: they run after the data is in, in order, as on a deployment.
  const later = (await readdir(dir)).filter((name) => /^\d/.test(name) && name >= MIGRATION).sort();
  for (const name of later) await rm(join(dir, name), { recursive: true });
  await applyMigrations({ url }, { migrationsDir: dir });
  db = new pg.Client({ connectionString: url });
  await db.connect();

  const id = async (sql: string, params: unknown[]) => (await one<{ id: string }>(sql, params)).id;
  const user = (n: string) =>
    id(`INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), $1, 'x') RETURNING id`, [
      n,
    ]);
  const account = (userId: string, network: string, serviceUrl: string) =>
    id(
      `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
       VALUES (gen_random_uuid(), $1::uuid, $2, $1::text, 'h', $3, 'sealed', now()) RETURNING id`,
      [userId, network, serviceUrl],
    );
  const home = (accountId: string) =>
    id(
      `INSERT INTO "Source" (id, "linkedAccountId", kind) VALUES (gen_random_uuid(), $1, 'HOME') RETURNING id`,
      [accountId],
    );
  const pipeline = (userId: string) =>
    id(
      `INSERT INTO "Pipeline" (id, "userId", name, spec, "updatedAt") VALUES (gen_random_uuid(), $1, 'p', '{}', now()) RETURNING id`,
      [userId],
    );
  const author = (network: string, networkId: string, domain: string) =>
    id(
      `INSERT INTO "Author" (network, "networkId", "trustDomain", handle) VALUES ($1, $2, $3, 'h') RETURNING id::text`,
      [network, networkId, domain],
    );
  const post = (
    network: string,
    uri: string,
    domain: string,
    authorId: string,
    data: object,
    raw: object = {},
  ) =>
    id(
      `INSERT INTO "Post" (network, uri, "trustDomain", "nativeId", "authorId", data, raw, "createdAt")
       VALUES ($1, $2, $3, '1', $4, $5, $6, now()) RETURNING id::text`,
      [
        network,
        uri,
        domain,
        authorId,
        JSON.stringify({ uri, text: 'as stored', ...data }),
        JSON.stringify(raw),
      ],
    );
  const seen = (sourceId: string, postId: string) =>
    db.query(`INSERT INTO "SourcePost" ("sourceId", "postId") VALUES ($1, $2)`, [sourceId, postId]);
  const entry = (userId: string, pipelineId: string, postId: string) =>
    db.query(
      `INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", decisions, "seenIn", "pipelineVersion")
       VALUES ($1, $2, $3, 1, '[]', '[]', 1)`,
      [userId, pipelineId, postId],
    );

  // Ann and Ben read through instance A; Cat reads Bluesky.
  ids.ann = await user('ann');
  ids.ben = await user('ben');
  ids.cat = await user('cat');
  ids.annAccount = await account(ids.ann, 'MASTODON', A);
  ids.benAccount = await account(ids.ben, 'MASTODON', A);
  ids.catAccount = await account(ids.cat, 'BLUESKY', 'https://bsky.social');
  ids.annHome = await home(ids.annAccount);
  ids.benHome = await home(ids.benAccount);
  ids.catHome = await home(ids.catAccount);
  ids.annPipeline = await pipeline(ids.ann);
  ids.benPipeline = await pipeline(ids.ben);
  ids.catPipeline = await pipeline(ids.cat);
  const carol = await author('MASTODON', `${A}/users/carol`, A);
  const dora = await author('BLUESKY', 'did:plc:dora', '');

  // A status only Ann read, with her filter's result in the row and in its native record.
  ids.annOnly = await post(
    'MASTODON',
    `${A}/users/carol/statuses/1`,
    A,
    carol,
    { labels: [sensitive, annsFilter], quote: null, sensitive: true },
    { id: '1', filtered: [{ filter: { id: '7', title: 'Spoilers' } }], sensitive: true },
  );
  await seen(ids.annHome, ids.annOnly);
  await entry(ids.ann, ids.annPipeline, ids.annOnly);
  // A status both read, last refreshed by Ann: whose filter it was is not known.
  ids.both = await post('MASTODON', `${A}/users/carol/statuses/2`, A, carol, {
    labels: [annsFilter],
    quote: null,
    sensitive: false,
  });
  await seen(ids.annHome, ids.both);
  await seen(ids.benHome, ids.both);
  await entry(ids.ann, ids.annPipeline, ids.both);
  await entry(ids.ben, ids.benPipeline, ids.both);
  // A Bluesky post Cat read, quoting one her labeler labelled too, also in a thread she opened.
  ids.bluesky = await post('BLUESKY', 'at://did:plc:dora/app.bsky.feed.post/1', '', dora, {
    author: { networkId: 'did:plc:dora' },
    labels: [selfLabel, moderation, catsLabeler],
    sensitive: true,
    quote: {
      author: { networkId: 'did:plc:erin' },
      labels: [catsLabeler, { value: 'mine', source: 'did:plc:erin', action: null }],
      sensitive: true,
    },
  });
  await seen(ids.catHome, ids.bluesky);
  await entry(ids.cat, ids.catPipeline, ids.bluesky);
  await db.query(
    `INSERT INTO "ThreadCache" ("linkedAccountId", "postId", "ancestorIds", replies, "postIds", "fetchedAt")
     VALUES ($1, $2, '{}', '[]', ARRAY[$2::bigint], now())`,
    [ids.catAccount, ids.bluesky],
  );
  ids.plain = await post('BLUESKY', 'at://did:plc:dora/app.bsky.feed.post/2', '', dora, {
    author: { networkId: 'did:plc:dora' },
    labels: [selfLabel],
    quote: null,
    sensitive: false,
  });

  expect((await applyMigrations({ url })).applied[0]).toBe(MIGRATION);
});

afterAll(async () => {
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (before) await rm(before, { recursive: true, force: true });
});

const data = async (postId: string | undefined) =>
  (await one<{ data: Record<string, unknown> }>(`SELECT data FROM "Post" WHERE id = $1`, [postId])).data;
const linkLabels = async (
  table: 'SourcePost' | 'TimelineEntry',
  column: string,
  key: string,
  postId: string,
) =>
  (
    await one<{ labels: unknown }>(`SELECT labels FROM "${table}" WHERE "${column}" = $1 AND "postId" = $2`, [
      key,
      postId,
    ])
  ).labels;

it('moves a label to the links of the one account that read the post, off the shared row and its record', async () => {
  expect(await data(ids.annOnly)).toMatchObject({ labels: [sensitive], sensitive: true });
  const mine = { post: [personal(annsFilter)], quote: [] };
  expect(await linkLabels('SourcePost', 'sourceId', ids.annHome!, ids.annOnly!)).toEqual(mine);
  expect(await linkLabels('TimelineEntry', 'pipelineId', ids.annPipeline!, ids.annOnly!)).toEqual(mine);
  const { raw } = await one<{ raw: Record<string, unknown> }>(`SELECT raw FROM "Post" WHERE id = $1`, [
    ids.annOnly,
  ]);
  expect(raw).toEqual({ id: '1', sensitive: true });
});

it('drops a label where several accounts read the post', async () => {
  expect((await data(ids.both))['labels']).toEqual([]);
  for (const [column, key] of [
    ['sourceId', ids.annHome],
    ['sourceId', ids.benHome],
  ] as const)
    expect(await linkLabels('SourcePost', column, key!, ids.both!)).toBeNull();
  for (const pipelineId of [ids.annPipeline, ids.benPipeline])
    expect(await linkLabels('TimelineEntry', 'pipelineId', pipelineId!, ids.both!)).toBeNull();
});

it("keeps a Bluesky post's self-labels and the network's moderation labels, and only those make it sensitive", async () => {
  const stored = await data(ids.bluesky);
  expect(stored).toMatchObject({
    labels: [selfLabel, moderation],
    sensitive: false,
    quote: { labels: [{ value: 'mine', source: 'did:plc:erin', action: null }], sensitive: false },
  });
  const cats = { post: [personal(catsLabeler)], quote: [personal(catsLabeler)] };
  expect(await linkLabels('SourcePost', 'sourceId', ids.catHome!, ids.bluesky!)).toEqual(cats);
  expect(await linkLabels('TimelineEntry', 'pipelineId', ids.catPipeline!, ids.bluesky!)).toEqual(cats);
  const thread = await one<{ labels: unknown }>(`SELECT labels FROM "ThreadCache" WHERE "postId" = $1`, [
    ids.bluesky,
  ]);
  expect(thread.labels).toEqual({ [ids.bluesky!]: cats });
  // A post without personal labels is left as it was.
  expect(await data(ids.plain)).toMatchObject({ labels: [selfLabel], sensitive: false });
});
