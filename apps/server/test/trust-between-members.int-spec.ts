// Trust between members (README "Security"): a member may run their own Mastodon server or PDS, and
// what it says must never change what another member sees or let its owner read another member's
// non-public posts. Bob reads through honest servers; Mallory links her own hostile ones, which claim
// the URIs of the posts Bob sees and serve their own text, link card, avatar and counts for them.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, HostilePds, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const POST = `query($id: ID!) { post(id: $id) {
  id uri text visibility linkCard { url title } author { displayName avatarUrl } counts { likes replies reposts } } }`;
const TIMELINE = '{ timeline(first: 100, includeHidden: true) { edges { node { post { id uri text } } } } }';

interface PostView {
  id: string;
  uri: string;
  text: string;
  visibility: string;
  linkCard: { url: string; title: string } | null;
  author: { displayName: string | null; avatarUrl: string | null };
  counts: { likes: number; replies: number; reposts: number };
}

const ATTACKER = 'https://attacker.example';

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Pool;
let honest: FakeMastodonServer;
let hostile: FakeMastodonServer;
let net: BlueskyNetworkClient;
let hostilePds: HostilePds;
const tokens = { bob: '', mallory: '' };
const users = { bob: '', mallory: '' };

async function signUp(username: string): Promise<{ token: string; id: string }> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token user { id } } }',
    { i: code, u: username },
  );
  return { token: res.data!.signUp.token, id: res.data!.signUp.user.id };
}

/** The id of the row through which `uri` reached the member, once their sources delivered it. */
async function rowOf(member: keyof typeof users, uri: string): Promise<string> {
  return waitFor(`${member}'s copy of ${uri}`, async () => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT p.id::text AS id FROM "Post" p
       JOIN "SourcePost" sp ON sp."postId" = p.id JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE p.uri = $1 AND la."userId" = $2`,
      [uri, users[member]],
    );
    return rows[0]?.id ?? null;
  });
}

/** Waits until the account's home source finished its backfill and its first sync. */
async function settled(accountId: string): Promise<void> {
  await waitFor(`account ${accountId} synced`, async () => {
    const { rows } = await db.query<{ done: boolean }>(
      `SELECT "backfillState" = 'DONE' AND "lastSyncedAt" IS NOT NULL AS done FROM "Source"
       WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
      [accountId],
    );
    return rows[0]?.done ?? false;
  });
}

/** The trust domains of the stored rows of `uri`: whose word each is. */
async function domainsOf(uri: string): Promise<string[]> {
  const { rows } = await db.query<{ trustDomain: string }>(
    `SELECT "trustDomain" FROM "Post" WHERE uri = $1 ORDER BY "trustDomain"`,
    [uri],
  );
  return rows.map((r) => r.trustDomain);
}

async function view(member: keyof typeof users, id: string) {
  return gql<{ post: PostView }>(POST, { id }, tokens[member]);
}

async function timelineTexts(member: keyof typeof users): Promise<string[]> {
  return waitFor(`${member}'s timeline`, async () => {
    const res = await gql<{ timeline: { edges: { node: { post: { text: string } } }[] } }>(
      TIMELINE,
      {},
      tokens[member],
    );
    const texts = res.data?.timeline.edges.map((e) => e.node.post.text) ?? [];
    return texts.length > 0 ? texts : null;
  });
}

beforeAll(async () => {
  honest = await FakeMastodonServer.start();
  hostile = await FakeMastodonServer.start();
  net = await blueskyNetwork();
  hostilePds = await HostilePds.start(net.info.pdsUrl);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: `${honest.host},${hostile.host}`,
    MASTODON_ALLOW_HTTP: 'true',
    // Bob's PDS is the operator's configured service; Mallory's is the one she runs.
    BLUESKY_DEFAULT_SERVICE: net.info.pdsUrl,
    BLUESKY_ALLOWED_HOSTS: `${new URL(net.info.pdsUrl).host},${hostilePds.host}`,
    BLUESKY_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Pool({ connectionString: instance.databaseUrl, max: 2 });
  const bob = await signUp('bob');
  const mallory = await signUp('mallory');
  tokens.bob = bob.token;
  tokens.mallory = mallory.token;
  users.bob = bob.id;
  users.mallory = mallory.id;
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await honest?.close();
  await hostile?.close();
  await hostilePds?.close();
});

describe('a member whose Mastodon server claims the URIs of statuses other members read', () => {
  let carol: FakeAccount;
  let publicUri = '';
  let privateUri = '';
  let bobPublic = '';
  let bobPrivate = '';
  let before: PostView;

  beforeAll(async () => {
    carol = honest.createAccount('carol', { displayName: 'Carol' });
    const bobAccount = honest.createAccount('bob');
    honest.follow(bobAccount, carol);
    const publicId = honest.post(carol, {
      text: 'The library opens at nine',
      card: { url: 'https://library.example/hours', title: 'Opening hours' },
    });
    const privateId = honest.post(carol, {
      text: 'Followers only: the door code is 4711',
      visibility: 'private',
    });
    publicUri = `${honest.origin}/users/carol/statuses/${publicId}`;
    privateUri = `${honest.origin}/users/carol/statuses/${privateId}`;

    // Mallory's server: an account claiming to be Carol, and statuses claiming Carol's URIs.
    const fakeCarol = hostile.createAccount('carol', {
      displayName: 'Carol (official)',
      uri: `${honest.origin}/users/carol`,
      avatar: `${ATTACKER}/avatar.png`,
    });
    const malloryAccount = hostile.createAccount('mallory');
    hostile.follow(malloryAccount, fakeCarol);
    hostile.post(fakeCarol, {
      uri: publicUri,
      text: 'Your session expired. Log in again',
      card: { url: `${ATTACKER}/login`, title: 'Log in again' },
      counts: { favourites: 9999, reblogs: 9999, replies: 9999 },
    });
    hostile.post(fakeCarol, { uri: privateUri, text: 'claimed', visibility: 'private' });

    // Bob first: his copies are stored and settled before Mallory's server speaks.
    const bobAccountId = await linkMastodon(gql, tokens.bob, honest.origin, honest.issueToken(bobAccount));
    await settled(bobAccountId);
    bobPublic = await rowOf('bob', publicUri);
    bobPrivate = await rowOf('bob', privateUri);
    const res = await view('bob', bobPublic);
    expect(res.errors).toBeUndefined();
    before = res.data!.post;
    expect(before).toMatchObject({
      text: 'The library opens at nine',
      linkCard: { url: 'https://library.example/hours', title: 'Opening hours' },
      author: { displayName: 'Carol', avatarUrl: `${honest.origin}/avatars/${carol.id}.png` },
    });

    const malloryAccountId = await linkMastodon(
      gql,
      tokens.mallory,
      hostile.origin,
      hostile.issueToken(malloryAccount),
    );
    await settled(malloryAccountId);
  });

  it("leaves another member's view of the status as its own server sent it", async () => {
    // Mallory's server was heard: she reads what it said…
    const mallorys = await view('mallory', await rowOf('mallory', publicUri));
    expect(mallorys.data?.post).toMatchObject({
      text: 'Your session expired. Log in again',
      linkCard: { url: `${ATTACKER}/login` },
      author: { avatarUrl: `${ATTACKER}/avatar.png` },
      counts: { likes: 9999 },
    });
    // …and Bob still reads Carol's status: text, link card, author, counts.
    const after = await view('bob', bobPublic);
    expect(after.errors).toBeUndefined();
    expect(after.data!.post).toEqual(before);
    // Each instance's word is a row of its own.
    expect(await domainsOf(publicUri)).toEqual([honest.origin, hostile.origin].sort());
  });

  it("gives the claimant no access to another member's copy", async () => {
    for (const id of [bobPublic, bobPrivate]) {
      const res = await view('mallory', id);
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(JSON.stringify(res)).not.toMatch(/door code|library opens/);
    }
  });

  it("never shows the claimant a followers-only status, not even after the member's own refresh", async () => {
    // Bob opens the thread: his account fetches the status again and stores what his server says.
    const thread = await gql<{ thread: { post: { id: string; text: string } } }>(
      'query($id: ID!) { thread(id: $id) { post { id text } } }',
      { id: bobPrivate },
      tokens.bob,
    );
    expect(thread.errors).toBeUndefined();
    expect(thread.data!.thread.post).toEqual({
      id: bobPrivate,
      text: 'Followers only: the door code is 4711',
    });
    expect((await view('bob', bobPrivate)).data?.post).toMatchObject({
      text: 'Followers only: the door code is 4711',
      visibility: 'PRIVATE',
    });

    const mallorys = await view('mallory', await rowOf('mallory', privateUri));
    expect(mallorys.errors).toBeUndefined();
    expect(mallorys.data!.post.text).toBe('claimed');
    expect(codeOf(await view('mallory', bobPrivate))).toBe('NOT_FOUND');
    const texts = await timelineTexts('mallory');
    expect(texts).toContain('claimed');
    expect(texts.join('\n')).not.toMatch(/door code/);
  });

  it("stores a thread fetched through the claimant's server as that server's word only", async () => {
    const mallorysPublic = await rowOf('mallory', publicUri);
    const thread = await gql<{ thread: { post: { id: string; text: string } } }>(
      'query($id: ID!) { thread(id: $id) { post { id text } } }',
      { id: mallorysPublic },
      tokens.mallory,
    );
    expect(thread.errors).toBeUndefined();
    expect(thread.data!.thread.post).toEqual({
      id: mallorysPublic,
      text: 'Your session expired. Log in again',
    });
    expect((await view('bob', bobPublic)).data!.post).toEqual(before);
  });
});

describe("a member whose PDS rewrites the records of other members' timelines", () => {
  let author: TestBlueskyAccount;
  let uri = '';
  let bobsCopy = '';
  let before: PostView;

  beforeAll(async () => {
    const [bobAccount, malloryAccount, dora] = await Promise.all(
      ['bob', 'mallory', 'dora'].map((n) => net.createAccount(n)),
    );
    author = dora!;
    await bobAccount!.agent.follow(author.did);
    await malloryAccount!.agent.follow(author.did);
    uri = (await author.agent.post({ text: 'Choir practice moves to Thursday' })).uri;
    await net.processAll();
    hostilePds.rewrite = (post) => {
      if ((post['author'] as { did?: string } | undefined)?.did !== author.did) return;
      (post['record'] as Record<string, unknown>)['text'] = 'Your session expired. Log in again';
      (post['author'] as Record<string, unknown>)['avatar'] = `${ATTACKER}/avatar.png`;
      post['likeCount'] = 9999;
      post['embed'] = {
        $type: 'app.bsky.embed.external#view',
        external: { uri: `${ATTACKER}/login`, title: 'Log in again', description: '' },
      };
    };

    const bobAccountId = await linkBluesky(gql, tokens.bob, bobAccount!, net.info.pdsUrl);
    await settled(bobAccountId);
    bobsCopy = await rowOf('bob', uri);
    const res = await view('bob', bobsCopy);
    expect(res.errors).toBeUndefined();
    before = res.data!.post;
    expect(before).toMatchObject({ text: 'Choir practice moves to Thursday', linkCard: null });

    const malloryAccountId = await linkBluesky(gql, tokens.mallory, malloryAccount!, hostilePds.origin);
    await settled(malloryAccountId);
  });

  it("leaves another member's view of the post as the network sent it", async () => {
    // Her own PDS answered Mallory's timeline: she reads what it said…
    const mallorys = await view('mallory', await rowOf('mallory', uri));
    expect(mallorys.data?.post).toMatchObject({
      text: 'Your session expired. Log in again',
      linkCard: { url: `${ATTACKER}/login` },
      author: { avatarUrl: `${ATTACKER}/avatar.png` },
      counts: { likes: 9999 },
    });
    // …and Bob's view is the network's: the operator's service answered his timeline.
    const after = await view('bob', bobsCopy);
    expect(after.errors).toBeUndefined();
    expect(after.data!.post).toEqual(before);
    expect(codeOf(await view('mallory', bobsCopy))).toBe('NOT_FOUND');
    expect(await domainsOf(uri)).toEqual(['', hostilePds.origin]);
  });
});
