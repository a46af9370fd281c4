// Trust between members (README "Security"): a member may run their own Mastodon server or PDS, and
// what it says must never change what another member sees or let its owner read another member's
// non-public posts. Bob reads through honest servers; Mallory links her own hostile ones, which claim
// the URIs of the posts Bob sees and serve their own text, link card, avatar and counts for them.
// Ann and Ben read through the same servers, and Ann's own settings there (a Mastodon filter, a
// Bluesky labeler she subscribes to) label posts for her alone.
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
const tokens = { bob: '', mallory: '', ann: '', ben: '' };
const users = { bob: '', mallory: '', ann: '', ben: '' };

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
  for (const member of ['bob', 'mallory', 'ann', 'ben'] as const) {
    const { token, id } = await signUp(member);
    tokens[member] = token;
    users[member] = id;
  }
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

// ---- Personal labels: one member's own filters and labelers label posts for that member only ----

interface LabelView {
  value: string;
  source: string;
  action: string | null;
}

interface Entry {
  hidden: boolean;
  hiddenReason: string | null;
  post: { id: string; labels: LabelView[] };
}

const LABELLED_POST = `query($id: ID!) { post(id: $id) { id text labels { value source action } } }`;
const LABELLED_THREAD = `query($id: ID!) { thread(id: $id) { post { id labels { value source action } } } }`;
const LABELLED_TIMELINE = `{ timeline(first: 100, includeHidden: true) {
  edges { node { hidden hiddenReason post { id labels { value source action } } } } } }`;

/** The member's timeline entry of the post, once their pipeline has placed it. */
async function entryOf(member: keyof typeof users, postId: string): Promise<{ entry: Entry; body: string }> {
  return waitFor(`${member}'s entry of post ${postId}`, async () => {
    const res = await gql<{ timeline: { edges: { node: Entry }[] } }>(LABELLED_TIMELINE, {}, tokens[member]);
    const entry = res.data?.timeline.edges.find((e) => e.node.post.id === postId)?.node;
    return entry ? { entry, body: JSON.stringify(res) } : null;
  });
}

async function labelsOf(
  member: keyof typeof users,
  postId: string,
): Promise<{ labels: LabelView[]; body: string }> {
  const res = await gql<{ post: { labels: LabelView[] } }>(LABELLED_POST, { id: postId }, tokens[member]);
  expect(res.errors).toBeUndefined();
  return { labels: res.data!.post.labels, body: JSON.stringify(res) };
}

async function threadLabelsOf(
  member: keyof typeof users,
  postId: string,
): Promise<{ labels: LabelView[]; body: string }> {
  const res = await gql<{ thread: { post: { labels: LabelView[] } } }>(
    LABELLED_THREAD,
    { id: postId },
    tokens[member],
  );
  expect(res.errors).toBeUndefined();
  return { labels: res.data!.thread.post.labels, body: JSON.stringify(res) };
}

/** What the member's default pipeline decides about the post, run again now over what is stored. */
async function previewOf(member: keyof typeof users, postId: string) {
  const pipelines = await gql<{ pipelines: { isDefault: boolean; spec: unknown }[] }>(
    '{ pipelines { isDefault spec } }',
    {},
    tokens[member],
  );
  const spec = pipelines.data!.pipelines.find((p) => p.isDefault)!.spec;
  const res = await gql<{
    previewPipeline: {
      hidden: boolean;
      hiddenReason: string | null;
      post: { id: string; labels: LabelView[] };
    }[];
  }>(
    'query($s: JSON!) { previewPipeline(spec: $s, limit: 100) { hidden hiddenReason post { id labels { value source action } } } }',
    { s: spec },
    tokens[member],
  );
  expect(res.errors).toBeUndefined();
  return { item: res.data!.previewPipeline.find((i) => i.post.id === postId)!, body: JSON.stringify(res) };
}

describe("a member's own Mastodon filter, on a server other members read too", () => {
  const FILTER = 'Finale talk';
  let uri = '';
  let postId = '';

  beforeAll(async () => {
    const dan = honest.createAccount('dan');
    const annAccount = honest.createAccount('ann');
    const benAccount = honest.createAccount('ben');
    honest.follow(annAccount, dan);
    honest.follow(benAccount, dan);
    uri = `${honest.origin}/users/dan/statuses/${honest.post(dan, { text: 'Who else watched the finale?' })}`;
    // Ann hides what mentions the finale; the server answers her (and only her) with the result.
    honest.addFilter(annAccount, FILTER, 'finale', 'hide');

    // Ben first; Ann's server answers later with her filter result for the same status.
    await settled(await linkMastodon(gql, tokens.ben, honest.origin, honest.issueToken(benAccount)));
    postId = await rowOf('ben', uri);
    await entryOf('ben', postId);
    await settled(await linkMastodon(gql, tokens.ann, honest.origin, honest.issueToken(annAccount)));
    // One server's word: both read the same stored status.
    expect(await rowOf('ann', uri)).toBe(postId);
  });

  it('hides the status for the member whose filter it is, with the filter named', async () => {
    const { entry } = await entryOf('ann', postId);
    expect(entry).toMatchObject({ hidden: true, hiddenReason: `label: filter:${FILTER}` });
    const label = {
      value: `filter:${FILTER}`,
      source: expect.stringMatching(/^mastodon-filter:/),
      action: 'HIDE',
    };
    expect(entry.post.labels).toContainEqual(label);
    expect((await labelsOf('ann', postId)).labels).toContainEqual(label);
  });

  it("shows another member of the server neither the filter's label nor its title, and their pipeline does not hide it", async () => {
    // His pipeline, run over what is stored now, lets it through…
    const preview = await previewOf('ben', postId);
    expect(preview.item).toMatchObject({ hidden: false, hiddenReason: null, post: { labels: [] } });
    // …and nothing he reads shows her filter.
    const timeline = await entryOf('ben', postId);
    expect(timeline.entry.hidden).toBe(false);
    expect(timeline.entry.post.labels).toEqual([]);
    const post = await labelsOf('ben', postId);
    expect(post.labels).toEqual([]);
    const thread = await threadLabelsOf('ben', postId);
    expect(thread.labels).toEqual([]);
    for (const body of [timeline.body, post.body, preview.body, thread.body])
      expect(body).not.toContain(FILTER);
    // Not even in what is stored for everyone.
    const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE data::text LIKE $1 OR raw::text LIKE $1`, [
      `%${FILTER}%`,
    ]);
    expect(rows).toEqual([]);
  });

  it("keeps the member's label through another member's refresh of the shared status", async () => {
    // Ben's thread fetches the status again through his account and stores what the server told him.
    await threadLabelsOf('ben', postId);
    const label = expect.objectContaining({ value: `filter:${FILTER}` });
    expect((await labelsOf('ann', postId)).labels).toContainEqual(label);
    // Ann's thread, fetched and then from the cache, keeps it too.
    expect((await threadLabelsOf('ann', postId)).labels).toContainEqual(label);
    expect((await threadLabelsOf('ann', postId)).labels).toContainEqual(label);
    expect((await labelsOf('ben', postId)).labels).toEqual([]);
  });
});

describe("a member's own Bluesky labeler, on the network every member reads", () => {
  let postId = '';
  let networkLabel: LabelView;

  beforeAll(async () => {
    const [annAccount, benAccount, eve] = await Promise.all(
      ['ann', 'ben', 'eve'].map((n) => net.createAccount(n)),
    );
    // Ann subscribes to a labeler; Ben does not.
    await annAccount!.agent.addLabeler(net.info.labelerDid);
    await annAccount!.agent.follow(eve!.did);
    await benAccount!.agent.follow(eve!.did);
    // The author labels her post, for everyone; Ann's labeler hides it, for her.
    const post = await eve!.agent.post({
      text: 'The butler did it',
      labels: { $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'spoiler' }] },
    });
    networkLabel = { value: 'spoiler', source: eve!.did, action: null };
    await net.label(post, '!hide');
    await net.processAll();

    await settled(await linkBluesky(gql, tokens.ben, benAccount!, net.info.pdsUrl));
    postId = await rowOf('ben', post.uri);
    await entryOf('ben', postId);
    await settled(await linkBluesky(gql, tokens.ann, annAccount!, net.info.pdsUrl));
    expect(await rowOf('ann', post.uri)).toBe(postId);
  });

  it("labels and hides the post for the subscriber, by the labeler's word", async () => {
    const mine = { value: '!hide', source: net.info.labelerDid, action: 'HIDE' };
    const { entry } = await entryOf('ann', postId);
    expect(entry).toMatchObject({ hidden: true, hiddenReason: 'label: !hide' });
    expect(entry.post.labels).toEqual([networkLabel, mine]);
    expect((await labelsOf('ann', postId)).labels).toEqual([networkLabel, mine]);
  });

  it("shows another member only the network's labels, and their pipeline does not hide the post", async () => {
    const preview = await previewOf('ben', postId);
    expect(preview.item).toMatchObject({
      hidden: false,
      hiddenReason: null,
      post: { labels: [networkLabel] },
    });
    const timeline = await entryOf('ben', postId);
    expect(timeline.entry).toMatchObject({ hidden: false, post: { labels: [networkLabel] } });
    const post = await labelsOf('ben', postId);
    expect(post.labels).toEqual([networkLabel]);
    const thread = await threadLabelsOf('ben', postId);
    expect(thread.labels).toEqual([networkLabel]);
    for (const body of [timeline.body, post.body, preview.body, thread.body])
      expect(body).not.toContain(net.info.labelerDid);
    // The subscriber's labels survive the other member's refresh of the shared post.
    expect((await labelsOf('ann', postId)).labels).toContainEqual(
      expect.objectContaining({ value: '!hide' }),
    );
  });
});
