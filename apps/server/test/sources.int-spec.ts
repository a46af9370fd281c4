// Sources beyond the home timeline, end to end: a Bluesky feed or list and a Mastodon list are
// checked on their network when added (a bad one is refused at once, with the reason, instead of
// failing every poll), take the network's name for them, and leave the member's timeline when
// removed — on the reference Bluesky network (a feed generator dev-env serves) and the fake Mastodon
// server.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { JobQueue } from '@tributary/queue';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface SourceView {
  id: string;
  kind: string;
  externalId: string;
  displayName: string | null;
  lastError: string | null;
  backfill: { state: string };
}

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let token: string;
let blueskyAccountId: string;
let mastodonAccountId: string;
let followed: TestBlueskyAccount;
let stranger: TestBlueskyAccount;
let feedUri: string;
let listUri: string;
let mastodonListId: string;
const posts = { followed: '', stranger: '', listed: '' };

const ADD =
  'mutation($a: ID!, $k: SourceKind!, $e: String!, $n: String) { addSource(input: { accountId: $a, kind: $k, externalId: $e, displayName: $n }) { id kind externalId displayName } }';

async function addSource(accountId: string, kind: string, externalId: string, displayName?: string) {
  return gql<{ addSource: SourceView }>(ADD, { a: accountId, k: kind, e: externalId, n: displayName }, token);
}

async function sources(accountId: string): Promise<SourceView[]> {
  const res = await gql<{ linkedAccounts: { id: string; sources: SourceView[] }[] }>(
    '{ linkedAccounts { id sources { id kind externalId displayName lastError backfill { state } } } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.linkedAccounts.find((a) => a.id === accountId)!.sources;
}

async function timeline(): Promise<{ uri: string; hidden: boolean; hiddenReason: string | null }[]> {
  const res = await gql<{
    timeline: { edges: { node: { hidden: boolean; hiddenReason: string | null; post: { uri: string } } }[] };
  }>(
    '{ timeline(first: 100, includeHidden: true) { edges { node { hidden hiddenReason post { uri } } } } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => ({
    uri: e.node.post.uri,
    hidden: e.node.hidden,
    hiddenReason: e.node.hiddenReason,
  }));
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [alice, a, b, c, owner] = await Promise.all([
    net.createAccount('srcalice'),
    net.createAccount('srcfollowed'),
    net.createAccount('srcstranger'),
    net.createAccount('srclisted'),
    net.createAccount('srcowner'),
  ]);
  followed = a;
  stranger = b;
  const listed = c;
  await alice.agent.follow(followed.did);
  const at = () => new Date().toISOString();
  posts.followed = (await followed.agent.post({ text: 'by someone alice follows', createdAt: at() })).uri;
  posts.stranger = (await stranger.agent.post({ text: 'by a stranger, in the feed', createdAt: at() })).uri;
  posts.listed = (await listed.agent.post({ text: 'by someone on the list', createdAt: at() })).uri;
  await net.processAll();
  // A custom feed serving both posts, published by its owner (dev-env runs the generator).
  feedUri = await net.createFeed(owner, 'cats', [posts.followed, posts.stranger]);
  // A curate list with someone else on it.
  const list = await owner.agent.com.atproto.repo.createRecord({
    repo: owner.did,
    collection: 'app.bsky.graph.list',
    record: {
      $type: 'app.bsky.graph.list',
      name: 'Strangers worth reading',
      purpose: 'app.bsky.graph.defs#curatelist',
      createdAt: at(),
    },
  });
  listUri = list.data.uri;
  await owner.agent.com.atproto.repo.createRecord({
    repo: owner.did,
    collection: 'app.bsky.graph.listitem',
    record: { $type: 'app.bsky.graph.listitem', subject: listed.did, list: listUri, createdAt: at() },
  });
  await net.processAll();

  const reader = fake.createAccount('srcreader');
  const friend = fake.createAccount('srcfriend');
  mastodonListId = fake.createList(reader, 'Close friends', [friend]);
  fake.post(friend, { text: 'from the list' });

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
  const { code } = await auth.createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "alice", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
  blueskyAccountId = await linkBluesky(gql, token, alice, net.info.pdsUrl);
  mastodonAccountId = await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
  await waitFor('the home timeline', async () => (await timeline()).some((e) => e.uri === posts.followed));
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('adding a source', () => {
  it('a Bluesky feed is checked on the AppView, named as its generator is, and read', async () => {
    const res = await addSource(blueskyAccountId, 'FEED', feedUri);
    expect(res.errors).toBeUndefined();
    expect(res.data!.addSource).toMatchObject({ kind: 'FEED', externalId: feedUri, displayName: 'cats' });
    await waitFor('the feed read to the end', async () =>
      (await sources(blueskyAccountId)).some((s) => s.kind === 'FEED' && s.backfill.state === 'DONE'),
    );
    await waitFor('the feed’s stranger post in the timeline', async () =>
      (await timeline()).some((e) => e.uri === posts.stranger && !e.hidden),
    );
  });

  it('a Bluesky list and a Mastodon list are named as on their networks; a name given is kept', async () => {
    const list = await addSource(blueskyAccountId, 'LIST', listUri);
    expect(list.errors).toBeUndefined();
    expect(list.data!.addSource.displayName).toBe('Strangers worth reading');
    const masto = await addSource(mastodonAccountId, 'LIST', mastodonListId);
    expect(masto.errors).toBeUndefined();
    expect(masto.data!.addSource.displayName).toBe('Close friends');
    const named = await addSource(mastodonAccountId, 'HASHTAG', 'cats', 'Cat pictures');
    expect(named.data!.addSource.displayName).toBe('Cat pictures');
  });

  it.each([
    [
      'a feed that does not exist',
      'FEED',
      () => `at://${stranger.did}/app.bsky.feed.generator/nothing`,
      /cannot add this feed: .*could not find feed/,
    ],
    [
      'a post URI given as a feed',
      'FEED',
      () => posts.stranger,
      /cannot add this feed: a feed must be an at:\/\/ URI of a app\.bsky\.feed\.generator record/,
    ],
    [
      'a web address given as a feed',
      'FEED',
      () => 'https://bsky.app/profile/x/feed/cats',
      /cannot add this feed: a feed must be an at:\/\/ URI/,
    ],
    [
      'a list that does not exist',
      'LIST',
      () => `at://${stranger.did}/app.bsky.graph.list/nothing`,
      /cannot add this list: /,
    ],
    [
      'a hashtag',
      'HASHTAG',
      () => 'cats',
      /^externalId: cannot add this hashtag: Bluesky has no HASHTAG sources$/,
    ],
  ])(
    'refuses %s on Bluesky at once, saying why, and stores nothing',
    async (_what, kind, externalId, message) => {
      const before = await sources(blueskyAccountId);
      const res = await addSource(blueskyAccountId, kind, externalId());
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/^externalId: /);
      expect(res.errors?.[0]?.message).toMatch(message);
      const ids = (list: SourceView[]) => list.map((s) => s.id);
      expect(ids(await sources(blueskyAccountId))).toEqual(ids(before));
    },
  );

  it("refuses a Mastodon list that is not the account's", async () => {
    const res = await addSource(mastodonAccountId, 'LIST', '424242');
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe(
      'externalId: cannot add this list: the account has no list with id "424242" on its instance',
    );
    expect((await sources(mastodonAccountId)).map((s) => s.kind).sort()).toEqual(['HASHTAG', 'HOME', 'LIST']);
  });
});

describe('removing a source', () => {
  it('takes its posts off the timeline, except those another source still brings; they stay in the audit', async () => {
    const feed = (await sources(blueskyAccountId)).find((s) => s.kind === 'FEED')!;
    // The stranger's feed post is bookmarked: it stays there.
    const [stored] = (
      await db.query<{ id: string }>(`SELECT id::text FROM "Post" WHERE uri = $1`, [posts.stranger])
    ).rows;
    expect(
      (await gql('mutation($p: ID!) { bookmark(post: $p) { id } }', { p: stored!.id }, token)).errors,
    ).toBeUndefined();

    const res = await gql<{ removeSource: boolean }>(
      'mutation($id: ID!) { removeSource(id: $id) }',
      { id: feed.id },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.removeSource).toBe(true);
    expect((await sources(blueskyAccountId)).map((s) => s.id)).not.toContain(feed.id);

    const entries = await timeline();
    expect(entries.find((e) => e.uri === posts.stranger)).toEqual({
      uri: posts.stranger,
      hidden: true,
      hiddenReason: 'source removed',
    });
    // Followed: the home timeline brings it too.
    expect(entries.find((e) => e.uri === posts.followed)).toMatchObject({ hidden: false });

    const bookmarks = await gql<{ bookmarks: { edges: { node: { uri: string } }[] } }>(
      '{ bookmarks { edges { node { uri } } } }',
      {},
      token,
    );
    expect(bookmarks.data!.bookmarks.edges.map((e) => e.node.uri)).toEqual([posts.stranger]);
    const again = await gql('query($id: ID!) { post(id: $id) { text } }', { id: stored!.id }, token);
    expect(again.data).toEqual({ post: { text: 'by a stranger, in the feed' } });
  });

  it('refuses a home timeline, and a source that is not there', async () => {
    const home = (await sources(blueskyAccountId)).find((s) => s.kind === 'HOME')!;
    const m = 'mutation($id: ID!) { removeSource(id: $id) }';
    const res = await gql(m, { id: home.id }, token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe(
      'id: a home timeline goes with its account (unlinkAccount removes both)',
    );
    expect(codeOf(await gql(m, { id: '00000000-0000-0000-0000-000000000000' }, token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(m, { id: 'not-an-id' }, token))).toBe('NOT_FOUND');
  });
});

describe('a source its network stops serving', () => {
  it('shows the error and a FAILED backfill, and is asked again at the poll interval, not every minute', async () => {
    // A feed deleted on Bluesky after it was added: the worker finds out when it reads it.
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO "Source" (id, "linkedAccountId", kind, "externalId", "backfillTarget")
       VALUES (gen_random_uuid(), $1, 'FEED', $2, 20) RETURNING id::text`,
      [blueskyAccountId, `at://${stranger.did}/app.bsky.feed.generator/deleted`],
    );
    const sourceId = rows[0]!.id;
    const jobs = instance.running.apps.at(-1)!.get(JobQueue);
    await jobs.enqueue('backfill-source', { sourceId });
    await jobs.enqueue('sync-source', { sourceId });
    const failed = await waitFor('the failure recorded', async () => {
      const s = (await sources(blueskyAccountId)).find((x) => x.id === sourceId)!;
      return s.backfill.state === 'FAILED' && s.lastError ? s : null;
    });
    expect(failed.lastError).toMatch(/^Not found on Bluesky — getFeed: RecordNotFound/);
    // POLL_INTERVAL_SECONDS is an hour here; the columns hold UTC.
    await waitFor('the next poll pushed back', async () => {
      const next = await db.query<{ later: boolean }>(
        `SELECT "nextPollAt" > (now() AT TIME ZONE 'UTC') + interval '50 minutes' AS later FROM "Source" WHERE id = $1`,
        [sourceId],
      );
      return next.rows[0]!.later;
    });
  });
});
