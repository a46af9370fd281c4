import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '@tributary/config';
import type { Post } from '@tributary/core';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { FakeMastodonServer } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import { TimelineService } from '@tributary/timeline';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { Running } from '../src/start.js';
import { start } from '../src/start.js';
import { createSource, testPost } from './pipeline-fixtures.js';
import { startSqlStatementCounter } from './sql-statement-counter.js';
import type { SqlStatementCounter } from './sql-statement-counter.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkMastodon } from './link-accounts.js';

jest.setTimeout(120_000);

let fake: FakeMastodonServer;
let instance: TestInstance;
let prisma: PrismaClient;
let timelines: TimelineService;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let userId: string;
let pipelineId: string;
let sourceId: string;
// A second API process whose database connection goes through a statement-counting proxy.
let counter: SqlStatementCounter;
let countedApi: Running;
let countedGql: ReturnType<typeof graphqlClient>;

interface Edge {
  cursor: string;
  node: {
    id: string;
    rankKey: number;
    hidden: boolean;
    hiddenReason: string | null;
    warnings: string[];
    post: { id: string; uri: string; text: string };
    reason: { by: { handle: string } } | null;
    seenIn: { network: string; sourceId: string }[];
    decisions: { stage: string; verdict: string }[];
  };
}
interface Page {
  timeline: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const PAGE_QUERY = `query($p: ID, $first: Int, $after: String, $includeHidden: Boolean) {
  timeline(pipeline: $p, first: $first, after: $after, includeHidden: $includeHidden) {
    edges { cursor node { id rankKey hidden hiddenReason warnings
      post { id uri text author { handle } media { altText } quote { uri } }
      reason { by { handle } at } seenIn { network sourceId linkedAccountId uri }
      decisions { stage verdict reason score } } }
    pageInfo { hasNextPage endCursor } } }`;

/** Ingests posts through the post store and runs the user's pipelines over them (what the worker does). */
async function ingest(posts: Post[], reason: Parameters<typeof upsertIngested>[2][number]['reason'] = null) {
  const { newPostIds } = await upsertIngested(
    prisma,
    sourceId,
    posts.map((post) => ({ post, reason })),
    NETWORK_TRUST_DOMAIN,
  );
  await timelines.runPipelines(userId, newPostIds.map(String));
  return newPostIds;
}
/** Post `n`, created `minutesAgo` (and n seconds more) ago. */
const post = (n: number, minutesAgo: number, overrides: Partial<Post> = {}) =>
  testPost(n, overrides, Date.now() - minutesAgo * 60_000 - 2 * n * 1000);
/** Post `n`, created just now: on top of the timeline. */
const fresh = (n: number, overrides: Partial<Post> = {}) => testPost(n, overrides, Date.now() - n * 1000);

async function page(variables: Record<string, unknown>, client = gql) {
  const res = await client<Page>(PAGE_QUERY, variables, token);
  return res;
}

/** The visible (or all) entries of the pipeline as the keyset orders them. */
async function storedOrder(includeHidden: boolean) {
  const rows = await prisma.timelineEntry.findMany({
    where: { pipelineId, ...(includeHidden ? {} : { hidden: false }) },
    orderBy: [{ rankKey: 'desc' }, { id: 'desc' }],
    select: { id: true, rankKey: true },
  });
  return rows.map((r) => ({ id: String(r.id), rankKey: r.rankKey }));
}

beforeAll(async () => {
  fake = await FakeMastodonServer.start();
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  const [worker, api] = instance.running.apps as [
    NonNullable<(typeof instance.running.apps)[0]>,
    NonNullable<(typeof instance.running.apps)[0]>,
  ];
  prisma = worker.get(PrismaService, { strict: false }).client;
  timelines = worker.get(TimelineService, { strict: false });
  gql = graphqlClient(instance.apiUrl);
  const auth = api.get(AuthService, { strict: false });
  const invite = await auth.createInvite(null, 'MEMBER');
  ({ token } = await auth.signUp(invite.code, 'reader', 'correct horse battery staple', 'test', '127.0.0.1'));
  userId = (await prisma.user.findUniqueOrThrow({ where: { username: 'reader' } })).id;
  pipelineId = (await prisma.pipeline.findFirstOrThrow({ where: { userId, isDefault: true } })).id;
  ({ sourceId } = await createSource(prisma, userId, 'BLUESKY'));

  counter = await startSqlStatementCounter(instance.databaseUrl);
  countedApi = await start(
    loadConfig({
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'PATH')),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: instance.config.DATA_DIR,
      DATABASE_URL: counter.url(instance.databaseUrl),
      QUEUE_PREFIX: instance.config.QUEUE_PREFIX,
      LOG_LEVEL: 'warn',
      REDIS_EMBEDDED: 'false',
      REDIS_URL: instance.config.REDIS_URL,
      ROLE: 'api',
    }),
  );
  countedGql = graphqlClient(countedApi.apiUrl!);
});

afterAll(async () => {
  await countedApi?.stop();
  await counter?.close();
  await instance?.stop();
  await fake?.close();
});

describe('timeline', () => {
  it('pages through without duplicates or gaps while new posts arrive between pages', async () => {
    await ingest(Array.from({ length: 150 }, (_, n) => post(n, 120)));
    const before = await storedOrder(false);
    expect(before).toHaveLength(150);

    const key = (e: { rankKey: number; id: string }) => ({ rankKey: e.rankKey, id: BigInt(e.id) });
    const below = (a: { rankKey: number; id: bigint }, b: { rankKey: number; id: bigint }) =>
      a.rankKey < b.rankKey || (a.rankKey === b.rankKey && a.id < b.id);
    const seen: Edge['node'][] = [];
    // Entries that arrived while paging, with the position the reader had reached at that moment.
    const arrivals: { ids: string[]; reached: { rankKey: number; id: bigint } }[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const res = await page({ first: 40, after });
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data!.timeline;
      seen.push(...edges.map((e) => e.node));
      if (!pageInfo.hasNextPage) break;
      expect(pageInfo.endCursor).toBe(edges.at(-1)!.cursor);
      after = pageInfo.endCursor;
      // Between pages: a newer post (it ranks above everything read so far) and a late older one
      // (a backfill: it may rank below the reader's position, then it belongs in the pages to come).
      const ids = await ingest([
        post(1000 + pages, 0),
        post(2000 + pages, 125, { counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 } }),
      ]);
      const entries = await prisma.timelineEntry.findMany({ where: { pipelineId, postId: { in: ids } } });
      arrivals.push({ ids: entries.map((e) => String(e.id)), reached: key(edges.at(-1)!.node) });
    }
    const ids = seen.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    expect(ids).toEqual(expect.arrayContaining(before.map((e) => e.id))); // no gaps
    for (let i = 1; i < seen.length; i++) expect(below(key(seen[i]!), key(seen[i - 1]!))).toBe(true);
    // Of the arrivals, exactly those below the reader's position at the time showed up.
    const stored = new Map((await storedOrder(false)).map((e) => [e.id, key(e)]));
    const expectedLate = arrivals.flatMap((a) => a.ids.filter((id) => below(stored.get(id)!, a.reached)));
    expect(ids.filter((id) => !before.some((e) => e.id === id)).sort()).toEqual(expectedLate.sort());
    expect(expectedLate.length).toBeGreaterThan(0); // the late posts did land below the reader
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
  });

  it('shows hidden items with their reasons only when asked, with warnings and repost reasons', async () => {
    const reposter = { ...testPost(0).author, networkId: 'did:plc:reposter', handle: 'reposter.test' };
    const [labelled, warned] = await ingest([
      fresh(3000, { labels: [{ value: 'porn', source: 'did:plc:labeler', action: null }] }),
      fresh(3001, { contentWarning: 'film plot' }),
    ]);
    const [reposted] = await ingest([fresh(3002)], {
      by: reposter,
      at: new Date().toISOString(),
      uri: 'at://did:plc:reposter/app.bsky.feed.repost/r1',
    });
    const nodes = async (includeHidden: boolean) => {
      const res = await page({ first: 100, includeHidden });
      expect(res.errors).toBeUndefined();
      return res.data!.timeline.edges.map((e) => e.node);
    };
    const visible = await nodes(false);
    const all = await nodes(true);
    const byPost = (list: Edge['node'][], id: bigint | undefined) =>
      list.find((n) => n.post.id === String(id));
    expect(byPost(visible, labelled)).toBeUndefined();
    expect(byPost(all, labelled)).toMatchObject({
      hidden: true,
      hiddenReason: expect.stringContaining('porn'),
    });
    expect(byPost(all, labelled)!.decisions).toEqual(
      expect.arrayContaining([expect.objectContaining({ stage: 'labels', verdict: 'HIDE' })]),
    );
    expect(byPost(visible, warned)).toMatchObject({
      hidden: false,
      warnings: ['warn: content warning: film plot'],
    });
    expect(byPost(visible, reposted)!.reason).toMatchObject({ by: { handle: 'reposter.test' } });
    expect(byPost(visible, reposted)!.seenIn).toEqual([
      expect.objectContaining({ network: 'BLUESKY', sourceId }),
    ]);
    // Both lists are in keyset order; the hidden view is the visible one plus the hidden items.
    expect(all.filter((n) => !n.hidden).map((n) => n.id)).toEqual(
      visible.slice(0, all.filter((n) => !n.hidden).length).map((n) => n.id),
    );
    expect(all.some((n) => n.hidden)).toBe(true);
  });

  it('answers a page with at most 3 SQL statements whatever its size', async () => {
    for (const [first, includeHidden] of [
      [10, false],
      [100, false],
      [100, true],
    ] as const) {
      counter.reset();
      const res = await page({ first, includeHidden }, countedGql);
      expect(res.errors).toBeUndefined();
      expect(res.data!.timeline.edges).toHaveLength(first);
      // The bearer token's lookup (token, its user, at times its lastUsedAt) is the guard's, not the page's.
      const statements = counter.statements.filter(
        (s) => !/^(SELECT|UPDATE) "public"\."(ApiToken|User)"/.test(s.trim()),
      );
      expect(statements.some((s) => s.includes('"TimelineEntry"'))).toBe(true); // the counter sees the page
      // The statements themselves in the failure message: what to look at when this breaks.
      expect({ first, includeHidden, withinLimit: statements.length <= 3, statements }).toEqual({
        first,
        includeHidden,
        withinLimit: true,
        statements,
      });
    }
  });

  it('refuses bad page sizes, malformed and foreign cursors, and unknown pipelines', async () => {
    const first = await page({ first: 2 });
    const cursor = first.data!.timeline.pageInfo.endCursor!;
    expect(codeOf(await page({ first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ first: 2, after: 'nonsense' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ first: 2, after: '' }))).toBe(null); // empty = from the top
    // Cursors are not signed: a hand-made one of the caller's own pipeline is just a position (it
    // reaches nothing else), one out of the bigint range is refused as the client's input.
    const payload = Buffer.from(cursor, 'base64url').toString();
    const made = (id: string) => Buffer.from(payload.replace(/:(\d+)$/, `:${id}`)).toString('base64url');
    expect(codeOf(await page({ first: 2, after: made('1') }))).toBe(null);
    const outOfRange = await page({ first: 2, after: made('9223372036854775808') });
    expect(codeOf(outOfRange)).toBe('BAD_USER_INPUT');
    expect(outOfRange.errors![0]!.message).toBe('after: malformed cursor');
    // A cursor of the same user's other pipeline.
    const spec = { name: 'Other', stages: [] };
    const other = await prisma.pipeline.create({
      data: { userId, name: 'Other', spec, versions: { create: { version: 1, spec } } },
    });
    expect(codeOf(await page({ p: other.id, first: 2, after: cursor }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page({ p: pipelineId, first: 2, after: cursor }))).toBe(null);
    // Unknown or malformed pipeline ids are not found.
    expect(codeOf(await page({ p: '00000000-0000-4000-8000-000000000000', first: 2 }))).toBe('NOT_FOUND');
    expect(codeOf(await page({ p: 'x', first: 2 }))).toBe('NOT_FOUND');
    await prisma.pipeline.delete({ where: { id: other.id } });
  });

  describe('markRead', () => {
    let reader: FakeAccount;
    interface MarkEdge {
      cursor: string;
      node: { id: string; post: { network: string; nativeId: string } };
    }
    const MARK = 'mutation($p: ID!, $pos: String!) { markRead(pipeline: $p, position: $pos) }';
    const readPosition = async () =>
      (await prisma.pipeline.findUniqueOrThrow({ where: { id: pipelineId } })).readPosition;

    it('keeps the position on the pipeline and saves the nearest Mastodon post read as the home marker', async () => {
      // The user's Mastodon account follows a friend who posted five times.
      reader = fake.createAccount('reader');
      const friend = fake.createAccount('friend');
      fake.follow(reader, friend);
      const statuses = Array.from({ length: 5 }, (_, n) =>
        fake.post(friend, { text: `from the fediverse ${n}` }),
      );
      await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
      const edges = await waitFor('the five statuses in the timeline', async () => {
        const all: MarkEdge[] = [];
        for (let after: string | null = null; ;) {
          const res: {
            data?: { timeline: { edges: MarkEdge[]; pageInfo: { endCursor: string | null } } } | null;
          } = await gql(
            `query($after: String) { timeline(first: 100, after: $after, includeHidden: true) {
                edges { cursor node { id post { network nativeId } } } pageInfo { endCursor } } }`,
            { after },
            token,
          );
          all.push(...res.data!.timeline.edges);
          after = res.data!.timeline.pageInfo.endCursor;
          if (res.data!.timeline.edges.length < 100) break;
        }
        return all.filter((e) => e.node.post.network === 'MASTODON').length === 5 ? all : null;
      });
      // Read down to just past the third status: the marker is that status (the nearest Mastodon
      // post at or above the position), not the newest one.
      const mastodon = edges.flatMap((e, i) => (e.node.post.network === 'MASTODON' ? [i] : []));
      const third = mastodon[2]!;
      const positionIndex =
        third + 1 < edges.length && edges[third + 1]!.node.post.network !== 'MASTODON' ? third + 1 : third;
      const position = edges[positionIndex]!.cursor;
      const expected = edges[third]!.node.post.nativeId;
      expect(statuses).toContain(expected);
      expect(expected).not.toBe(edges[mastodon[0]!]!.node.post.nativeId);

      const res = await gql<{ markRead: boolean }>(MARK, { p: pipelineId, pos: position }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.markRead).toBe(true);
      expect(await readPosition()).toBe(position);
      const marker = await waitFor('the home marker on the instance', async () => fake.homeMarker(reader));
      expect(marker.lastReadId).toBe(expected);
      expect(fake.violations).toEqual([]);
      // The position is readable by the user (any device) and works as a cursor: reading resumes below it.
      const view = await gql<{ pipeline: { readPosition: string } }>(
        'query($p: ID!) { pipeline(id: $p) { readPosition } }',
        { p: pipelineId },
        token,
      );
      expect(view.data?.pipeline.readPosition).toBe(position);
      const resumed = await page({ after: position, first: 1, includeHidden: true });
      expect(resumed.data!.timeline.edges[0]!.node.id).toBe(edges[positionIndex + 1]!.node.id);

      // Marking a higher position moves the marker up; the same one again changes nothing.
      const top = edges[mastodon[0]!]!;
      await gql(MARK, { p: pipelineId, pos: top.cursor }, token);
      await waitFor(
        'the marker moved up',
        async () => fake.homeMarker(reader)?.lastReadId === top.node.post.nativeId,
      );
    });

    it('marks a boost read by the boost, the entry Mastodon clients show', async () => {
      const booster = fake.createAccount('booster');
      const stranger = fake.createAccount('stranger');
      fake.follow(reader, booster);
      const original = fake.post(stranger, { text: 'boosted from afar' });
      const boost = fake.boost(booster, original);
      const edge = await waitFor('the boost in the timeline', async () => {
        const res = await gql<{ timeline: { edges: MarkEdge[] } }>(
          'query { timeline(first: 100, includeHidden: true) { edges { cursor node { id post { network nativeId } } } } }',
          {},
          token,
        );
        return res.data?.timeline.edges.find((e) => e.node.post.nativeId === original);
      });
      await gql(MARK, { p: pipelineId, pos: edge.cursor }, token);
      await waitFor('the marker on the boost', async () => fake.homeMarker(reader)?.lastReadId === boost);
    });

    it("refuses positions that are not cursors of that pipeline, and pipelines not the caller's", async () => {
      const before = await readPosition();
      const first = await page({ first: 1 });
      const cursor = first.data!.timeline.edges[0]!.cursor;
      const spec = { name: 'Elsewhere', stages: [] };
      const other = await prisma.pipeline.create({
        data: { userId, name: 'Elsewhere', spec, versions: { create: { version: 1, spec } } },
      });
      const bad = await gql(MARK, { p: other.id, pos: cursor }, token);
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.message).toBe('position: cursor belongs to another pipeline');
      expect(codeOf(await gql(MARK, { p: pipelineId, pos: 'garbage' }, token))).toBe('BAD_USER_INPUT');
      expect(codeOf(await gql(MARK, { p: '00000000-0000-4000-8000-000000000000', pos: cursor }, token))).toBe(
        'NOT_FOUND',
      );
      expect(codeOf(await gql(MARK, { p: pipelineId, pos: cursor }))).toBe('UNAUTHENTICATED');
      expect(await readPosition()).toBe(before);
      expect((await prisma.pipeline.findUniqueOrThrow({ where: { id: other.id } })).readPosition).toBeNull();
      await prisma.pipeline.delete({ where: { id: other.id } });
    });
  });
});

describe("a followed author's post that someone also reposted", () => {
  // Bob's post, reposted by carol, in the home timeline of the reader, who follows both.
  const carol = (n: number) => ({
    by: { ...testPost(0).author, networkId: 'did:plc:carol', handle: 'carol.test' },
    at: new Date().toISOString(),
    uri: `at://did:plc:carol/app.bsky.feed.repost/r${n}`,
  });
  const bob = (n: number) =>
    fresh(n, { author: { ...testPost(0).author, networkId: 'did:plc:bob', handle: 'bob.test' } });

  /** Stores the items as one delivery of the home source and runs the pipelines (the worker's path). */
  async function deliver(items: Parameters<typeof upsertIngested>[2]) {
    const { newPostIds } = await upsertIngested(prisma, sourceId, items, NETWORK_TRUST_DOMAIN);
    await timelines.runPipelines(userId, newPostIds.map(String));
  }

  it('hide-reposts hides the repost and keeps the post, whether it came with the repost, before or after', async () => {
    const spec = { name: 'No reposts', stages: [{ use: 'hide-reposts' }] };
    const noReposts = await prisma.pipeline.create({
      data: { userId, name: 'No reposts', spec, versions: { create: { version: 1, spec } } },
    });
    const together = bob(4000);
    const repostFirst = bob(4001);
    const postFirst = bob(4002);
    const onlyReposted = fresh(4003);
    // One page of the home timeline: the repost (newest) and, further down, the post itself.
    await deliver([
      { post: together, reason: carol(1) },
      { post: onlyReposted, reason: carol(2) },
      { post: together, reason: null },
    ]);
    await deliver([{ post: repostFirst, reason: carol(3) }]);
    await deliver([{ post: postFirst, reason: null }]);
    const node = async (uri: string) => {
      const res = await page({ p: noReposts.id, first: 100, includeHidden: true });
      expect(res.errors).toBeUndefined();
      return res.data!.timeline.edges.map((e) => e.node).find((n) => n.post.uri === uri);
    };
    expect(await node(repostFirst.uri)).toMatchObject({ hidden: true, hiddenReason: 'repost' });
    await deliver([{ post: repostFirst, reason: null }]);
    await deliver([{ post: postFirst, reason: carol(4) }]);

    for (const kept of [together, repostFirst, postFirst])
      expect(await node(kept.uri)).toMatchObject({
        hidden: false,
        reason: null,
        decisions: [
          { stage: 'hide-reposts', verdict: 'KEEP', reason: 'repost hidden; the post itself came too' },
        ],
      });
    // A post the reader got only through carol's repost stays hidden.
    expect(await node(onlyReposted.uri)).toMatchObject({ hidden: true, hiddenReason: 'repost' });
    // A pipeline without the stage still shows carol's repost.
    const res = await page({ first: 100 });
    expect(res.data!.timeline.edges.find((e) => e.node.post.uri === together.uri)!.node.reason).toMatchObject(
      {
        by: { handle: 'carol.test' },
      },
    );
    await prisma.pipeline.delete({ where: { id: noReposts.id } });
  });
});
