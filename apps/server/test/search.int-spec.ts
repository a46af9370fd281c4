// Search end to end: posts, people and hashtags found on the reference Bluesky network (searchPosts
// and searchActors through the member's session, the AppView's own index) and on the fake Mastodon
// instance (/api/v2/search), merged into one page; a Bridgy Fed copy and its original are one
// result; the member's mute words hide results with why; a network that fails leaves the other's
// results; pages follow each other without losing or repeating a result.
import { RichText } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(180_000);

/** A word no other suite posts: the reference network is shared by the whole run. */
const TERM = 'walrusq';

interface SearchPost {
  post: { id: string; network: string; uri: string; text: string; createdAt: string };
  foundBy: { network: string; linkedAccountId: string; uri: string }[];
  hidden: boolean;
  hiddenReason: string | null;
  decisions: { stage: string; index: number; verdict: string; reason: string | null }[];
}
interface SearchNetwork {
  network: string;
  linkedAccountId: string | null;
  found: number;
  error: string | null;
  errorCode: string | null;
}
interface Results {
  posts: SearchPost[];
  people: { profile: { network: string; handle: string; linkedAccountId: string }; sameAs: unknown[] }[];
  hashtags: { name: string; networks: string[]; webUrl: string | null; usesLastWeek: number | null }[];
  networks: SearchNetwork[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const SEARCH = `query($q: String!, $k: SearchKind!, $first: Int, $after: String, $hidden: Boolean) {
  search(query: $q, kind: $k, first: $first, after: $after, includeHidden: $hidden) {
    posts { post { id network uri text createdAt } foundBy { network linkedAccountId uri }
            hidden hiddenReason decisions { stage index verdict reason } }
    people { profile { network handle linkedAccountId } sameAs { handle } }
    hashtags { name networks webUrl usesLastWeek }
    networks { network linkedAccountId found error errorCode }
    pageInfo { hasNextPage endCursor }
  }
}`;

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let bskyMe: TestBlueskyAccount;
let bskyCarol: TestBlueskyAccount;
let bskyFan: TestBlueskyAccount;
let bskyBridge: TestBlueskyAccount;
let mastoMe: FakeAccount;
let mastoCarol: FakeAccount;
let bskyAccountId: string;
let mastoAccountId: string;
const uris: Record<string, string> = {};

async function search(
  q: string,
  k: 'POSTS' | 'PEOPLE' | 'HASHTAGS',
  options: { first?: number; after?: string | null; hidden?: boolean } = {},
): Promise<Results> {
  const res = await gql<{ search: Results }>(SEARCH, { q, k, ...options }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.search;
}

/** A Bluesky post with its hashtags as facets, as an app writes it. */
async function bskyPost(account: TestBlueskyAccount, text: string, extra: Record<string, unknown> = {}) {
  const rt = new RichText({ text });
  await rt.detectFacets(account.agent);
  return account.agent.post({
    text: rt.text,
    ...(rt.facets ? { facets: rt.facets } : {}),
    createdAt: new Date().toISOString(),
    ...extra,
  });
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  [bskyMe, bskyCarol, bskyFan, bskyBridge] = await Promise.all([
    net.createAccount('me'),
    net.createAccount('carol'),
    net.createAccount(`${TERM}fan`),
    net.createAccount('bridge'),
  ]);
  mastoMe = fake.createAccount('me');
  mastoCarol = fake.createAccount('carol');
  fake.createAccount(`${TERM}fan`, { displayName: 'Walrus Fan' });

  // Oldest first: each network lists its newest first, and the merge keeps that order.
  const original = fake.post(mastoCarol, { text: `${TERM} news from Mastodon` });
  const originalUrl = `${fake.origin}/@carol/${original}`;
  uris.original = `${fake.origin}/users/carol/statuses/${original}`;
  uris.copy = (
    await bskyPost(bskyBridge, `${TERM} news from Mastodon`, { bridgyOriginalUrl: originalUrl })
  ).uri;
  uris.tusk = (await bskyPost(bskyCarol, `a ${TERM} tusk on the beach`)).uri;
  fake.post(mastoCarol, { text: `secret ${TERM}`, visibility: 'private' });
  const tagged = fake.post(mastoCarol, { text: `${TERM} on Mastodon #${TERM}facts`, tags: [`${TERM}facts`] });
  uris.mastodon = `${fake.origin}/users/carol/statuses/${tagged}`;
  uris.bluesky = (await bskyPost(bskyCarol, `${TERM} sightings at dawn #${TERM}facts`)).uri;
  await net.processAll();

  instance = await startTestInstance({
    ROLE: 'all',
    BACKFILL_DEPTH: '0',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "seeker", password: "long enough password") { token } }',
    { i: code },
  );
  token = signUp.data!.signUp.token;
  // The member mutes a word in their default pipeline: search results obey it too.
  const pipelines = await gql<{ pipelines: { id: string; spec: { stages: unknown[] } }[] }>(
    '{ pipelines { id spec } }',
    {},
    token,
  );
  const home = pipelines.data!.pipelines[0]!;
  const muted = await gql(
    'mutation($id: ID!, $spec: JSON) { updatePipeline(id: $id, spec: $spec) { id } }',
    {
      id: home.id,
      spec: { ...home.spec, stages: [{ use: 'mute-words', with: { words: ['tusk'] } }, ...home.spec.stages] },
    },
    token,
  );
  expect(muted.errors).toBeUndefined();
  bskyAccountId = await linkBluesky(gql, token, bskyMe, net.info.pdsUrl);
  mastoAccountId = await linkMastodon(gql, token, fake.origin, fake.issueToken(mastoMe));
}, 240_000);

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
});

describe('search', () => {
  it('finds seeded posts on each network, newest first, one result for a Bridgy Fed copy and its original', async () => {
    const found = await search(TERM, 'POSTS');
    expect(found.networks).toEqual(
      expect.arrayContaining([
        { network: 'BLUESKY', linkedAccountId: bskyAccountId, found: 3, error: null, errorCode: null },
        { network: 'MASTODON', linkedAccountId: mastoAccountId, found: 2, error: null, errorCode: null },
      ]),
    );
    // The private status is not found; the tusk post is hidden by the mute word.
    expect(found.posts.map((p) => p.post.uri)).toEqual([uris.bluesky, uris.mastodon, uris.original]);
    const times = found.posts.map((p) => Date.parse(p.post.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const merged = found.posts.find((p) => p.post.uri === uris.original)!;
    expect(merged.post.network).toBe('MASTODON');
    expect(merged.foundBy).toEqual(
      expect.arrayContaining([
        { network: 'MASTODON', linkedAccountId: mastoAccountId, uri: uris.original },
        { network: 'BLUESKY', linkedAccountId: bskyAccountId, uri: uris.copy },
      ]),
    );
    expect(merged.decisions).toEqual([
      expect.objectContaining({ stage: 'dedupe-crossposts', verdict: 'MERGE' }),
    ]);
    expect(found.pageInfo).toEqual({ hasNextPage: false, endCursor: null });

    // Each result is stored: the member opens it like any post they saw.
    for (const { post } of found.posts) {
      const opened = await gql<{ post: { text: string } }>(
        'query($id: ID!) { post(id: $id) { text } }',
        { id: post.id },
        token,
      );
      expect(opened.errors).toBeUndefined();
      expect(opened.data!.post.text).toBe(post.text);
    }
  });

  it('hides what a mute word hides, and shows it with why when asked', async () => {
    const all = await search(TERM, 'POSTS', { hidden: true });
    const tusk = all.posts.find((p) => p.post.uri === uris.tusk)!;
    expect(tusk).toMatchObject({ hidden: true, hiddenReason: expect.stringMatching(/tusk/) });
    // The stage's place in the member's pipeline: first.
    expect(tusk.decisions).toEqual([
      { stage: 'mute-words', index: 0, verdict: 'HIDE', reason: expect.stringMatching(/tusk/) },
    ]);
    expect(all.posts.filter((p) => p.hidden)).toHaveLength(1);
  });

  it('pages through the merged results without losing or repeating one', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Results = await search(TERM, 'POSTS', { first: 2, after, hidden: true });
      expect(res.posts.length).toBeLessThanOrEqual(2);
      seen.push(...res.posts.map((p) => p.post.uri));
      if (!res.pageInfo.hasNextPage) break;
      after = res.pageInfo.endCursor;
    }
    // The copy and its original fall on different pages: the one shown first stands for both.
    expect(seen.slice(0, 3)).toEqual([uris.bluesky, uris.mastodon, uris.tusk]);
    expect(seen.slice(3)).toEqual([
      expect.stringMatching(new RegExp(`^(${[uris.copy, uris.original].join('|')})$`)),
    ]);
  });

  it('finds people on both networks', async () => {
    const found = await search(`${TERM}fan`, 'PEOPLE');
    expect(found.people.map((p) => [p.profile.network, p.profile.handle]).sort()).toEqual([
      ['BLUESKY', bskyFan.handle],
      ['MASTODON', `${TERM}fan@${fake.host}`],
    ]);
    const bluesky = found.people.find((p) => p.profile.network === 'BLUESKY')!;
    expect(bluesky.profile.linkedAccountId).toBe(bskyAccountId);
  });

  it('finds a hashtag once, known to both networks', async () => {
    const found = await search(`#${TERM}fact`, 'HASHTAGS');
    expect(found.hashtags).toEqual([
      {
        name: `${TERM}facts`,
        networks: expect.arrayContaining(['BLUESKY', 'MASTODON']),
        webUrl: expect.any(String),
        usesLastWeek: 1, // Mastodon's count; Bluesky counts none
      },
    ]);
  });

  it("gives one network's results when the other fails, with its error", async () => {
    // The first try and both retries of the instance's search fail.
    fake.failNext(503, { times: 3, pathPrefix: '/api/v2/search' });
    const found = await search(TERM, 'POSTS');
    expect(found.posts.map((p) => p.post.network)).toEqual(['BLUESKY', 'BLUESKY']);
    expect(found.networks.find((n) => n.network === 'MASTODON')).toMatchObject({
      linkedAccountId: mastoAccountId,
      found: 0,
      errorCode: 'UPSTREAM_UNAVAILABLE',
      error: expect.stringMatching(/^Mastodon is unavailable/),
    });
    // The failed network is tried again by the next search.
    expect((await search(TERM, 'POSTS')).posts).toHaveLength(3);
  });

  it('refuses an empty query, a page size out of range and a cursor of another search', async () => {
    const empty = await gql('{ search(query: "  ") { kind } }', {}, token);
    expect(codeOf(empty)).toBe('BAD_USER_INPUT');
    const big = await gql(`{ search(query: "${TERM}", first: 41) { kind } }`, {}, token);
    expect(codeOf(big)).toBe('BAD_USER_INPUT');
    const first = await search(TERM, 'POSTS', { first: 1 });
    const other = await gql(SEARCH, { q: 'other', k: 'POSTS', after: first.pageInfo.endCursor }, token);
    expect(codeOf(other)).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0]?.message).toMatch(/^after: this cursor belongs to another search/);
  });

  it('asked the fake Mastodon instance nothing outside its API description', () => {
    expect(fake.violations).toEqual([]);
    const searches = fake.requests.filter((r) => r.path === '/api/v2/search');
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every((r) => r.query['resolve'] === 'false')).toBe(true);
  });
});
