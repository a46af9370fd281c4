// Reply context end to end: a reply's `replyParent` / `replyRoot` carry the parent's author and text
// when known — as Bluesky's timeline shows them beside the reply (a parent by someone the member does
// not follow), or from the stored parent the member may read (a Mastodon reply) — so a client can
// show "replying to @carol" without opening the thread; and never from a parent the reader may not
// read (a followers-only status another member sees).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface Ref {
  uri: string;
  authorNetworkId: string | null;
  authorHandle: string | null;
  authorDisplayName: string | null;
  text: string | null;
}
interface PostView {
  uri: string;
  text: string;
  author: { handle: string; networkId: string };
  replyParent: Ref | null;
  replyRoot: Ref | null;
}

const REF = 'uri authorNetworkId authorHandle authorDisplayName text';
const TIMELINE = `{ timeline(first: 100) { edges { node { post { uri text author { handle networkId } replyParent { ${REF} } replyRoot { ${REF} } } } } } }`;

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
let bob: TestBlueskyAccount;
let carol: TestBlueskyAccount;
const bsky: Record<'question' | 'reply' | 'own' | 'ownReply', { uri: string; cid: string }> = {} as never;
let mbob: FakeAccount;
let mcarol: FakeAccount;
const masto: Record<'parent' | 'reply', string> = { parent: '', reply: '' };

const mastoUri = (account: FakeAccount, id: string) =>
  `${fake.origin}/users/${account.username}/statuses/${id}`;

async function timeline(who: 'alice' | 'bob'): Promise<PostView[]> {
  const res = await gql<{ timeline: { edges: { node: { post: PostView } }[] } }>(TIMELINE, {}, tokens[who]);
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node.post);
}

const postIn = (who: 'alice' | 'bob', uri: string) =>
  waitFor(`${uri} in ${who}'s timeline`, async () => (await timeline(who)).find((p) => p.uri === uri));

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [alice, b, c] = await Promise.all([
    net.createAccount('rcalice'),
    net.createAccount('rcbob'),
    net.createAccount('rccarol'),
  ]);
  bob = b;
  carol = c;
  await carol.agent.upsertProfile((p) => ({ ...p, displayName: 'Carol C.' }));
  // Alice follows bob, not carol: carol's post reaches her only as the parent of bob's reply.
  await alice.agent.follow(bob.did);
  const at = () => new Date().toISOString();
  bsky.question = await carol.agent.post({ text: 'anyone tried Tributary?', createdAt: at() });
  bsky.reply = await bob.agent.post({
    text: 'yes, it merges both networks',
    createdAt: at(),
    reply: { root: bsky.question, parent: bsky.question },
  });
  bsky.own = await bob.agent.post({ text: 'a thread of mine, 1/2', createdAt: at() });
  bsky.ownReply = await bob.agent.post({
    text: '2/2',
    createdAt: at(),
    reply: { root: bsky.own, parent: bsky.own },
  });
  await net.processAll();

  const reader = fake.createAccount('rcreader');
  const other = fake.createAccount('rcother');
  mbob = fake.createAccount('rcmbob');
  mcarol = fake.createAccount('rcmcarol');
  fake.follow(reader, mbob);
  fake.follow(reader, mcarol);
  fake.follow(other, mbob);
  // Followers-only: alice's Mastodon account may read it, bob's may not.
  masto.parent = fake.post(mcarol, { text: 'only for my followers', visibility: 'private' });
  masto.reply = fake.post(mbob, {
    text: 'replying in public',
    inReplyTo: masto.parent,
    mentions: [mcarol.id],
  });

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps.at(-1)!.get(AuthService);
  for (const who of ['alice', 'bob'] as const) {
    const { code } = await auth.createInvite(null, 'MEMBER');
    const res = await gql<{ signUp: { token: string } }>(
      `mutation($i: String!) { signUp(invite: $i, username: "${who}", password: "long enough password") { token } }`,
      { i: code },
    );
    tokens[who] = res.data!.signUp.token;
  }
  await linkBluesky(gql, tokens.alice, alice, net.info.pdsUrl);
  await linkMastodon(gql, tokens.alice, fake.origin, fake.issueToken(reader));
  await linkMastodon(gql, tokens.bob, fake.origin, fake.issueToken(other));
});

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
});

describe('reply context on Bluesky', () => {
  it("a reply to someone the member does not follow carries the parent's author and text, as the timeline showed them", async () => {
    const reply = await postIn('alice', bsky.reply.uri);
    const question = {
      uri: bsky.question.uri,
      authorNetworkId: carol.did,
      authorHandle: carol.handle,
      authorDisplayName: 'Carol C.',
      text: 'anyone tried Tributary?',
    };
    expect(reply.replyParent).toEqual(question);
    expect(reply.replyRoot).toEqual(question);
    // The parent itself is not in her timeline (she does not follow carol).
    expect((await timeline('alice')).map((p) => p.uri)).not.toContain(bsky.question.uri);
  });

  it("a reply in someone's own thread names them", async () => {
    const reply = await postIn('alice', bsky.ownReply.uri);
    expect(reply.replyParent).toMatchObject({ authorHandle: bob.handle, text: 'a thread of mine, 1/2' });
  });
});

describe('reply context on Mastodon', () => {
  it("a reply carries the stored parent's author and text for the member who may read the parent", async () => {
    const parent = await postIn('alice', mastoUri(mcarol, masto.parent));
    const reply = await postIn('alice', mastoUri(mbob, masto.reply));
    expect(reply.replyParent).toEqual({
      uri: parent.uri,
      authorNetworkId: parent.author.networkId,
      authorHandle: parent.author.handle,
      authorDisplayName: 'rcmcarol', // the fake's display name is the username
      text: 'only for my followers',
    });
  });

  it('another member who sees the reply but not the followers-only parent gets no text of it', async () => {
    const reply = await postIn('bob', mastoUri(mbob, masto.reply));
    expect(reply.replyParent).toMatchObject({ authorHandle: null, authorDisplayName: null, text: null });
    expect((await timeline('bob')).map((p) => p.uri)).not.toContain(mastoUri(mcarol, masto.parent));
  });
});
