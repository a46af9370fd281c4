// `post(id)` and `thread(id)` end to end: posts reach the user through real ingest (reference Bluesky
// network, OpenAPI-validated fake Mastodon), threads are fetched from the origin network through the
// user's linked account, stored, cached (no upstream request within the TTL), served stale when the
// network fails, and never reveal another user's posts.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';

jest.setTimeout(150_000);

const THREAD = `query($id: ID!) { thread(id: $id) {
  post { id uri text } ancestors { id uri text } replies { post { id uri text author { handle } } parentId depth }
  linkedAccountId fetchedAt stale staleReason } }`;

interface ThreadPost {
  id: string;
  uri: string;
  text: string;
}
interface ThreadView {
  post: ThreadPost;
  ancestors: ThreadPost[];
  replies: { post: ThreadPost & { author: { handle: string } }; parentId: string; depth: number }[];
  linkedAccountId: string;
  fetchedAt: string;
  stale: boolean;
  staleReason: string | null;
}

type Ref = { uri: string; cid: string };

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Pool;
let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let reader: string; // token of the user who links both networks
let other: string; // token of a second user with their own Mastodon account
const bsky: Record<string, Ref> = {};
const masto: Record<string, string> = {}; // status ids on the fake
let mastoAccountId = '';

async function signUp(username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: username },
  );
  return res.data!.signUp.token;
}

/** The stored id of a post, once ingest has stored it. */
async function postId(network: 'BLUESKY' | 'MASTODON', uri: string): Promise<string> {
  return waitFor(`post ${uri} stored`, async () => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT p.id::text AS id FROM "Post" p WHERE p.network = $1 AND p.uri = $2 AND EXISTS (SELECT 1 FROM "SourcePost" sp WHERE sp."postId" = p.id)`,
      [network, uri],
    );
    return rows[0]?.id ?? null;
  });
}

const mastoUri = (account: FakeAccount, id: string) =>
  `${fake.origin}/users/${account.username}/statuses/${id}`;

async function thread(id: string, token = reader) {
  return gql<{ thread: ThreadView }>(THREAD, { id }, token);
}

function upstreamCalls(path: RegExp): number {
  return fake.requests.filter((r) => path.test(r.path)).length;
}

async function post(author: TestBlueskyAccount, text: string, parent?: Ref, root?: Ref): Promise<Ref> {
  const res = await author.agent.post({
    text,
    ...(parent ? { reply: { root: root ?? parent, parent } } : {}),
  });
  return { uri: res.uri, cid: res.cid };
}

let friend: FakeAccount;
let replier: FakeAccount;

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [viewer, alice, bob, carol] = await Promise.all(
    ['viewer', 'alice', 'bob', 'carol'].map((n) => net.createAccount(n)),
  );
  await viewer!.agent.follow(alice!.did);
  await viewer!.agent.follow(bob!.did);
  // A reply chain alice -> bob -> alice -> bob, and carol (not followed) replying to the root.
  bsky['root'] = await post(alice!, 'Thread root: what do rivers dream of?');
  bsky['r1'] = await post(bob!, 'Of the sea, surely', bsky['root']);
  bsky['r2'] = await post(alice!, 'Or of their source', bsky['r1'], bsky['root']);
  bsky['r3'] = await post(bob!, 'Both, in turns', bsky['r2'], bsky['root']);
  bsky['carol'] = await post(carol!, 'A stranger chimes in', bsky['root']);
  await net.processAll();

  const me = fake.createAccount('me');
  const stranger = fake.createAccount('stranger');
  friend = fake.createAccount('friend');
  replier = fake.createAccount('replier');
  fake.follow(me, friend);
  masto['root'] = fake.post(friend, { text: 'Mastodon root post' });
  masto['a'] = fake.post(replier, { text: 'first reply', inReplyTo: masto['root'] });
  masto['b'] = fake.post(friend, { text: 'reply to the reply', inReplyTo: masto['a'] });
  masto['c'] = fake.post(replier, { text: 'second direct reply', inReplyTo: masto['root'] });
  masto['lonely'] = fake.post(friend, { text: 'a post nobody answered' });
  masto['elsewhere'] = fake.post(friend, { text: 'a reply looked up by its URI', inReplyTo: masto['root'] });
  masto['doomed'] = fake.post(friend, { text: 'a post about to be deleted' });

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '40',
    THREAD_CACHE_TTL_SECONDS: '600',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Pool({ connectionString: instance.databaseUrl, max: 2 });
  reader = await signUp('reader');
  other = await signUp('other');

  await linkBluesky(gql, reader, viewer!, net.info.pdsUrl);
  mastoAccountId = await linkMastodon(gql, reader, fake.origin, fake.issueToken(me));
  // The other user has a Mastodon account of their own, which follows nobody.
  await linkMastodon(gql, other, fake.origin, fake.issueToken(stranger));
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('post(id)', () => {
  it('returns a post that reached the user through their sources, in the full normalized shape', async () => {
    const id = await postId('BLUESKY', bsky['r2']!.uri);
    const res = await gql<{
      post: { id: string; uri: string; text: string; network: string; replyParent: { uri: string } };
    }>('query($id: ID!) { post(id: $id) { id uri text network replyParent { uri } } }', { id }, reader);
    expect(res.errors).toBeUndefined();
    expect(res.data!.post).toEqual({
      id,
      uri: bsky['r2']!.uri,
      text: 'Or of their source',
      network: 'BLUESKY',
      replyParent: { uri: bsky['r1']!.uri },
    });
  });

  it("is NOT_FOUND for another user's post, an unknown id and a malformed id", async () => {
    const id = await postId('BLUESKY', bsky['root']!.uri);
    for (const [token, postIdArg] of [
      [other, id],
      [reader, '999999999'],
      [reader, 'not-a-number'],
      [reader, '99999999999999999999999'],
    ] as const) {
      const res = await gql<{ post: unknown }>(
        'query($id: ID!) { post(id: $id) { id text } }',
        { id: postIdArg },
        token,
      );
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(res.data?.post ?? null).toBeNull();
    }
  });
});

describe('thread(id) on Bluesky', () => {
  it('fetches a reply chain from the reference network: ancestors root first, replies depth-first with parents', async () => {
    const r1 = await postId('BLUESKY', bsky['r1']!.uri);
    const res = await thread(r1);
    expect(res.errors).toBeUndefined();
    const t = res.data!.thread;
    expect(t.post).toMatchObject({ id: r1, uri: bsky['r1']!.uri, text: 'Of the sea, surely' });
    expect(t.ancestors.map((p) => p.uri)).toEqual([bsky['root']!.uri]);
    expect(t.replies.map((r) => [r.post.uri, r.depth])).toEqual([
      [bsky['r2']!.uri, 1],
      [bsky['r3']!.uri, 2],
    ]);
    expect(t.replies[0]!.parentId).toBe(r1);
    expect(t.replies[1]!.parentId).toBe(t.replies[0]!.post.id);
    expect(t.stale).toBe(false);
    // Every item is a stored post: the ids are the ingested rows'.
    expect(t.ancestors[0]!.id).toBe(await postId('BLUESKY', bsky['root']!.uri));
    expect(t.replies[0]!.post.id).toBe(await postId('BLUESKY', bsky['r2']!.uri));
  });

  it("stores replies the user's sources never saw, readable through post(id) by that user only", async () => {
    const root = await postId('BLUESKY', bsky['root']!.uri);
    const res = await thread(root);
    expect(res.errors).toBeUndefined();
    const replies = res.data!.thread.replies;
    expect(replies.map((r) => r.post.uri).sort()).toEqual(
      [bsky['r1']!.uri, bsky['r2']!.uri, bsky['r3']!.uri, bsky['carol']!.uri].sort(),
    );
    const carol = replies.find((r) => r.post.uri === bsky['carol']!.uri)!;
    expect(carol).toMatchObject({ parentId: root, depth: 1 });
    expect(carol.post.author.handle).toMatch(/^carol-/);
    const { rows } = await db.query(
      `SELECT 1 FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId" WHERE p.uri = $1`,
      [bsky['carol']!.uri],
    );
    expect(rows).toHaveLength(0); // stored, but fed to no pipeline

    const mine = await gql<{ post: { text: string } }>(
      'query($id: ID!) { post(id: $id) { text } }',
      { id: carol.post.id },
      reader,
    );
    expect(mine.data?.post.text).toBe('A stranger chimes in');
    const theirs = await gql('query($id: ID!) { post(id: $id) { text } }', { id: carol.post.id }, other);
    expect(codeOf(theirs)).toBe('NOT_FOUND');
    const theirThread = await thread(root, other);
    expect(codeOf(theirThread)).toBe('NOT_FOUND');

    // Seen in a thread only, the post can be acted on by that user, and by nobody else.
    const like = 'mutation($p: ID!) { like(post: $p) { status } }';
    const liked = await gql<{ like: { status: string } }>(like, { p: carol.post.id }, reader);
    expect(liked.errors).toBeUndefined();
    expect(liked.data?.like.status).toBe('PENDING');
    expect(codeOf(await gql(like, { p: carol.post.id }, other))).toBe('NOT_FOUND');
  });
});

describe('thread(id) on Mastodon', () => {
  it('fetches the status context from the instance, depth from in_reply_to_id, validated against the description', async () => {
    const root = await postId('MASTODON', mastoUri(friend, masto['root']!));
    const res = await thread(root);
    expect(res.errors).toBeUndefined();
    const t = res.data!.thread;
    expect(t.post.text).toBe('Mastodon root post');
    expect(t.ancestors).toEqual([]);
    expect(t.replies.map((r) => [r.post.text, r.depth])).toEqual([
      ['first reply', 1],
      ['reply to the reply', 2],
      ['second direct reply', 1],
      ['a reply looked up by its URI', 1],
    ]);
    expect(t.replies[1]!.parentId).toBe(t.replies[0]!.post.id);
    expect(t.replies[2]!.parentId).toBe(root);
    expect(t.linkedAccountId).toBe(mastoAccountId);
    expect(fake.violations).toEqual([]);
  });

  it('answers from the cache within the TTL without asking the instance again', async () => {
    const b = await postId('MASTODON', mastoUri(friend, masto['b']!));
    const before = upstreamCalls(/^\/api\/v1\/statuses\//);
    const first = await thread(b);
    expect(first.errors).toBeUndefined();
    expect(upstreamCalls(/^\/api\/v1\/statuses\//)).toBeGreaterThan(before);
    const afterFirst = fake.requests.length;

    const second = await thread(b);
    expect(second.errors).toBeUndefined();
    expect(fake.requests.length).toBe(afterFirst);
    expect(second.data!.thread).toEqual(first.data!.thread);
    expect(second.data!.thread.ancestors.map((p) => p.text)).toEqual(['Mastodon root post', 'first reply']);
  });

  it("resolves the status by its URI when the stored id is another instance's", async () => {
    // As if the post had been stored through another instance: its id there names another status here.
    const elsewhere = await postId('MASTODON', mastoUri(friend, masto['elsewhere']!));
    await db.query(`UPDATE "Post" SET "nativeId" = $1 WHERE id = $2`, [masto['lonely'], elsewhere]);
    const searches = upstreamCalls(/^\/api\/v2\/search$/);
    const res = await thread(elsewhere);
    expect(res.errors).toBeUndefined();
    expect(res.data!.thread.post).toMatchObject({ id: elsewhere, text: 'a reply looked up by its URI' });
    expect(res.data!.thread.ancestors.map((p) => p.text)).toEqual(['Mastodon root post']);
    expect(upstreamCalls(/^\/api\/v2\/search$/)).toBe(searches + 1);
    expect(fake.violations).toEqual([]);
  });

  it('serves the last fetched thread, marked stale, when the instance is down after the TTL', async () => {
    const b = await postId('MASTODON', mastoUri(friend, masto['b']!));
    await db.query(`UPDATE "ThreadCache" SET "fetchedAt" = now() - interval '1 hour'`);
    fake.failNext(503, { times: 3, pathPrefix: '/api/v1/statuses' }); // the connector retries 5xx twice
    const res = await thread(b);
    expect(res.errors).toBeUndefined();
    expect(res.data!.thread.stale).toBe(true);
    expect(res.data!.thread.staleReason).toMatch(/Mastodon is unavailable/);
    expect(res.data!.thread.ancestors.map((p) => p.text)).toEqual(['Mastodon root post', 'first reply']);

    // Back up: fetched again and fresh.
    const again = await thread(b);
    expect(again.data!.thread.stale).toBe(false);
    expect(new Date(again.data!.thread.fetchedAt).getTime()).toBeGreaterThan(
      new Date(res.data!.thread.fetchedAt).getTime(),
    );
  });

  it('is UPSTREAM_UNAVAILABLE with a clear message when the instance is down and nothing is cached', async () => {
    const lonely = await postId('MASTODON', mastoUri(friend, masto['lonely']!));
    fake.failNext(503, { times: 3, pathPrefix: '/api/v1/statuses' });
    const down = await thread(lonely);
    expect(codeOf(down)).toBe('UPSTREAM_UNAVAILABLE');
    expect(down.errors![0]!.message).toMatch(/Mastodon is unavailable/);
  });

  it('is NOT_FOUND for a status deleted on the instance, even with an expired cached thread', async () => {
    const doomed = await postId('MASTODON', mastoUri(friend, masto['doomed']!));
    expect((await thread(doomed)).errors).toBeUndefined();
    fake.deleteStatus(masto['doomed']!);
    await db.query(`UPDATE "ThreadCache" SET "fetchedAt" = now() - interval '1 hour'`);
    const res = await thread(doomed);
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(res.errors![0]!.message).toMatch(/no longer on Mastodon/);
    const { rows } = await db.query(`SELECT 1 FROM "ThreadCache" WHERE "postId" = $1`, [doomed]);
    expect(rows).toHaveLength(0);
  });

  it("never fetches another user's post through their own account", async () => {
    const root = await postId('MASTODON', mastoUri(friend, masto['root']!));
    const before = fake.requests.length;
    const res = await thread(root, other);
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(fake.requests.length).toBe(before);
  });

  // Last: a 429 blocks the account's request budget until the reset.
  it('is RATE_LIMITED, with when to retry, when the instance limits the account and nothing is cached', async () => {
    const lonely = await postId('MASTODON', mastoUri(friend, masto['lonely']!));
    fake.failNext(429, { resetInSeconds: 120, pathPrefix: '/api/v1/statuses' });
    const limited = await thread(lonely);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0]!.message).toMatch(/rate limit/i);
    expect(limited.errors![0]!.extensions!['retryAt']).toEqual(expect.any(String));
  });
});
