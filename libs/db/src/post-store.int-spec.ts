import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import type { IngestedItem, Post } from '@tributary/core';
import { createTestDatabase, createTestPglite } from '@tributary/testing';
import { DbConflictError, DbError, DbForeignKeyError, toDbError, withDbErrors } from './db-error.js';
import { attachPosts, recordSkipped, upsertIngested } from './post-store.js';
import type { PrismaClient } from './prisma-client.js';

jest.setTimeout(60_000);

function post(n: number, overrides: Partial<Post> = {}): Post {
  const did = `did:plc:author${n % 7}`;
  return {
    network: 'BLUESKY',
    uri: `at://${did}/app.bsky.feed.post/${n}`,
    nativeId: `cid${n}`,
    webUrl: `https://bsky.app/profile/${did}/post/${n}`,
    author: {
      network: 'BLUESKY',
      networkId: did,
      handle: `author${n % 7}.test`,
      displayName: `Author ${n % 7}`,
      avatarUrl: null,
      bot: false,
    },
    text: `post ${n}`,
    richText: { segments: [{ type: 'text', text: `post ${n}` }] },
    languages: ['en'],
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(),
    indexedAt: new Date(Date.UTC(2026, 0, 1, 0, 1, n % 60)).toISOString(),
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: 0, reposts: 0, likes: n, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
    raw: { $type: 'app.bsky.feed.post', text: `post ${n}` },
    ...overrides,
  };
}

const items = (ns: number[], overrides: Partial<Post> = {}): IngestedItem[] =>
  ns.map((n) => ({ post: post(n, overrides), reason: null }));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

async function fixture(prisma: PrismaClient): Promise<{ accountId: string; sources: [string, string] }> {
  const user = await prisma.user.create({ data: { username: `u${Math.random()}`, passwordHash: 'x' } });
  const account = await prisma.linkedAccount.create({
    data: {
      userId: user.id,
      network: 'BLUESKY',
      networkAccountId: 'did:plc:me',
      handle: 'me.test',
      serviceUrl: 'http://localhost',
      credentials: 'sealed',
    },
  });
  const home = await prisma.source.create({ data: { linkedAccountId: account.id, kind: 'HOME' } });
  const feed = await prisma.source.create({
    data: { linkedAccountId: account.id, kind: 'FEED', externalId: 'at://feed' },
  });
  return { accountId: account.id, sources: [home.id, feed.id] };
}

async function postIdsByUri(prisma: PrismaClient, ns: number[]): Promise<bigint[]> {
  const uris = ns.map((n) => post(n).uri);
  const rows = await prisma.post.findMany({ where: { uri: { in: uris } }, select: { id: true, uri: true } });
  const byUri = new Map(rows.map((r) => [r.uri, r.id]));
  return uris.map((u) => byUri.get(u)!);
}

const backends: [string, () => Promise<{ prisma: PrismaClient; close(): Promise<void> }>][] = [
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase();
      return { prisma: db.prisma, close: db.drop };
    },
  ],
  [
    'PGlite',
    async () => {
      const db = await createTestPglite();
      return { prisma: db.prisma, close: db.close };
    },
  ],
];

describe.each(backends)('post store on %s', (_name, open) => {
  let prisma: PrismaClient;
  let close: () => Promise<void>;
  let accountId: string;
  let home: string;
  let feed: string;

  beforeAll(async () => {
    ({ prisma, close } = await open());
  });
  afterAll(() => close());
  beforeEach(async () => {
    // TRUNCATE: deleting the 10k-row test's leftovers row by row takes seconds on PGlite.
    await prisma.$executeRawUnsafe(
      'TRUNCATE "SourcePost", "Post", "Author", "SkippedRecord", "User" CASCADE',
    );
    ({
      accountId,
      sources: [home, feed],
    } = await fixture(prisma));
  });

  it('stores a batch and is idempotent: the same batch again adds nothing and reports nothing new', async () => {
    const batch = items(range(0, 20));
    const first = await upsertIngested(prisma, home, batch, NETWORK_TRUST_DOMAIN);
    expect(first.upserted).toBe(20);
    expect(first.newPostIds).toEqual(await postIdsByUri(prisma, range(0, 20)));

    const stamps = await prisma.post.findMany({
      select: { id: true, updatedAt: true },
      orderBy: { id: 'asc' },
    });
    const second = await upsertIngested(prisma, home, batch, NETWORK_TRUST_DOMAIN);
    // Unchanged posts are not rewritten: same ids, same updatedAt.
    expect(
      await prisma.post.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } }),
    ).toEqual(stamps);
    expect(second).toEqual({ newPostIds: [], upserted: 20 });
    expect(await prisma.post.count()).toBe(20);
    expect(await prisma.author.count()).toBe(7);
    expect(await prisma.sourcePost.count()).toBe(20);

    const stored = await prisma.post.findUniqueOrThrow({
      where: {
        network_uri_trustDomain: { network: 'BLUESKY', uri: post(3).uri, trustDomain: NETWORK_TRUST_DOMAIN },
      },
      include: { author: true },
    });
    const { raw, ...data } = post(3);
    expect(stored.data).toEqual(data);
    expect(stored.raw).toEqual(raw);
    expect(stored.createdAt.toISOString()).toBe(post(3).createdAt);
    expect(stored.author).toMatchObject({ networkId: 'did:plc:author3', handle: 'author3.test' });
  });

  it('reports as new only the posts this source had not seen, including posts other sources had', async () => {
    await upsertIngested(prisma, home, items([1, 2]), NETWORK_TRUST_DOMAIN);
    const again = await upsertIngested(prisma, home, items([2, 3]), NETWORK_TRUST_DOMAIN);
    expect(again.newPostIds).toEqual(await postIdsByUri(prisma, [3]));

    const other = await upsertIngested(prisma, feed, items([3, 1, 4]), NETWORK_TRUST_DOMAIN);
    expect(other.newPostIds).toEqual(await postIdsByUri(prisma, [3, 1, 4])); // batch order kept
    expect(await prisma.post.count()).toBe(4);
    expect(await prisma.sourcePost.count({ where: { sourceId: feed } })).toBe(3);
  });

  it('refreshes counts and author details on conflict, keeping the ids', async () => {
    await upsertIngested(prisma, home, items([5]), NETWORK_TRUST_DOMAIN);
    const before = await prisma.post.findFirstOrThrow({ include: { author: true } });

    const updated = post(5, {
      counts: { replies: 2, reposts: 3, likes: 99, quotes: 1 },
      author: {
        ...post(5).author,
        handle: 'renamed.test',
        displayName: 'Renamed',
        avatarUrl: 'https://cdn/a.jpg',
      },
    });
    const result = await upsertIngested(
      prisma,
      feed,
      [{ post: updated, reason: null }],
      NETWORK_TRUST_DOMAIN,
    );
    expect(result.newPostIds).toEqual([before.id]);

    const after = await prisma.post.findFirstOrThrow({ include: { author: true } });
    expect(after.id).toBe(before.id);
    expect(after.author.id).toBe(before.author.id);
    expect((after.data as unknown as Post).counts).toEqual({ replies: 2, reposts: 3, likes: 99, quotes: 1 });
    expect(after.author).toMatchObject({
      handle: 'renamed.test',
      displayName: 'Renamed',
      avatarUrl: 'https://cdn/a.jpg',
    });
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
  });

  it('keeps the reply context a feed showed when a later fetch of the post has none (a new parent replaces it)', async () => {
    const parent = { uri: post(1).uri, authorNetworkId: post(1).author.networkId };
    const context = {
      ...parent,
      authorHandle: 'author1.test',
      authorDisplayName: 'Author 1',
      text: 'post 1',
    };
    const stored = async () =>
      (await prisma.post.findFirstOrThrow({ where: { uri: post(9).uri } })).data as unknown as Post;
    await upsertIngested(
      prisma,
      home,
      items([9], { replyParent: context, replyRoot: context }),
      NETWORK_TRUST_DOMAIN,
    );
    // Fetched again without the context (getPosts, a record-first copy), with fresher counts.
    const bare = {
      counts: { replies: 0, reposts: 0, likes: 42, quotes: 0 },
      replyParent: parent,
      replyRoot: parent,
    };
    await upsertIngested(prisma, feed, items([9], bare), NETWORK_TRUST_DOMAIN);
    expect(await stored()).toMatchObject({ replyParent: context, replyRoot: context, counts: { likes: 42 } });
    // The root alone shown: the parent's stays too.
    await upsertIngested(
      prisma,
      feed,
      items([9], { ...bare, replyRoot: { ...context, text: 'edited' } }),
      NETWORK_TRUST_DOMAIN,
    );
    expect(await stored()).toMatchObject({ replyParent: context, replyRoot: { text: 'edited' } });
    // Another parent (never for one post, but the stored one must not pass for it).
    const other = { uri: post(2).uri, authorNetworkId: post(2).author.networkId };
    await upsertIngested(
      prisma,
      feed,
      items([9], { ...bare, replyParent: other, replyRoot: other }),
      NETWORK_TRUST_DOMAIN,
    );
    expect(await stored()).toMatchObject({ replyParent: other, replyRoot: other });
  });

  it('keeps a reply parent found by its URI when another read names it only by its id on the instance', async () => {
    const resolved = {
      uri: 'https://masto.test/users/carol/statuses/1',
      authorNetworkId: 'https://masto.test/users/carol',
    };
    const placeholder = { uri: 'https://masto.test/api/v1/statuses/1', authorNetworkId: null, nativeId: '1' };
    await upsertIngested(prisma, home, items([8], { replyParent: resolved }), NETWORK_TRUST_DOMAIN);
    await upsertIngested(prisma, feed, items([8], { replyParent: placeholder }), NETWORK_TRUST_DOMAIN);
    const stored = await prisma.post.findFirstOrThrow({ where: { uri: post(8).uri } });
    expect((stored.data as unknown as Post).replyParent).toEqual(resolved);
    // A placeholder stays one until the parent is found.
    await upsertIngested(prisma, home, items([7], { replyParent: placeholder }), NETWORK_TRUST_DOMAIN);
    await upsertIngested(
      prisma,
      feed,
      items([7], { replyParent: { ...placeholder, nativeId: '2' } }),
      NETWORK_TRUST_DOMAIN,
    );
    const other = await prisma.post.findFirstOrThrow({ where: { uri: post(7).uri } });
    expect((other.data as unknown as Post).replyParent).toEqual({ ...placeholder, nativeId: '2' });
  });

  it("keeps each trust domain's rows apart: one server's word never rewrites another's post or author", async () => {
    await upsertIngested(prisma, home, items([5]), NETWORK_TRUST_DOMAIN);
    const before = await prisma.post.findFirstOrThrow({ include: { author: true } });
    // A member's own server serves the same URI with its own text and the author's avatar.
    const forged = post(5, {
      text: 'Log in again',
      counts: { replies: 0, reposts: 0, likes: 9999, quotes: 0 },
      author: { ...post(5).author, displayName: 'Official', avatarUrl: 'https://attacker.example/a.png' },
    });
    const evil = 'https://pds.attacker.example';
    const result = await upsertIngested(prisma, feed, [{ post: forged, reason: null }], evil);

    const rows = await prisma.post.findMany({ include: { author: true }, orderBy: { id: 'asc' } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(before); // untouched: data, author, updatedAt
    expect(rows[1]).toMatchObject({ uri: forged.uri, trustDomain: evil, data: { text: 'Log in again' } });
    expect(rows[1]!.author).toMatchObject({ trustDomain: evil, avatarUrl: 'https://attacker.example/a.png' });
    expect(result.newPostIds).toEqual([rows[1]!.id]);
    expect(await prisma.sourcePost.findMany({ select: { sourceId: true, postId: true } })).toEqual(
      expect.arrayContaining([
        { sourceId: home, postId: before.id },
        { sourceId: feed, postId: rows[1]!.id },
      ]),
    );
    // Within one domain the row is shared and refreshed, as before.
    await upsertIngested(prisma, home, items([5], { text: 'edited' }), evil);
    expect(await prisma.post.count()).toBe(2);
    expect((await prisma.post.findUniqueOrThrow({ where: { id: rows[1]!.id } })).data).toMatchObject({
      text: 'edited',
    });
  });

  it("keeps a member's personal labels with their source's row, never on the post others share", async () => {
    const own = { value: 'porn', source: 'did:plc:ar7c4by46qjdydhdevvrndac', action: 'blur' as const };
    const filter = {
      value: 'filter:Spoilers',
      source: 'mastodon-filter:5',
      action: 'hide' as const,
      personal: true,
    };
    const labeler = { value: '!hide', source: 'did:plc:mine', action: 'hide' as const, personal: true };
    const quoted = { ...post(6), quote: null, labels: [labeler] };
    const { raw: _raw, ...quote } = quoted;
    const annsView = post(5, { labels: [own, filter], quote });
    const {
      sources: [bobsHome],
    } = await fixture(prisma);

    const ann = await upsertIngested(prisma, home, [{ post: annsView, reason: null }], NETWORK_TRUST_DOMAIN);
    const [id] = await postIdsByUri(prisma, [5]);
    expect(ann.newPostIds).toEqual([id]);
    const shared = await prisma.post.findUniqueOrThrow({ where: { id } });
    expect((shared.data as unknown as Post).labels).toEqual([own]);
    expect((shared.data as unknown as Post).quote?.labels).toEqual([]);
    expect(JSON.stringify(shared.data)).not.toMatch(/Spoilers|did:plc:mine/);
    const labelsOf = async (sourceId: string) =>
      (await prisma.sourcePost.findUniqueOrThrow({ where: { sourceId_postId: { sourceId, postId: id! } } }))
        .labels;
    expect(await labelsOf(home)).toEqual({ post: [filter], quote: [labeler] });

    // Bob's server sends the same post without them: one shared row, left as it was.
    const bob = await upsertIngested(
      prisma,
      bobsHome,
      [{ post: post(5, { labels: [own], quote: { ...quote, labels: [] } }), reason: null }],
      NETWORK_TRUST_DOMAIN,
    );
    expect(bob.newPostIds).toEqual([id]);
    expect(await prisma.post.findUniqueOrThrow({ where: { id } })).toEqual(shared);
    expect(await labelsOf(bobsHome)).toBeNull();

    // Each source's labels follow what its account sees now, without making the post new again.
    const unfiltered = await upsertIngested(
      prisma,
      home,
      [{ post: post(5, { labels: [own], quote }), reason: null }],
      NETWORK_TRUST_DOMAIN,
    );
    expect(unfiltered.newPostIds).toEqual([]);
    expect(await labelsOf(home)).toEqual({ post: [], quote: [labeler] });
    expect(await labelsOf(bobsHome)).toBeNull();
  });

  it('stores the repost reason with the source row and collapses duplicates inside a batch', async () => {
    const reposter = { ...post(1).author, networkId: 'did:plc:friend', handle: 'friend.test' };
    const reason = {
      by: reposter,
      at: '2026-01-02T00:00:00.000Z',
      uri: 'at://did:plc:friend/app.bsky.feed.repost/1',
    };
    const result = await upsertIngested(
      prisma,
      home,
      [
        { post: post(8), reason },
        { post: post(8), reason: null },
      ],
      NETWORK_TRUST_DOMAIN,
    );
    expect(result.upserted).toBe(1);
    expect(result.newPostIds).toHaveLength(1);
    const row = await prisma.sourcePost.findFirstOrThrow();
    expect(row.reason).toEqual(reason);
    // The batch had the post itself too (its author is followed): the row says so.
    expect(row.original).toBe(true);
  });

  it('records that a source got a post itself after only a repost of it, and reports it again once', async () => {
    const reason = {
      by: { ...post(1).author, networkId: 'did:plc:friend', handle: 'friend.test' },
      at: '2026-01-02T00:00:00.000Z',
      uri: 'at://did:plc:friend/app.bsky.feed.repost/1',
    };
    await upsertIngested(prisma, home, [{ post: post(10), reason }], NETWORK_TRUST_DOMAIN);
    const [id] = await postIdsByUri(prisma, [10]);
    const row = () => prisma.sourcePost.findFirstOrThrow({ where: { postId: id! } });
    expect(await row()).toMatchObject({ reason, original: false });
    const itself = () =>
      upsertIngested(prisma, home, [{ post: post(10), reason: null }], NETWORK_TRUST_DOMAIN);
    expect((await itself()).newPostIds).toEqual([id]);
    expect(await row()).toMatchObject({ reason, original: true });
    expect((await itself()).newPostIds).toEqual([]);

    // The fan-out's path: a repost attached first, the post itself (a followed author's) later.
    await prisma.sourcePost.deleteMany();
    const attach = (r: typeof reason | null) =>
      attachPosts(
        prisma,
        [post(10)],
        [{ sourceId: home, uri: post(10).uri, reason: r }],
        NETWORK_TRUST_DOMAIN,
      );
    expect(await attach(reason)).toEqual([{ sourceId: home, postId: id }]);
    expect(await row()).toMatchObject({ reason, original: false });
    expect(await attach(null)).toEqual([{ sourceId: home, postId: id }]);
    expect(await row()).toMatchObject({ reason, original: true });
    expect(await attach(null)).toEqual([]);
    expect(await attach(reason)).toEqual([]);
  });

  it('records a later repost of a post the source already had, and reports it again; not an older one', async () => {
    const reposter = { ...post(1).author, networkId: 'did:plc:friend', handle: 'friend.test' };
    const repost = (at: string) => ({
      by: reposter,
      at,
      uri: `at://did:plc:friend/app.bsky.feed.repost/${at}`,
    });
    await upsertIngested(prisma, home, [{ post: post(9), reason: null }], NETWORK_TRUST_DOMAIN);
    const [id] = await postIdsByUri(prisma, [9]);
    const boosted = await upsertIngested(
      prisma,
      home,
      [{ post: post(9), reason: repost('2026-01-05T00:00:00.000Z') }],
      NETWORK_TRUST_DOMAIN,
    );
    expect(boosted.newPostIds).toEqual([id]);
    const row = await prisma.sourcePost.findFirstOrThrow({ where: { postId: id! } });
    expect(row.reason).toEqual(repost('2026-01-05T00:00:00.000Z'));
    // The same repost again, an older one (a backfill reaching it) or the post itself: nothing new.
    for (const reason of [repost('2026-01-05T00:00:00.000Z'), repost('2026-01-03T00:00:00.000Z'), null])
      expect(
        (await upsertIngested(prisma, home, [{ post: post(9), reason }], NETWORK_TRUST_DOMAIN)).newPostIds,
      ).toEqual([]);
    expect((await prisma.sourcePost.findFirstOrThrow({ where: { postId: id! } })).reason).toEqual(
      repost('2026-01-05T00:00:00.000Z'),
    );
  });

  it('gives exactly one row per uri when overlapping batches race from two sources', async () => {
    for (let round = 0; round < 3; round++) {
      const a = range(round * 1000, round * 1000 + 400);
      const b = range(round * 1000 + 200, round * 1000 + 600).reverse();
      const [ra, rb] = await Promise.all([
        upsertIngested(prisma, home, items(a), NETWORK_TRUST_DOMAIN),
        upsertIngested(prisma, feed, items(b), NETWORK_TRUST_DOMAIN),
      ]);
      // Each source saw all of its posts for the first time, whoever inserted the post row.
      expect(ra.newPostIds).toEqual(await postIdsByUri(prisma, a));
      expect(rb.newPostIds).toEqual(await postIdsByUri(prisma, b));
    }
    expect(await prisma.post.count()).toBe(3 * 600);
    const dupes = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM (SELECT uri FROM "Post" GROUP BY network, uri HAVING count(*) > 1) d`,
    );
    expect(dupes[0]?.n).toBe(0n);
    expect(await prisma.sourcePost.count()).toBe(3 * 800);
  });

  it('reports a post as new to only one of two concurrent calls for the same source', async () => {
    const [x, y] = await Promise.all([
      upsertIngested(prisma, home, items(range(0, 300)), NETWORK_TRUST_DOMAIN),
      upsertIngested(prisma, home, items(range(150, 450)), NETWORK_TRUST_DOMAIN),
    ]);
    const all = [...x.newPostIds, ...y.newPostIds];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(450);
  });

  it('splits large batches into statements under the parameter limit', async () => {
    // 10,000 authors x 6 parameters and posts x 7 would exceed 65,535 in one statement.
    const big = range(0, 10_000).map((n) => ({
      post: post(n, { author: { ...post(n).author, networkId: `did:plc:many${n}` } }),
      reason: null,
    }));
    const result = await upsertIngested(prisma, home, big, NETWORK_TRUST_DOMAIN);
    expect(result.newPostIds).toHaveLength(10_000);
    expect(await prisma.author.count()).toBe(10_000);
    expect(await prisma.post.count()).toBe(10_000);
  });

  it('cleans what Postgres rejects: NUL characters and out-of-range client dates', async () => {
    const weird = post(9, {
      text: 'nul\u0000here',
      uri: 'at://did:plc:x/app.bsky.feed.post/nul\u0000',
      createdAt: '0000-01-01T00:00:00Z',
      raw: { text: 'nul\u0000here', big: 12345678901234567890n },
    });
    await upsertIngested(prisma, home, [{ post: weird, reason: null }], NETWORK_TRUST_DOMAIN);
    const stored = await prisma.post.findFirstOrThrow();
    expect(stored.uri).toBe('at://did:plc:x/app.bsky.feed.post/nul');
    expect((stored.data as { text: string }).text).toBe('nulhere');
    expect(stored.raw).toEqual({ text: 'nulhere', big: '12345678901234567890' });
    expect(stored.createdAt.toISOString()).toBe(weird.indexedAt); // createdAt was unusable
  });

  it('rejects bad input clearly and writes nothing when the source does not exist', async () => {
    await expect(upsertIngested(prisma, 'not-a-uuid', items([1]), NETWORK_TRUST_DOMAIN)).rejects.toThrow(
      /Invalid source id/,
    );
    await expect(
      upsertIngested(prisma, home, [{ post: { ...post(1), uri: '' }, reason: null }], NETWORK_TRUST_DOMAIN),
    ).rejects.toBeInstanceOf(DbError);
    await expect(
      upsertIngested(prisma, '00000000-0000-4000-8000-000000000000', items([1, 2]), NETWORK_TRUST_DOMAIN),
    ).rejects.toBeInstanceOf(DbForeignKeyError);
    expect(await prisma.post.count()).toBe(0); // the transaction rolled back
    expect(await upsertIngested(prisma, home, [], NETWORK_TRUST_DOMAIN)).toEqual({
      newPostIds: [],
      upserted: 0,
    });
  });

  it('records skipped items with their reason', async () => {
    const stored = await recordSkipped(prisma, 'BLUESKY', accountId, [
      { reason: 'unknown record type', record: { $type: 'app.bsky.feed.weird', n: 1 } },
      { reason: 'no author', record: { big: 1n } },
    ]);
    expect(stored).toBe(2);
    await recordSkipped(prisma, 'MASTODON', null, [{ reason: 'bad status', record: 'not json-ish' }]);
    const rows = await prisma.skippedRecord.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.network, r.linkedAccountId, r.reason, r.record])).toEqual([
      ['BLUESKY', accountId, 'unknown record type', { $type: 'app.bsky.feed.weird', n: 1 }],
      ['BLUESKY', accountId, 'no author', { big: '1' }],
      ['MASTODON', null, 'bad status', 'not json-ish'],
    ]);
    expect(await recordSkipped(prisma, 'BLUESKY', accountId, [])).toBe(0);
  });

  it('maps unique violations from model and raw queries to DbConflictError', async () => {
    await prisma.user.create({ data: { username: 'taken', passwordHash: 'x' } });
    await expect(
      withDbErrors(() => prisma.user.create({ data: { username: 'taken', passwordHash: 'y' } })),
    ).rejects.toBeInstanceOf(DbConflictError);
    const raw = await prisma
      .$executeRawUnsafe(
        `INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), 'taken', 'z')`,
      )
      .catch(toDbError);
    expect(raw).toBeInstanceOf(DbConflictError);
    expect(String((raw as DbConflictError).constraint)).toMatch(/username/);
  });
});

describe('post store under a concurrent writer (PostgreSQL)', () => {
  it('returns the ids of identical rows another transaction committed while the upsert waited', async () => {
    const db = await createTestDatabase();
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      const { sources } = await fixture(db.prisma);
      const p = post(42);
      const { raw, ...data } = p;
      // Another ingest inserts the same author and post, identical, and has not committed yet.
      await other.query('BEGIN');
      const author = await other.query<{ id: string }>(
        `INSERT INTO "Author" (network, "networkId", handle, "displayName", "avatarUrl", bot)
         VALUES ('BLUESKY', $1, $2, $3, NULL, false) RETURNING id`,
        [p.author.networkId, p.author.handle, p.author.displayName],
      );
      const inserted = await other.query<{ id: string }>(
        `INSERT INTO "Post" (network, uri, "nativeId", "authorId", data, raw, "createdAt")
         VALUES ('BLUESKY', $1, $2, $3, $4, $5, $6) RETURNING id`,
        [p.uri, p.nativeId, author.rows[0]!.id, JSON.stringify(data), JSON.stringify(raw), p.createdAt],
      );
      const pending = upsertIngested(
        db.prisma,
        sources[0],
        [{ post: p, reason: null }],
        NETWORK_TRUST_DOMAIN,
      );
      // Wait until the upsert is blocked on the other transaction's rows, then let that commit.
      for (;;) {
        const { rows } = await other.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (Number(rows[0]!.n) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('COMMIT');
      // Its snapshot predates that commit and nothing changed, so only the follow-up lookup finds it.
      expect(await pending).toEqual({ newPostIds: [BigInt(inserted.rows[0]!.id)], upserted: 1 });
      expect(await db.prisma.post.count()).toBe(1);
    } finally {
      await other.end();
      await db.drop();
    }
  });
});
