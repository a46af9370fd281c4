// Bookmarks end to end: kept by Tributary for posts of both networks (Bluesky has no bookmarks a
// third party can keep), `bookmarked` set at once and for its member only, one keyset-paged list
// newest first, a Mastodon post's bookmark mirrored to the instance's own bookmarks — on the
// reference Bluesky network and the fake Mastodon server, through GraphQL and the Mastodon client
// API (masto, as an app uses it; a Tributary token is a Mastodon API token).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createRestAPIClient } from 'masto';
import type { mastodon } from 'masto';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import { startContractProxy } from './mastodon-contract-proxy.js';
import type { ContractProxy } from './mastodon-contract-proxy.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface Page {
  edges: { cursor: string; bookmarkedAt: string; node: { id: string; uri: string; bookmarked: boolean } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
let aliceMasto: FakeAccount;
let aliceMastoToken: string;
let mastoAuthor: FakeAccount;
let author: TestBlueskyAccount;
const bsky: { uri: string; cid: string }[] = [];
const masto: string[] = [];

const mastoUri = (id: string) => `${fake.origin}/users/${mastoAuthor.username}/statuses/${id}`;

async function postIdOf(uri: string): Promise<string> {
  return waitFor(`${uri} stored for both members`, async () => {
    const { rows } = await db.query<{ id: string; n: string }>(
      `SELECT p.id::text, count(DISTINCT la."userId") AS n FROM "Post" p
       JOIN "SourcePost" sp ON sp."postId" = p.id JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId" WHERE p.uri = $1 GROUP BY p.id`,
      [uri],
    );
    return rows.find((r) => Number(r.n) === 2)?.id ?? null;
  });
}

async function call<T>(who: 'alice' | 'bob', query: string, variables: Record<string, unknown> = {}) {
  const res = await gql<T>(query, variables, tokens[who]);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const bookmarked = async (who: 'alice' | 'bob', id: string) =>
  (
    await call<{ post: { bookmarked: boolean } }>(who, 'query($id: ID!) { post(id: $id) { bookmarked } }', {
      id,
    })
  ).post.bookmarked;

const page = async (who: 'alice' | 'bob', first: number, after: string | null = null) =>
  (
    await call<{ bookmarks: Page }>(
      who,
      'query($f: Int!, $a: String) { bookmarks(first: $f, after: $a) { edges { cursor bookmarkedAt node { id uri bookmarked } } pageInfo { hasNextPage endCursor } } }',
      { f: first, a: after },
    )
  ).bookmarks;

/** Every bookmark of the member, following the cursors `first` at a time. */
async function allBookmarks(who: 'alice' | 'bob', first: number): Promise<string[]> {
  const uris: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page(who, first, after);
    uris.push(...p.edges.map((e) => e.node.uri));
    expect(p.edges.every((e) => e.node.bookmarked)).toBe(true);
    if (!p.pageInfo.hasNextPage) return uris;
    after = p.pageInfo.endCursor;
  }
}

/** What alice's Mastodon account has bookmarked on the instance itself, newest first. */
async function instanceBookmarks(): Promise<string[]> {
  const res = await fetch(`${fake.origin}/api/v1/bookmarks`, {
    headers: { authorization: `Bearer ${aliceMastoToken}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { uri: string }[]).map((s) => s.uri);
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [aliceBsky, bobBsky, writer] = await Promise.all([
    net.createAccount('bmalice'),
    net.createAccount('bmbob'),
    net.createAccount('bmauthor'),
  ]);
  author = writer;
  await aliceBsky.agent.follow(author.did);
  await bobBsky.agent.follow(author.did);
  for (const text of ['bluesky one', 'bluesky two']) {
    bsky.push(await author.agent.post({ text, createdAt: new Date().toISOString() }));
  }
  await net.processAll();

  mastoAuthor = fake.createAccount('bmauthor');
  aliceMasto = fake.createAccount('bmalice');
  const bobMasto = fake.createAccount('bmbob');
  fake.follow(aliceMasto, mastoAuthor);
  fake.follow(bobMasto, mastoAuthor);
  masto.push(
    fake.post(mastoAuthor, { text: 'mastodon one' }),
    fake.post(mastoAuthor, { text: 'mastodon two' }),
  );

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  const auth = instance.running.apps.at(-1)!.get(AuthService);
  for (const who of ['alice', 'bob'] as const) {
    const { code } = await auth.createInvite(null, 'MEMBER');
    const res = await gql<{ signUp: { token: string } }>(
      `mutation($i: String!) { signUp(invite: $i, username: "${who}", password: "long enough password") { token } }`,
      { i: code },
    );
    tokens[who] = res.data!.signUp.token;
  }
  aliceMastoToken = fake.issueToken(aliceMasto);
  await linkBluesky(gql, tokens.alice, aliceBsky, net.info.pdsUrl);
  await linkBluesky(gql, tokens.bob, bobBsky, net.info.pdsUrl);
  await linkMastodon(gql, tokens.alice, fake.origin, aliceMastoToken);
  await linkMastodon(gql, tokens.bob, fake.origin, fake.issueToken(bobMasto));
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('bookmarks over GraphQL', () => {
  it('bookmarks posts of both networks at once, for their member only, in one list paged newest first', async () => {
    const ids = {
      b1: await postIdOf(bsky[0]!.uri),
      m1: await postIdOf(mastoUri(masto[0]!)),
      b2: await postIdOf(bsky[1]!.uri),
    };
    for (const id of [ids.b1, ids.m1, ids.b2]) {
      const res = await call<{ bookmark: { id: string; bookmarked: boolean } }>(
        'alice',
        'mutation($p: ID!) { bookmark(post: $p) { id bookmarked } }',
        { p: id },
      );
      expect(res.bookmark).toEqual({ id, bookmarked: true });
    }
    // Again: nothing changes (no second row, no second mirror).
    await call('alice', 'mutation($p: ID!) { bookmark(post: $p) { id } }', { p: ids.b1 });

    expect(await bookmarked('alice', ids.m1)).toBe(true);
    expect(await bookmarked('bob', ids.m1)).toBe(false);
    expect(await bookmarked('bob', ids.b1)).toBe(false);
    expect((await page('bob', 10)).edges).toEqual([]);

    const newestFirst = [bsky[1]!.uri, mastoUri(masto[0]!), bsky[0]!.uri];
    expect(await allBookmarks('alice', 1)).toEqual(newestFirst);
    expect(await allBookmarks('alice', 2)).toEqual(newestFirst);
    const full = await page('alice', 10);
    expect(full.pageInfo).toEqual({ hasNextPage: false, endCursor: full.edges[2]!.cursor });
    const times = full.edges.map((e) => Date.parse(e.bookmarkedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("mirrors a Mastodon post's bookmark to the instance, never a Bluesky one", async () => {
    await waitFor('the bookmark on the Mastodon instance', async () =>
      (await instanceBookmarks()).includes(mastoUri(masto[0]!)),
    );
    const actions = await call<{ actions: { kind: string; network: string; status: string }[] }>(
      'alice',
      '{ actions(first: 50) { kind network status } }',
    );
    const bookmarks = actions.actions.filter((a) => a.kind === 'BOOKMARK');
    expect(bookmarks).toEqual([{ kind: 'BOOKMARK', network: 'MASTODON', status: 'DONE' }]);
  });

  it('unbookmark takes it out of the list and off the instance; a bad cursor or page size is refused', async () => {
    const m1 = await postIdOf(mastoUri(masto[0]!));
    const res = await call<{ unbookmark: { id: string; bookmarked: boolean } }>(
      'alice',
      'mutation($p: ID!) { unbookmark(post: $p) { id bookmarked } }',
      { p: m1 },
    );
    expect(res.unbookmark).toEqual({ id: m1, bookmarked: false });
    expect(await allBookmarks('alice', 5)).toEqual([bsky[1]!.uri, bsky[0]!.uri]);
    await waitFor(
      'the bookmark gone from the instance',
      async () => !(await instanceBookmarks()).includes(mastoUri(masto[0]!)),
    );

    const bad = await gql('{ bookmarks(after: "nope") { edges { cursor } } }', {}, tokens.alice);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toBe('after: not a cursor of this list');
    expect(codeOf(await gql('{ bookmarks(first: 101) { edges { cursor } } }', {}, tokens.alice))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('a post deleted at its origin leaves the list', async () => {
    const b2 = await postIdOf(bsky[1]!.uri);
    await db.query(`UPDATE "Post" SET "deletedAt" = now() WHERE id = $1`, [b2]);
    expect(await allBookmarks('alice', 5)).toEqual([bsky[0]!.uri]);
    // Still bookmarked (and listed again once the post is back); a deleted post cannot be bookmarked.
    const again = await gql('mutation($p: ID!) { bookmark(post: $p) { id } }', { p: b2 }, tokens.alice);
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    await db.query(`UPDATE "Post" SET "deletedAt" = NULL WHERE id = $1`, [b2]);
  });
});

describe('bookmarks in the Mastodon client API', () => {
  let client: mastodon.rest.Client;
  // Every answer held to the Mastodon contract the fake is held to.
  let proxy: ContractProxy;

  beforeAll(async () => {
    proxy = await startContractProxy(instance.apiUrl);
    client = createRestAPIClient({ url: proxy.url, accessToken: tokens.alice });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('masto bookmarks statuses of both networks, pages /api/v1/bookmarks by its Link header, and unbookmarks', async () => {
    const home = await client.v1.timelines.home.list({ limit: 40 });
    const mastodonTwo = home.find((s) => s.uri === mastoUri(masto[1]!))!;
    const blueskyOne = home.find((s) => s.uri === bsky[0]!.uri)!;
    expect(mastodonTwo.bookmarked).toBe(false);
    expect(blueskyOne.bookmarked).toBe(true); // bookmarked through GraphQL above

    const done = await client.v1.statuses.$select(mastodonTwo.id).bookmark();
    expect(done).toMatchObject({ id: mastodonTwo.id, bookmarked: true });

    // Two pages of one, then the end, following the Link header as apps do.
    const pages: string[][] = [];
    for await (const statuses of client.v1.bookmarks.list({ limit: 1 })) {
      pages.push(statuses.map((s) => s.uri));
      if (pages.length > 3) break;
    }
    const expected = [mastoUri(masto[1]!), bsky[1]!.uri, bsky[0]!.uri];
    expect(pages.flat()).toEqual(expected);
    expect(pages.slice(0, 3).map((p) => p.length)).toEqual([1, 1, 1]);
    // The last page's `prev` link (min_id) leads back to the one just above it.
    const links = async (url: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${tokens.alice}` } });
      const link = res.headers.get('link') ?? '';
      const rel = (name: string) => new RegExp(`<([^>]+)>; rel="${name}"`).exec(link)?.[1] ?? null;
      return {
        uris: ((await res.json()) as { uri: string }[]).map((x) => x.uri),
        next: rel('next'),
        prev: rel('prev'),
      };
    };
    const first = await links(`${proxy.url}/api/v1/bookmarks?limit=2`);
    expect(first.uris).toEqual(expected.slice(0, 2));
    const second = await links(first.next!);
    expect(second.uris).toEqual(expected.slice(2));
    expect((await links(second.prev!)).uris).toEqual(expected.slice(0, 2));
    expect((await links(second.next!)).uris).toEqual([]);
    // GraphQL sees the same list.
    expect(await allBookmarks('alice', 10)).toEqual(expected);
    await waitFor('the Mastodon API bookmark on the instance', async () =>
      (await instanceBookmarks()).includes(mastoUri(masto[1]!)),
    );

    const undone = await client.v1.statuses.$select(blueskyOne.id).unbookmark();
    expect(undone.bookmarked).toBe(false);
    expect((await client.v1.bookmarks.list({ limit: 40 })).map((s) => s.uri)).toEqual(expected.slice(0, 2));

    // Another member's token lists none of them.
    const bob = createRestAPIClient({ url: proxy.url, accessToken: tokens.bob });
    expect(await bob.v1.bookmarks.list()).toEqual([]);
    expect(proxy.violations).toEqual([]);
    expect([...proxy.validated].filter((v) => v.includes('bookmark'))).toEqual(
      expect.arrayContaining([
        'GET /api/v1/bookmarks 200',
        'POST /api/v1/statuses/{id}/bookmark 200',
        'POST /api/v1/statuses/{id}/unbookmark 200',
      ]),
    );
  });
});
