// Profiles end to end: someone's profile, counts, relationship and posts read from their network
// through the member's linked account; follow, mute and block (and their undoing) performed on
// the network as actions; a follow changes the home timeline. Own posts: deleting one removes it
// on its network; editing one (Mastodon) changes it there and here.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createRestAPIClient } from 'masto';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface Profile {
  network: string;
  networkId: string;
  handle: string;
  displayName: string | null;
  bio: string;
  followersCount: number | null;
  postsCount: number | null;
  relationship: { following: boolean; followedBy: boolean; muted: boolean; blocked: boolean };
}

const PROFILE = `network networkId handle displayName bio followersCount postsCount
  relationship { following followedBy muted blocked }`;

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let bskyMe: TestBlueskyAccount;
let bskyCarol: TestBlueskyAccount;
let mastoMe: FakeAccount;
let mastoCarol: FakeAccount;
let mastoHandle: string;

async function profile(args: Record<string, string>): Promise<Profile> {
  const res = await gql<{ author: Profile }>(
    `query($id: String, $handle: String) { author(id: $id, handle: $handle) { ${PROFILE} } }`,
    args,
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.author;
}

/** Performs a relationship change (or another action) and waits until the worker says it is done. */
async function act(
  mutation: string,
  author: string,
  arg = 'author: $a',
  decl = '$a: String!',
): Promise<void> {
  const res = await gql<Record<string, { id: string }>>(
    `mutation(${decl}) { ${mutation}(${arg}) { id } }`,
    { a: author },
    token,
  );
  expect(res.errors).toBeUndefined();
  const id = res.data![mutation]!.id;
  const action = await waitFor(`${mutation} done`, async () => {
    const a = await gql<{ action: { status: string; error: string | null } }>(
      'query($id: ID!) { action(id: $id) { status error } }',
      { id },
      token,
    );
    return a.data?.action.status !== 'PENDING' ? a.data!.action : null;
  });
  expect(action).toEqual({ status: 'DONE', error: null });
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  [bskyMe, bskyCarol] = await Promise.all([net.createAccount('me'), net.createAccount('carol')]);
  await bskyCarol.agent.upsertProfile((p) => ({ ...p, displayName: 'Carol B', description: 'Bluesky bio' }));
  await bskyCarol.agent.post({ text: 'carol on Bluesky', createdAt: new Date().toISOString() });
  await net.processAll();
  mastoMe = fake.createAccount('me');
  mastoCarol = fake.createAccount('carol', { displayName: 'Carol M', note: 'Mastodon bio' });
  fake.post(mastoCarol, { text: 'carol on Mastodon' });
  mastoHandle = `carol@${fake.host}`;

  instance = await startTestInstance({
    ROLE: 'all',
    BACKFILL_DEPTH: '0',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "reader", password: "long enough password") { token } }',
    { i: code },
  );
  token = signUp.data!.signUp.token;
  await linkBluesky(gql, token, bskyMe, net.info.pdsUrl);
  await linkMastodon(gql, token, fake.origin, fake.issueToken(mastoMe));
}, 240_000);

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
});

describe('profiles', () => {
  it("reads a Bluesky profile and its posts through the member's account", async () => {
    const carol = await profile({ handle: bskyCarol.handle });
    expect(carol).toMatchObject({
      network: 'BLUESKY',
      networkId: bskyCarol.did,
      handle: bskyCarol.handle,
      displayName: 'Carol B',
      bio: 'Bluesky bio',
      postsCount: 1,
      relationship: { following: false, followedBy: false, muted: false, blocked: false },
    });
    expect(await profile({ id: bskyCarol.did })).toEqual(carol);

    const posts = await gql<{ authorPosts: { items: { post: { id: string; text: string } }[] } }>(
      'query($a: String!) { authorPosts(author: $a, first: 10) { items { post { id text } } } }',
      { a: bskyCarol.did },
      token,
    );
    expect(posts.errors).toBeUndefined();
    const [post] = posts.data!.authorPosts.items.map((i) => i.post);
    expect(post?.text).toBe('carol on Bluesky');
    // A post on a profile is the member's to open and act on.
    const opened = await gql('query($id: ID!) { post(id: $id) { text } }', { id: post!.id }, token);
    expect(opened.errors).toBeUndefined();
  });

  it('reads a Mastodon profile by handle or account URI, with its posts', async () => {
    const carol = await profile({ handle: mastoHandle });
    expect(carol).toMatchObject({
      network: 'MASTODON',
      networkId: `${fake.origin}/users/carol`,
      handle: mastoHandle,
      displayName: 'Carol M',
      bio: 'Mastodon bio',
      postsCount: 1,
      relationship: { following: false, followedBy: false, muted: false, blocked: false },
    });
    expect(await profile({ id: carol.networkId })).toEqual(carol);
    const posts = await gql<{
      authorPosts: { items: { post: { text: string } }[]; nextCursor: string | null };
    }>(
      'query($a: String!) { authorPosts(author: $a) { items { post { text } } nextCursor } }',
      { a: mastoHandle },
      token,
    );
    expect(posts.errors).toBeUndefined();
    expect(posts.data!.authorPosts.items.map((i) => i.post.text)).toEqual(['carol on Mastodon']);
  });

  it('names what is wrong with an unknown or malformed author', async () => {
    const unknown = await gql('{ author(handle: "nobody@' + fake.host + '") { handle } }', {}, token);
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    const malformed = await gql('{ author(handle: "just a name") { handle } }', {}, token);
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toMatch(/^handle: "just a name" is neither a Bluesky/);
    const both = await gql('{ author(handle: "a.test", id: "did:plc:x") { handle } }', {}, token);
    expect(codeOf(both)).toBe('BAD_USER_INPUT');
  });

  it('follows, mutes and blocks on Bluesky, and undoes each', async () => {
    await act('follow', bskyCarol.handle);
    await act('follow', bskyCarol.did); // already following: nothing new is written
    await net.processAll();
    const follows = await bskyMe.agent.com.atproto.repo.listRecords({
      repo: bskyMe.did,
      collection: 'app.bsky.graph.follow',
    });
    expect(follows.data.records.map((r) => (r.value as { subject: string }).subject)).toEqual([
      bskyCarol.did,
    ]);
    await act('mute', bskyCarol.did);
    expect((await profile({ id: bskyCarol.did })).relationship).toEqual({
      following: true,
      followedBy: false,
      muted: true,
      blocked: false,
    });
    await act('unmute', bskyCarol.did);
    await act('unfollow', bskyCarol.did);
    await act('block', bskyCarol.did);
    await net.processAll();
    expect((await profile({ id: bskyCarol.did })).relationship).toEqual({
      following: false,
      followedBy: false,
      muted: false,
      blocked: true,
    });
    await act('unblock', bskyCarol.did);
    await net.processAll();
    expect((await profile({ id: bskyCarol.did })).relationship.blocked).toBe(false);
  });

  it('follows on Mastodon, which changes the home timeline; mutes and blocks, and undoes each', async () => {
    await act('follow', mastoHandle);
    expect(fake.relationship(mastoMe, mastoCarol).following).toBe(true);
    expect((await profile({ handle: mastoHandle })).relationship.following).toBe(true);
    // Carol's next post reaches the member's merged timeline now.
    fake.post(mastoCarol, { text: 'carol, after the follow' });
    await waitFor(
      'the followed account in the timeline',
      async () => {
        const res = await gql<{ timeline: { edges: { node: { post: { text: string } } }[] } }>(
          '{ timeline(first: 50) { edges { node { post { text } } } } }',
          {},
          token,
        );
        return res.data?.timeline.edges.some((e) => e.node.post.text === 'carol, after the follow');
      },
      90_000,
    );
    await act('mute', mastoHandle);
    await act('block', mastoHandle);
    expect(fake.relationship(mastoMe, mastoCarol)).toEqual({
      following: false,
      muting: true,
      blocking: true,
    });
    await act('unmute', mastoHandle);
    await act('unblock', mastoHandle);
    await act('unfollow', mastoHandle);
    expect(fake.relationship(mastoMe, mastoCarol)).toEqual({
      following: false,
      muting: false,
      blocking: false,
    });
  });

  it("serves an author's statuses and relationship, and follows, through the Mastodon client API", async () => {
    const api = async (method: string, path: string) => {
      const res = await fetch(`${instance.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return { body: (await res.json()) as unknown, link: res.headers.get('link') };
    };
    // Carol's id, as an app learns it: from a status of hers in the home timeline.
    const home = (await api('GET', '/api/v1/timelines/home?limit=40')).body as {
      content: string;
      account: { id: string; acct: string };
    }[];
    const carolId = home.find((s) => s.content.includes('carol, after the follow'))!.account.id;
    const statuses = (await api('GET', `/api/v1/accounts/${carolId}/statuses`)).body as { content: string }[];
    expect(statuses.map((s) => s.content)).toEqual([
      '<p>carol, after the follow</p>',
      '<p>carol on Mastodon</p>',
    ]);
    const rel = async () =>
      (
        (await api('GET', `/api/v1/accounts/relationships?id[]=${carolId}`)).body as Record<string, unknown>[]
      )[0];
    expect(await rel()).toMatchObject({ id: carolId, following: false, muting: false, blocking: false });
    expect((await api('POST', `/api/v1/accounts/${carolId}/follow`)).body).toMatchObject({ following: true });
    await waitFor('the follow on the instance', async () => fake.relationship(mastoMe, mastoCarol).following);
    expect(await rel()).toMatchObject({ following: true });
    expect((await api('POST', `/api/v1/accounts/${carolId}/unfollow`)).body).toMatchObject({
      following: false,
    });
    await waitFor(
      'the unfollow on the instance',
      async () => !fake.relationship(mastoMe, mastoCarol).following,
    );
  });

  it('refuses to act through an account on the wrong network', async () => {
    const accounts = await gql<{ linkedAccounts: { id: string; network: string }[] }>(
      '{ linkedAccounts { id network } }',
      {},
      token,
    );
    const mastodonAccount = accounts.data!.linkedAccounts.find((a) => a.network === 'MASTODON')!.id;
    const res = await gql(
      'mutation($a: String!, $acc: ID) { follow(author: $a, account: $acc) { id } }',
      { a: bskyCarol.did, acc: mastodonAccount },
      token,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/this is on Bluesky, but @me@.* is a Mastodon account/);
  });
});

describe('own posts', () => {
  /** The id of the author's newest post with `text`, as their profile lists it. */
  async function postOnProfile(author: string, text: string): Promise<string> {
    return waitFor(`"${text}" on the profile`, async () => {
      const res = await gql<{ authorPosts: { items: { post: { id: string; text: string } }[] } }>(
        'query($a: String!) { authorPosts(author: $a) { items { post { id text } } } }',
        { a: author },
        token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.authorPosts.items.find((i) => i.post.text === text)?.post.id;
    });
  }

  it('deletes a post of the member on Bluesky, on the network', async () => {
    const mine = await bskyMe.agent.post({ text: 'mine to delete', createdAt: new Date().toISOString() });
    await net.processAll();
    const id = await postOnProfile(bskyMe.did, 'mine to delete');
    await act('deletePost', id, 'post: $a', '$a: ID!');
    const records = await bskyMe.agent.com.atproto.repo.listRecords({
      repo: bskyMe.did,
      collection: 'app.bsky.feed.post',
    });
    expect(records.data.records.map((r) => r.uri)).not.toContain(mine.uri);
  });

  it('deletes a post of the member on Mastodon, on the instance', async () => {
    const status = fake.post(mastoMe, { text: 'mine on Mastodon' });
    const id = await postOnProfile(`me@${fake.host}`, 'mine on Mastodon');
    await act('deletePost', id, 'post: $a', '$a: ID!');
    expect((await fetch(`${fake.origin}/api/v1/statuses/${status}`)).status).toBe(404);
  });

  it('edits a post of the member on Mastodon: on the instance, its image kept, and the stored post follows', async () => {
    const status = fake.post(mastoMe, {
      text: 'mine, with a typo',
      media: [{ type: 'image', description: 'a red dot' }],
    });
    const id = await postOnProfile(`me@${fake.host}`, 'mine, with a typo');
    const res = await gql<{ editPost: { id: string; kind: string; status: string } }>(
      'mutation($p: ID!) { editPost(post: $p, text: "mine, fixed", contentWarning: "spoilers") { id kind status } }',
      { p: id },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.editPost).toMatchObject({ kind: 'EDIT', status: 'PENDING' });
    await waitFor('the edit done', async () => {
      const a = await gql<{ action: { status: string; error: string | null } }>(
        'query($id: ID!) { action(id: $id) { status error } }',
        { id: res.data!.editPost.id },
        token,
      );
      expect(a.data!.action.error).toBeNull();
      return a.data!.action.status === 'DONE';
    });
    const onInstance = (await (await fetch(`${fake.origin}/api/v1/statuses/${status}`)).json()) as {
      content: string;
      spoiler_text: string;
      edited_at: string | null;
      media_attachments: { description: string }[];
    };
    expect(onInstance).toMatchObject({ content: '<p>mine, fixed</p>', spoiler_text: 'spoilers' });
    expect(onInstance.edited_at).not.toBeNull();
    expect(onInstance.media_attachments.map((m) => m.description)).toEqual(['a red dot']);
    // The stored post is the edited one: no wait for the instance's stream.
    const post = await gql<{ post: { text: string; contentWarning: string | null; media: unknown[] } }>(
      'query($id: ID!) { post(id: $id) { text contentWarning media { altText } } }',
      { id },
      token,
    );
    expect(post.data!.post).toEqual({
      text: 'mine, fixed',
      contentWarning: 'spoilers',
      media: [{ altText: 'a red dot' }],
    });
  });

  it('a Mastodon app edits a status: PUT answers with it as edited, its source reads back, the instance has it', async () => {
    const status = fake.post(mastoMe, { text: 'from an app, with a tpyo' });
    const app = createRestAPIClient({ url: instance.apiUrl, accessToken: token });
    const mine = await waitFor('the status in home', async () =>
      (await app.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('with a tpyo')),
    );
    expect(await app.v1.statuses.$select(mine.id).source.fetch()).toEqual({
      id: mine.id,
      text: 'from an app, with a tpyo',
      spoilerText: '',
    });
    const edited = await app.v1.statuses.$select(mine.id).update({ status: 'from an app, fixed' });
    expect(edited).toMatchObject({ id: mine.id, content: '<p>from an app, fixed</p>' });
    expect(edited.editedAt).not.toBeNull();
    await waitFor('the edit on the instance', async () => {
      const s = (await (await fetch(`${fake.origin}/api/v1/statuses/${status}`)).json()) as {
        content: string;
      };
      return s.content === '<p>from an app, fixed</p>';
    });
    // Someone else's status has no source for this member, and cannot be edited.
    fake.follow(mastoMe, mastoCarol);
    fake.post(mastoCarol, { text: 'carol, not yours to edit' });
    const carols = await waitFor('carol in home', async () =>
      (await app.v1.timelines.home.list({ limit: 40 })).find((s) => s.content.includes('not yours to edit')),
    );
    await expect(app.v1.statuses.$select(carols.id).source.fetch()).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(app.v1.statuses.$select(carols.id).update({ status: 'x' })).rejects.toMatchObject({
      statusCode: 422,
    });
  });

  it("refuses to edit a Bluesky post, or someone else's, saying why", async () => {
    const mine = await bskyMe.agent.post({ text: 'mine on Bluesky', createdAt: new Date().toISOString() });
    await net.processAll();
    const m = 'mutation($p: ID!) { editPost(post: $p, text: "changed") { id } }';
    const bluesky = await gql(m, { p: await postOnProfile(bskyMe.did, 'mine on Bluesky') }, token);
    expect(codeOf(bluesky)).toBe('BAD_USER_INPUT');
    expect(bluesky.errors?.[0]?.message).toBe(
      'post: Bluesky posts cannot be edited (the network has no edits); delete it and post again',
    );
    const carols = await gql(m, { p: await postOnProfile(mastoHandle, 'carol on Mastodon') }, token);
    expect(codeOf(carols)).toBe('BAD_USER_INPUT');
    expect(carols.errors?.[0]?.message).toMatch(/^post: only your own posts can be edited/);
    const records = await bskyMe.agent.com.atproto.repo.listRecords({
      repo: bskyMe.did,
      collection: 'app.bsky.feed.post',
    });
    expect(records.data.records.map((r) => r.uri)).toContain(mine.uri);
  });

  it("refuses to delete someone else's post", async () => {
    const id = await postOnProfile(bskyCarol.did, 'carol on Bluesky');
    const res = await gql('mutation($p: ID!) { deletePost(post: $p) { id } }', { p: id }, token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/^post: only your own posts can be deleted/);
  });
});

it('the fake Mastodon instance saw no request and sent no answer outside the API description', () => {
  expect(fake.violations).toEqual([]);
});
