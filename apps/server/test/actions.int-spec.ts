// Outbound actions end to end: GraphQL mutation → PENDING row → `actions` queue → the worker writes
// to the reference Bluesky network or the fake Mastodon instance → DONE / FAILED. Every write is
// checked by reading it back from the network it landed on, never from our own rows alone.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';

jest.setTimeout(150_000);

const ACTION_FIELDS =
  'id kind network linkedAccountId postId status error resultUri resultWebUrl choices attempts';

interface ActionView {
  id: string;
  kind: string;
  network: string;
  linkedAccountId: string;
  postId: string | null;
  status: 'PENDING' | 'DONE' | 'FAILED';
  choices: number[] | null;
  error: string | null;
  resultUri: string | null;
  resultWebUrl: string | null;
  attempts: number;
}

interface MastodonStatusView {
  id: string;
  uri: string;
  content: string;
  in_reply_to_id: string | null;
  favourited: boolean;
  spoiler_text: string;
}

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let mastoPollId: string;
let mastodonPollPostId: string;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let events: Redis;
const seenEvents: string[] = [];
let token: string;
let userId: string;

let bskyMe: TestBlueskyAccount;
let bskyAuthor: TestBlueskyAccount;
let bskyPost: { uri: string; cid: string };
let mastoMe: FakeAccount;
let mastoMeToken: string;
let mastoAuthor: FakeAccount;
let mastoStatusId: string;

let blueskyAccountId: string;
let mastodonAccountId: string;
/** Tributary Post ids of the two posts the user can see. */
let blueskyPostId: string;
let mastodonPostId: string;

async function postIdOf(uri: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM "Post" WHERE uri = $1`, [uri]);
  return rows[0]?.id ?? null;
}

async function action(id: string): Promise<ActionView> {
  const res = await gql<{ action: ActionView }>(
    `query($id: ID!) { action(id: $id) { ${ACTION_FIELDS} } }`,
    { id },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.action;
}

const settled = (id: string) =>
  waitFor(`action ${id} to settle`, async () => {
    const a = await action(id);
    return a.status !== 'PENDING' ? a : null;
  });

async function mutate(name: string, args: string, vars: Record<string, unknown>): Promise<ActionView> {
  const res = await gql<Record<string, ActionView>>(
    `mutation(${args}) { ${name}: ${name}(${argsOf(args)}) { ${ACTION_FIELDS} } }`,
    vars,
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data![name]!;
}

/** `$post: ID!, $account: ID` → `post: $post, account: $account`. */
const argsOf = (decl: string) =>
  decl
    .split(',')
    .map((d) => d.trim().split(':')[0]!.slice(1))
    .map((n) => `${n}: $${n}`)
    .join(', ');

async function actionCount(): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "OutboundAction"`);
  return Number(rows[0]!.n);
}

/** Records of one collection in an account's repo, read from its PDS. */
async function records(
  account: TestBlueskyAccount,
  collection: string,
): Promise<{ uri: string; value: Record<string, unknown> }[]> {
  const { data } = await account.agent.com.atproto.repo.listRecords({
    repo: account.did,
    collection,
    limit: 100,
  });
  return data.records as { uri: string; value: Record<string, unknown> }[];
}

/** The user's own statuses and the followed author's, as the fake instance serves them to the user. */
async function mastodonHome(): Promise<MastodonStatusView[]> {
  const res = await fetch(`${fake.origin}/api/v1/timelines/home?limit=40`, {
    headers: { authorization: `Bearer ${mastoMeToken}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as MastodonStatusView[];
}

const mastodonPostsWith = async (text: string) =>
  (await mastodonHome()).filter((s) => s.content.includes(text));

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  [bskyMe, bskyAuthor] = await Promise.all([net.createAccount('actor'), net.createAccount('author')]);
  await bskyMe.agent.follow(bskyAuthor.did);
  const created = await bskyAuthor.agent.post({
    text: 'a Bluesky post to act on',
    createdAt: new Date().toISOString(),
  });
  bskyPost = { uri: created.uri, cid: created.cid };
  await net.processAll();

  mastoMe = fake.createAccount('actor');
  mastoAuthor = fake.createAccount('author');
  fake.follow(mastoMe, mastoAuthor);
  mastoStatusId = fake.post(mastoAuthor, { text: 'a Mastodon post to act on' });
  mastoPollId = fake.post(mastoAuthor, {
    text: 'a Mastodon poll',
    poll: { options: ['tea', 'coffee', 'water'], expiresAt: '2099-01-01T00:00:00.000Z' },
  });
  mastoMeToken = fake.issueToken(mastoMe);

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
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "actor", password: "long enough password") { token user { id } } }',
    { i: code },
  );
  token = signUp.data!.signUp.token;
  userId = signUp.data!.signUp.user.id;

  events = new Redis(instance.config.REDIS_URL);
  await events.subscribe(`action:${userId}`);
  events.on('message', (_channel, message: string) =>
    seenEvents.push((JSON.parse(message) as { actionId: string }).actionId),
  );

  blueskyAccountId = await linkBluesky(gql, token, bskyMe, net.info.pdsUrl);
  mastodonAccountId = await linkMastodon(gql, token, fake.origin, mastoMeToken);

  // The posts reach the user the normal way: through the linked accounts' home timelines.
  blueskyPostId = await waitFor('the Bluesky post ingested', () => postIdOf(bskyPost.uri));
  mastodonPostId = await waitFor('the Mastodon post ingested', () =>
    postIdOf(`${fake.origin}/users/${mastoAuthor.username}/statuses/${mastoStatusId}`),
  );
  mastodonPollPostId = await waitFor('the Mastodon poll ingested', () =>
    postIdOf(`${fake.origin}/users/${mastoAuthor.username}/statuses/${mastoPollId}`),
  );
});

afterAll(async () => {
  events?.disconnect();
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('likes and reposts', () => {
  it('likes a Bluesky post: PENDING at once, then DONE, and the like record is in the account’s repo', async () => {
    const pending = await mutate('like', '$post: ID!', { post: blueskyPostId });
    expect(pending).toMatchObject({
      kind: 'LIKE',
      network: 'BLUESKY',
      linkedAccountId: blueskyAccountId,
      postId: blueskyPostId,
      status: 'PENDING',
    });
    const done = await settled(pending.id);
    expect(done).toMatchObject({ status: 'DONE', error: null, attempts: 1 });
    expect(done.resultUri).toMatch(new RegExp(`^at://${bskyMe.did}/app\\.bsky\\.feed\\.like/`));

    const likes = await records(bskyMe, 'app.bsky.feed.like');
    expect(likes.map((r) => r.uri)).toEqual([done.resultUri]);
    expect(likes[0]!.value['subject']).toEqual(bskyPost);
    // The AppView agrees: the author sees the like on their post.
    await net.processAll();
    const { data } = await bskyAuthor.agent.getLikes({ uri: bskyPost.uri });
    expect(data.likes.map((l) => l.actor.did)).toEqual([bskyMe.did]);
    // Every state change was pushed to the user's channel (created, attempt, done).
    await waitFor('action events', async () => seenEvents.filter((e) => e === pending.id).length >= 3);
  });

  it('unlikes it again, removing the record the like created', async () => {
    const done = await settled((await mutate('unlike', '$post: ID!', { post: blueskyPostId })).id);
    expect(done).toMatchObject({ kind: 'UNLIKE', status: 'DONE' });
    expect(await records(bskyMe, 'app.bsky.feed.like')).toEqual([]);
  });

  it('favourites and boosts a Mastodon post on the instance', async () => {
    const like = await settled((await mutate('like', '$post: ID!', { post: mastodonPostId })).id);
    const boost = await settled((await mutate('repost', '$post: ID!', { post: mastodonPostId })).id);
    expect(like).toMatchObject({ network: 'MASTODON', linkedAccountId: mastodonAccountId, status: 'DONE' });
    expect(boost).toMatchObject({ network: 'MASTODON', status: 'DONE' });
    const home = await mastodonHome();
    expect(home.find((s) => s.id === mastoStatusId)?.favourited).toBe(true);
    const boosts = home.filter(
      (s) => (s as unknown as { reblog: { id: string } | null }).reblog?.id === mastoStatusId,
    );
    expect(boosts.map((b) => b.uri)).toEqual([boost.resultUri]);
  });

  it('refuses to act on a post through an account of another network, and on posts the user cannot see', async () => {
    const before = await actionCount();
    const wrong = await gql(
      'mutation($p: ID!, $a: ID) { like(post: $p, account: $a) { id } }',
      { p: mastodonPostId, a: blueskyAccountId },
      token,
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0]?.message).toMatch(/on Mastodon.*Bluesky account/);
    for (const p of ['999999999', 'not-a-post', '-1']) {
      expect(codeOf(await gql('mutation($p: ID!) { repost(post: $p) { id } }', { p }, token))).toBe(
        'NOT_FOUND',
      );
    }
    expect(await actionCount()).toBe(before);
  });
});

describe('polls', () => {
  it("votes in a Mastodon poll through the actions queue; the choice is the member's, checked first", async () => {
    const before = await actionCount();
    for (const choices of [[], [3], [0, 1], [1, 1]]) {
      const bad = await gql(
        'mutation($p: ID!, $c: [Int!]!) { vote(post: $p, choices: $c) { id } }',
        {
          p: mastodonPollPostId,
          c: choices,
        },
        token,
      );
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    }
    const noPoll = await gql(
      'mutation($p: ID!) { vote(post: $p, choices: [0]) { id } }',
      { p: mastodonPostId },
      token,
    );
    expect(codeOf(noPoll)).toBe('BAD_USER_INPUT');
    expect(await actionCount()).toBe(before);

    const vote = await mutate('vote', '$post: ID!, $choices: [Int!]!', {
      post: mastodonPollPostId,
      choices: [1],
    });
    expect(vote).toMatchObject({ kind: 'VOTE', network: 'MASTODON', status: 'PENDING', choices: [1] });
    expect(await settled(vote.id)).toMatchObject({
      status: 'DONE',
      linkedAccountId: mastodonAccountId,
      choices: [1],
    });
    const poll = (await (
      await fetch(`${fake.origin}/api/v1/polls/${mastoPollId}`, {
        headers: { authorization: `Bearer ${mastoMeToken}` },
      })
    ).json()) as { own_votes: number[]; votes_count: number };
    expect(poll).toMatchObject({ own_votes: [1], votes_count: 1 });

    // A second vote is the instance's to refuse: the action fails with its reason, at once.
    const again = await mutate('vote', '$post: ID!, $choices: [Int!]!', {
      post: mastodonPollPostId,
      choices: [0],
    });
    expect(await settled(again.id)).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/already voted/),
    });
  });
});

describe('replies and posts', () => {
  it('replies to a Bluesky post in its thread, and to a Mastodon post', async () => {
    const bsky = await settled(
      (
        await mutate('reply', '$post: ID!, $text: String!', {
          post: blueskyPostId,
          text: 'a reply from Tributary',
        })
      ).id,
    );
    expect(bsky.status).toBe('DONE');
    await net.processAll();
    const { data } = await bskyAuthor.agent.getPostThread({ uri: bskyPost.uri });
    const replies =
      (
        data.thread as {
          replies?: { post: { uri: string; author: { did: string }; record: { text: string } } }[];
        }
      ).replies ?? [];
    expect(replies.map((r) => [r.post.uri, r.post.author.did, r.post.record.text])).toEqual([
      [bsky.resultUri, bskyMe.did, 'a reply from Tributary'],
    ]);

    const masto = await settled(
      (
        await mutate('reply', '$post: ID!, $text: String!, $contentWarning: String', {
          post: mastodonPostId,
          text: 'a Mastodon reply',
          contentWarning: 'mild',
        })
      ).id,
    );
    expect(masto.status).toBe('DONE');
    const landed = await mastodonPostsWith('a Mastodon reply');
    expect(landed.map((s) => [s.uri, s.in_reply_to_id, s.spoiler_text])).toEqual([
      [masto.resultUri, mastoStatusId, 'mild'],
    ]);
    expect(masto.resultWebUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/@actor\//);
  });

  it('quotes a Mastodon post on an instance that takes quote posts; a Bluesky post is refused first', async () => {
    const before = await actionCount();
    const bsky = await gql(
      'mutation($p: ID!) { quote(post: $p, text: "x") { id } }',
      { p: blueskyPostId },
      token,
    );
    expect(codeOf(bsky)).toBe('BAD_USER_INPUT');
    expect(await actionCount()).toBe(before);

    const quote = await mutate('quote', '$post: ID!, $text: String!', {
      post: mastodonPostId,
      text: 'quoting this from Tributary',
    });
    expect(quote).toMatchObject({ kind: 'QUOTE', network: 'MASTODON', status: 'PENDING' });
    expect(await settled(quote.id)).toMatchObject({ status: 'DONE', linkedAccountId: mastodonAccountId });
    const landed = (await mastodonPostsWith('quoting this from Tributary')) as (MastodonStatusView & {
      quote: { state: string; quoted_status: { id: string } } | null;
    })[];
    expect(landed.map((s) => [s.quote?.state, s.quote?.quoted_status.id])).toEqual([
      ['accepted', mastoStatusId],
    ]);
  });

  it('cross-posts to both networks: one action per network, one post on each', async () => {
    const res = await gql<{ createPost: ActionView[] }>(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ${ACTION_FIELDS} } }`,
      { input: { text: 'hello from both networks', crossPostTo: ['BLUESKY', 'MASTODON'], language: 'en' } },
      token,
    );
    expect(res.errors).toBeUndefined();
    const created = res.data!.createPost;
    expect(created.map((a) => [a.kind, a.network, a.linkedAccountId, a.status]).sort()).toEqual([
      ['POST', 'BLUESKY', blueskyAccountId, 'PENDING'],
      ['POST', 'MASTODON', mastodonAccountId, 'PENDING'],
    ]);
    const [bsky, masto] = await Promise.all(
      created.sort((a, b) => a.network.localeCompare(b.network)).map((a) => settled(a.id)),
    );
    expect([bsky!.status, masto!.status]).toEqual(['DONE', 'DONE']);
    const posts = (await records(bskyMe, 'app.bsky.feed.post')).filter(
      (r) => r.value['text'] === 'hello from both networks',
    );
    expect(posts.map((p) => [p.uri, p.value['langs']])).toEqual([[bsky!.resultUri, ['en']]]);
    expect((await mastodonPostsWith('hello from both networks')).map((s) => s.uri)).toEqual([
      masto!.resultUri,
    ]);

    const listed = await gql<{ actions: { id: string }[] }>('{ actions(first: 2) { id } }', {}, token);
    expect(listed.data!.actions.map((a) => a.id).sort()).toEqual(created.map((a) => a.id).sort());
  });
});

describe('media', () => {
  /** A 4×3 PNG: real image bytes, so the PDS takes the blob as an image. */
  const PNG =
    'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==';

  it('cross-posts an image with its description: uploadBlob + images embed, /api/v2/media + media_ids', async () => {
    const res = await gql<{ createPost: ActionView[] }>(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ${ACTION_FIELDS} } }`,
      {
        input: {
          text: 'a small red picture',
          crossPostTo: ['MASTODON', 'BLUESKY'],
          media: [{ data: PNG, mimeType: 'image/png', altText: 'A red rectangle, four by three' }],
        },
      },
      token,
    );
    expect(res.errors).toBeUndefined();
    const [bsky, masto] = await Promise.all(
      res.data!.createPost.sort((a, b) => a.network.localeCompare(b.network)).map((a) => settled(a.id)),
    );
    expect([bsky!.status, masto!.status]).toEqual(['DONE', 'DONE']);

    const [record] = (await records(bskyMe, 'app.bsky.feed.post')).filter((r) => r.uri === bsky!.resultUri);
    const embed = record!.value['embed'] as {
      $type: string;
      images: { alt: string; image: { ref: unknown; mimeType: string } }[];
    };
    expect(embed.$type).toBe('app.bsky.embed.images');
    expect(embed.images.map((i) => [i.alt, i.image.mimeType])).toEqual([
      ['A red rectangle, four by three', 'image/png'],
    ]);
    const { data: blob } = await bskyMe.agent.com.atproto.sync.getBlob({
      did: bskyMe.did,
      cid: String(embed.images[0]!.image.ref), // a CID object once the agent decoded the record
    });
    expect(Buffer.from(blob).toString('base64')).toBe(PNG);

    const [status] = await mastodonPostsWith('a small red picture');
    expect(status?.uri).toBe(masto!.resultUri);
    const attachments = (
      status as unknown as { media_attachments: { id: string; description: string | null }[] }
    ).media_attachments;
    expect(attachments.map((m) => m.description)).toEqual(['A red rectangle, four by three']);
    // What the instance received: the file's bytes and type, attached to this status only.
    const uploads = [...fake.uploads.values()].filter((u) => u.statusId === status!.id);
    expect(uploads.map((u) => [u.mimeType, u.bytes.toString('base64')])).toEqual([['image/png', PNG]]);
    // The finished action no longer carries the file.
    const { rows } = await db.query<{ payload: { draft: { media: { data: string; altText: string }[] } } }>(
      `SELECT payload FROM "OutboundAction" WHERE id = ANY($1::uuid[])`,
      [[bsky!.id, masto!.id]],
    );
    expect(rows.flatMap((r) => r.payload.draft.media.map((m) => [m.data, m.altText]))).toEqual([
      ['', 'A red rectangle, four by three'],
      ['', 'A red rectangle, four by three'],
    ]);
  });

  it('refuses media a network would refuse, before queueing', async () => {
    const before = await actionCount();
    const five = Array.from({ length: 5 }, () => ({ data: PNG, mimeType: 'image/png' }));
    const res = await gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { text: 'too many', crossPostTo: ['BLUESKY', 'MASTODON'], media: five } },
      token,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/Bluesky: 5 images, Bluesky allows at most 4/);
    expect(res.errors?.[0]?.message).toMatch(/Mastodon: 5 attachments, 127\.0\.0\.1:\d+ allows at most 4/);
    const gif = await gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { text: 'a gif', crossPostTo: ['MASTODON'], media: [{ data: PNG, mimeType: 'image/gif' }] } },
      token,
    );
    expect(gif.errors?.[0]?.message).toMatch(/does not take image\/gif/);
    expect(await actionCount()).toBe(before);
  });
});

describe('limits, checked before anything is queued', () => {
  async function refused(mutation: string, vars: Record<string, unknown>): Promise<string> {
    const before = await actionCount();
    const res = await gql(mutation, vars, token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(await actionCount()).toBe(before);
    return res.errors![0]!.message;
  }
  const CREATE = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
  const REPLY = 'mutation($p: ID!, $t: String!) { reply(post: $p, text: $t) { id } }';

  it('Bluesky: 300 graphemes, however many code units they take', async () => {
    const postsBefore = (await records(bskyMe, 'app.bsky.feed.post')).length;
    // 301 skin-toned thumbs: 301 graphemes, 1204 UTF-16 code units.
    expect(await refused(REPLY, { p: blueskyPostId, t: '👍🏽'.repeat(301) })).toMatch(
      /Bluesky.*301.*at most 300/,
    );
    const ok = await settled(
      (await mutate('reply', '$post: ID!, $text: String!', { post: blueskyPostId, text: '👍🏽'.repeat(300) }))
        .id,
    );
    expect(ok.status).toBe('DONE');
    expect((await records(bskyMe, 'app.bsky.feed.post')).length).toBe(postsBefore + 1);
  });

  it("Mastodon: the instance's max_characters, URLs counted as 23", async () => {
    expect(await refused(REPLY, { p: mastodonPostId, t: 'a'.repeat(501) })).toMatch(
      /Mastodon.*501.*at most 500/,
    );
    // 470 + space + a 220-character URL: 494 as Mastodon counts, so it is accepted.
    const text = `${'a'.repeat(470)} https://example.com/${'p'.repeat(200)}`;
    const ok = await settled(
      (await mutate('reply', '$post: ID!, $text: String!', { post: mastodonPostId, text })).id,
    );
    expect(ok.status).toBe('DONE');
  });

  it('a cross-post too long for one network queues nothing for the other either', async () => {
    const message = await refused(CREATE, {
      input: { text: 'b'.repeat(400), crossPostTo: ['BLUESKY', 'MASTODON'] },
    });
    expect(message).toMatch(/Bluesky.*400.*at most 300/);
    expect(message).not.toMatch(/Mastodon/);
    expect(await mastodonPostsWith('b'.repeat(400))).toEqual([]);
  });

  it('refuses empty posts, a content warning for Bluesky, bad languages and unknown networks', async () => {
    expect(await refused(CREATE, { input: { text: '   ', crossPostTo: ['MASTODON'] } })).toMatch(
      /needs some text/,
    );
    expect(
      await refused(CREATE, { input: { text: 'x', contentWarning: 'cw', crossPostTo: ['BLUESKY'] } }),
    ).toMatch(/Bluesky has no content-warning/);
    expect(
      await refused(CREATE, { input: { text: 'x', language: 'english!', crossPostTo: ['MASTODON'] } }),
    ).toMatch(/language/);
    expect(await refused(CREATE, { input: { text: 'x', crossPostTo: [] } })).toMatch(/crossPostTo/);
    expect(codeOf(await gql(CREATE, { input: { text: 'x', crossPostTo: ['FRIENDFEED'] } }, token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('retries and failures', () => {
  it('retries an upstream outage (503s past the HTTP retries) to DONE, posting exactly once', async () => {
    // Three 503s use up the connector's own retries, so the job itself fails once and is retried.
    fake.failNext(503, { times: 3, pathPrefix: '/api/v1/statuses' });
    const done = await settled(
      (
        await mutate('reply', '$post: ID!, $text: String!', {
          post: mastodonPostId,
          text: 'through the outage',
        })
      ).id,
    );
    expect(done).toMatchObject({ status: 'DONE', attempts: 2, error: null });
    expect((await mastodonPostsWith('through the outage')).map((s) => s.uri)).toEqual([done.resultUri]);
  });

  it('waits out a rate limit until its reset, then does it (the wait uses no retry attempt)', async () => {
    fake.failNext(429, { resetInSeconds: 2, pathPrefix: '/api/v1/statuses' });
    const done = await settled(
      (
        await mutate('reply', '$post: ID!, $text: String!', {
          post: mastodonPostId,
          text: 'after the rate limit',
        })
      ).id,
    );
    // Two runs of the job: the limited one (moved to delayed) and the one after the reset.
    expect(done).toMatchObject({ status: 'DONE', attempts: 2, error: null });
    expect((await mastodonPostsWith('after the rate limit')).map((s) => s.uri)).toEqual([done.resultUri]);
  });

  it('a job redelivered after the write landed (crash before recording it) does not post twice', async () => {
    const jobs = instance.running.apps.at(-1)!.get(JobQueue);
    const res = await gql<{ createPost: ActionView[] }>(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ${ACTION_FIELDS} } }`,
      { input: { text: 'said only once', crossPostTo: ['BLUESKY', 'MASTODON'] } },
      token,
    );
    const first = await Promise.all(res.data!.createPost.map((a) => settled(a.id)));
    // As if the worker died after the network accepted the writes but before the rows said so.
    await db.query(
      `UPDATE "OutboundAction" SET status = 'PENDING', result = NULL WHERE id = ANY($1::uuid[])`,
      [first.map((a) => a.id)],
    );
    for (const a of first) await jobs.enqueue('perform-action', { actionId: a.id });
    const again = await Promise.all(
      first.map((a) =>
        waitFor('the redelivered job to finish', async () => {
          const now = await action(a.id);
          return now.attempts === 2 && now.status !== 'PENDING' ? now : null;
        }),
      ),
    );
    for (const [n, a] of again.entries())
      expect(a).toMatchObject({ status: 'DONE', resultUri: first[n]!.resultUri });
    expect(
      (await records(bskyMe, 'app.bsky.feed.post')).filter((r) => r.value['text'] === 'said only once'),
    ).toHaveLength(1);
    expect(await mastodonPostsWith('said only once')).toHaveLength(1);
  });

  it('gives up after the last attempt of a lasting outage: FAILED with the reason, nothing posted', async () => {
    // Every request of every attempt fails: 5 job attempts × (1 + 2 connector retries).
    fake.failNext(503, { times: 15, pathPrefix: '/api/v1/statuses' });
    const failed = await settled(
      (await mutate('reply', '$post: ID!, $text: String!', { post: mastodonPostId, text: 'never through' }))
        .id,
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.attempts).toBe(5);
    expect(failed.error).toMatch(/gave up after 5 attempts: .*503 Service Unavailable/);
    expect(await mastodonPostsWith('never through')).toEqual([]);
  });

  it('a revoked token fails the action (no retries) and marks the account NEEDS_REAUTH', async () => {
    fake.revokeTokens(mastoMe);
    const failed = await settled((await mutate('like', '$post: ID!', { post: mastodonPostId })).id);
    expect(failed.status).toBe('FAILED');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/linked again/);
    const accounts = await gql<{ linkedAccounts: { id: string; status: string }[] }>(
      '{ linkedAccounts { id status } }',
      {},
      token,
    );
    expect(accounts.data!.linkedAccounts.find((a) => a.id === mastodonAccountId)?.status).toBe(
      'NEEDS_REAUTH',
    );
    // Further actions through that account are refused up front, saying what to do.
    const res = await gql('mutation($p: ID!) { like(post: $p) { id } }', { p: mastodonPostId }, token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/needs to be linked again/);
  });
});

it('the fake Mastodon instance saw no request and sent no answer outside the API description', () => {
  expect(fake.violations).toEqual([]);
});
