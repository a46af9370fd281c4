// Viewer state and fresh counts end to end: `liked`/`reposted` on a post are the caller's own (two
// members read the same shared post row), set the moment an action is accepted, reconciled with the
// network (what the member's account did outside Tributary arrives with the posts read through
// its own session), and the post's counts follow a like at once, on the reference Bluesky network
// and the fake Mastodon server.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface PostView {
  id: string;
  liked: boolean;
  reposted: boolean;
  bookmarked: boolean;
  counts: { likes: number; reposts: number };
}

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

let author: TestBlueskyAccount;
let aliceBsky: TestBlueskyAccount;
let bskyPost: { uri: string; cid: string };
let bskyLikedOutside: { uri: string; cid: string };
let mastoAuthor: FakeAccount;
let aliceMasto: FakeAccount;
let mastoStatusId: string;
let mastoFavouritedOutside: string;

async function postIdOf(uri: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM "Post" WHERE uri = $1 LIMIT 1`, [
    uri,
  ]);
  return rows[0]?.id ?? null;
}

async function view(who: 'alice' | 'bob', id: string): Promise<PostView> {
  const res = await gql<{ post: PostView }>(
    'query($id: ID!) { post(id: $id) { id liked reposted bookmarked counts { likes reposts } } }',
    { id },
    tokens[who],
  );
  expect(res.errors).toBeUndefined();
  return res.data!.post;
}

async function act(name: string, post: string): Promise<string> {
  const res = await gql<Record<string, { id: string; status: string }>>(
    `mutation($p: ID!) { ${name}(post: $p) { id status } }`,
    { p: post },
    tokens.alice,
  );
  expect(res.errors).toBeUndefined();
  return res.data![name]!.id;
}

const settled = (actionId: string) =>
  waitFor(`action ${actionId} to settle`, async () => {
    const res = await gql<{ action: { status: string; error: string | null } }>(
      'query($id: ID!) { action(id: $id) { status error } }',
      { id: actionId },
      tokens.alice,
    );
    const a = res.data!.action;
    return a.status !== 'PENDING' ? a : null;
  });

const mastoUri = (account: FakeAccount, id: string) =>
  `${fake.origin}/users/${account.username}/statuses/${id}`;

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [a, bobBsky, writer] = await Promise.all([
    net.createAccount('vsalice'),
    net.createAccount('vsbob'),
    net.createAccount('vsauthor'),
  ]);
  aliceBsky = a;
  author = writer;
  await aliceBsky.agent.follow(author.did);
  await bobBsky.agent.follow(author.did);
  bskyLikedOutside = await author.agent.post({
    text: 'liked in the Bluesky app',
    createdAt: new Date().toISOString(),
  });
  bskyPost = await author.agent.post({
    text: 'a post both members see',
    createdAt: new Date().toISOString(),
  });
  // Alice likes one post in another app, before Tributary reads anything of hers.
  await aliceBsky.agent.like(bskyLikedOutside.uri, bskyLikedOutside.cid);
  await net.processAll();

  mastoAuthor = fake.createAccount('vsauthor');
  aliceMasto = fake.createAccount('vsalice');
  const bobMasto = fake.createAccount('vsbob');
  fake.follow(aliceMasto, mastoAuthor);
  fake.follow(bobMasto, mastoAuthor);
  mastoFavouritedOutside = fake.post(mastoAuthor, { text: 'favourited in the Mastodon app' });
  mastoStatusId = fake.post(mastoAuthor, { text: 'a status both members see' });
  fake.favourite(aliceMasto, mastoFavouritedOutside);

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
  await linkBluesky(gql, tokens.alice, aliceBsky, net.info.pdsUrl);
  await linkBluesky(gql, tokens.bob, bobBsky, net.info.pdsUrl);
  await linkMastodon(gql, tokens.alice, fake.origin, fake.issueToken(aliceMasto));
  await linkMastodon(gql, tokens.bob, fake.origin, fake.issueToken(bobMasto));
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

/** The post's id once both members' sources delivered it (one shared row). */
const sharedPost = (uri: string) =>
  waitFor(`${uri} read by both members`, async () => {
    const id = await postIdOf(uri);
    if (!id) return null;
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(DISTINCT la."userId") AS n FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId" WHERE sp."postId" = $1`,
      [id],
    );
    return Number(rows[0]!.n) === 2 ? id : null;
  });

describe.each([
  { network: 'Bluesky', uri: () => bskyPost.uri },
  { network: 'Mastodon', uri: () => mastoUri(mastoAuthor, mastoStatusId) },
])('on $network', ({ uri }) => {
  it('a like shows at once for its member only, and the count follows once the network has it', async () => {
    const id = await sharedPost(uri());
    expect(await view('alice', id)).toMatchObject({ liked: false, reposted: false, counts: { likes: 0 } });

    const like = await act('like', id);
    // Accepted, not yet performed (or just performed): liked already.
    expect((await view('alice', id)).liked).toBe(true);
    expect((await view('bob', id)).liked).toBe(false);
    expect(await settled(like)).toMatchObject({ status: 'DONE' });
    expect(await view('alice', id)).toMatchObject({ liked: true, counts: { likes: 1 } });
    // The counts are everyone's; the like is alice's alone.
    expect(await view('bob', id)).toMatchObject({ liked: false, counts: { likes: 1 } });

    expect(await settled(await act('repost', id))).toMatchObject({ status: 'DONE' });
    expect(await view('alice', id)).toMatchObject({ liked: true, reposted: true, counts: { reposts: 1 } });
    expect((await view('bob', id)).reposted).toBe(false);

    expect(await settled(await act('unlike', id))).toMatchObject({ status: 'DONE' });
    expect(await view('alice', id)).toMatchObject({ liked: false, reposted: true, counts: { likes: 0 } });
  });
});

describe('reconciled with the network', () => {
  it("what alice's accounts liked in other apps reads as liked, from posts read through her own sessions", async () => {
    for (const uri of [bskyLikedOutside.uri, mastoUri(mastoAuthor, mastoFavouritedOutside)]) {
      const id = await sharedPost(uri);
      await waitFor(`${uri} liked for alice`, async () => (await view('alice', id)).liked);
      expect((await view('bob', id)).liked).toBe(false);
    }
  });

  it('the shared post keeps nothing of what the reading account did', async () => {
    const { rows } = await db.query<{ raw: string }>(`SELECT raw::text FROM "Post"`);
    for (const { raw } of rows) {
      expect(raw).not.toMatch(/"viewer"|"favourited"|"reblogged"|"bookmarked"/);
    }
  });
});
