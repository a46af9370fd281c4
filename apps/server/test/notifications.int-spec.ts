// Notifications end to end: a mention, a reply, a quote, a like, a repost and a follow on each
// network arrive as notifications, merged into one list, once each, live over the subscription;
// a muted word hides one and says why; the read marker reaches the Mastodon instance.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { RichText } from '@atproto/api';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { UserEventsService } from '../../api/src/live/user-events.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { liveClient, LiveSubscription } from '../../api/src/testing/graphql-ws-client.js';
import type { LiveClient } from '../../api/src/testing/graphql-ws-client.js';
import { BlueskyFirehoseService } from '../../worker/src/streams/bluesky-firehose.service.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface NotificationView {
  id: string;
  kind: string;
  network: string;
  actor: { handle: string };
  post: { id: string; text: string } | null;
  read: boolean;
  hidden: boolean;
  hiddenReason: string | null;
  decisions: { stage: string; verdict: string; reason: string | null }[];
}

const FIELDS =
  'id kind network actor { handle } post { id text } read hidden hiddenReason decisions { stage verdict reason }';

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let live: LiveClient;
let received: LiveSubscription<{ notificationReceived: NotificationView[] }>;

let bskyMe: TestBlueskyAccount;
let bskyCarol: TestBlueskyAccount;
let bskyDave: TestBlueskyAccount;
let mastoMe: FakeAccount;
let mastoCarol: FakeAccount;
let mastoDave: FakeAccount;

async function all(includeHidden = false): Promise<NotificationView[]> {
  const res = await gql<{ notifications: { edges: { node: NotificationView }[] } }>(
    `query($h: Boolean!) { notifications(first: 100, includeHidden: $h) { edges { node { ${FIELDS} } } } }`,
    { h: includeHidden },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.notifications.edges.map((e) => e.node);
}

const kindsOf = (items: NotificationView[], network: string) =>
  items
    .filter((n) => n.network === network)
    .map((n) => `${n.kind} by ${n.actor.handle.split(/[.@]/)[0]!.replace(/-\w+$/, '')}`)
    .sort();

const EXPECTED = [
  'FOLLOW by carol',
  'LIKE by carol',
  'LIKE by dave',
  'MENTION by carol',
  'QUOTE by carol',
  'REPLY by carol',
  'REPOST by carol',
];

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  [bskyMe, bskyCarol, bskyDave] = await Promise.all([
    net.createAccount('me'),
    net.createAccount('carol'),
    net.createAccount('dave'),
  ]);
  mastoMe = fake.createAccount('me');
  mastoCarol = fake.createAccount('carol');
  mastoDave = fake.createAccount('dave');

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
  // The member mutes a word (in the default pipeline): it applies to notifications too.
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
      spec: {
        ...home.spec,
        stages: [{ use: 'mute-words', with: { words: ['marmalade'] } }, ...home.spec.stages],
      },
    },
    token,
  );
  expect(muted.errors).toBeUndefined();

  await linkBluesky(gql, token, bskyMe, net.info.pdsUrl);
  await linkMastodon(gql, token, fake.origin, fake.issueToken(mastoMe));
  // Linked: the first sync of each account's notifications has run (nothing there yet).
  await waitFor('first notification syncs', async () => {
    const res = await gql<{ linkedAccounts: { id: string }[] }>('{ linkedAccounts { id } }', {}, token);
    return res.data?.linkedAccounts.length === 2;
  });
  // The Bluesky stream consumer watches the account (it asks for a sync when a record names it).
  const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
  await waitFor(
    'the firehose consumer ready',
    async () => firehose.status.ready >= 1 && firehose.status.streams.includes(`firehose:${net.info.pdsUrl}`),
  );
  live = liveClient(instance.apiUrl, token);
  await live.acknowledged;
  received = new LiveSubscription(live.client, `subscription { notificationReceived { ${FIELDS} } }`);
  const events = instance.running.apps.at(-1)!.get(UserEventsService);
  await waitFor('the subscription listening', async () => events.stats.listeners >= 1);
}, 240_000);

afterAll(async () => {
  received?.stop();
  await live?.dispose();
  await instance?.stop();
  await fake?.close();
});

describe('notifications', () => {
  it('brings a mention, reply, quote, like, repost and follow on each network, merged, once each, live', async () => {
    // Bluesky: carol and dave act on the member's post and account.
    const mine = await bskyMe.agent.post({ text: 'my Bluesky post', createdAt: new Date().toISOString() });
    const mention = new RichText({ text: `hello @${bskyMe.handle}` });
    await mention.detectFacets(bskyCarol.agent);
    await bskyCarol.agent.post({ text: mention.text, facets: mention.facets });
    await bskyCarol.agent.post({ text: 'a reply', reply: { root: mine, parent: mine } });
    await bskyCarol.agent.post({
      text: 'a quote',
      embed: { $type: 'app.bsky.embed.record', record: { uri: mine.uri, cid: mine.cid } },
    });
    await bskyCarol.agent.like(mine.uri, mine.cid);
    await bskyDave.agent.like(mine.uri, mine.cid);
    await bskyCarol.agent.repost(mine.uri, mine.cid);
    await bskyCarol.agent.follow(bskyMe.did);
    await net.processAll();
    // Mastodon: the same, through the instance.
    const status = fake.post(mastoMe, { text: 'my Mastodon post' });
    fake.post(mastoCarol, { text: 'hello @me', mentions: [mastoMe.id] });
    fake.post(mastoCarol, { text: 'a reply', inReplyTo: status });
    fake.post(mastoCarol, { text: 'a quote', quoteOf: status });
    fake.favourite(mastoCarol, status);
    fake.favourite(mastoDave, status);
    fake.boost(mastoCarol, status);
    fake.follow(mastoCarol, mastoMe);

    let last: NotificationView[] = [];
    const items = await waitFor(
      'every notification',
      async () => {
        const found = (last = await all());
        return kindsOf(found, 'BLUESKY').length >= 7 && kindsOf(found, 'MASTODON').length >= 7 ? found : null;
      },
      90_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; found ${JSON.stringify([kindsOf(last, 'BLUESKY'), kindsOf(last, 'MASTODON')])}`,
      );
    });
    expect(kindsOf(items, 'BLUESKY')).toEqual(EXPECTED);
    expect(kindsOf(items, 'MASTODON')).toEqual(EXPECTED);
    // The posts they are about: the reply itself, the member's post that was liked.
    expect(items.find((n) => n.network === 'MASTODON' && n.kind === 'REPLY')?.post?.text).toBe('a reply');
    expect(items.find((n) => n.network === 'BLUESKY' && n.kind === 'LIKE')?.post?.text).toBe(
      'my Bluesky post',
    );
    expect(items.find((n) => n.kind === 'FOLLOW')?.post).toBeNull();
    // A post a notification brought is one the member may open.
    const reply = items.find((n) => n.network === 'BLUESKY' && n.kind === 'REPLY')!;
    const opened = await gql<{ post: { text: string } }>(
      'query($id: ID!) { post(id: $id) { text } }',
      { id: reply.post!.id },
      token,
    );
    expect(opened.data?.post.text).toBe('a reply');

    // Live: each arrived over the subscription too, once.
    const pushed: NotificationView[] = [];
    while (pushed.length < items.length)
      pushed.push(...(await received.next(30_000)).data!.notificationReceived);
    expect(pushed.map((n) => n.id).sort()).toEqual(items.map((n) => n.id).sort());

    // Later syncs (each stream event makes one, from the stored marker) store nothing twice.
    fake.post(mastoCarol, { text: 'one more', mentions: [mastoMe.id] });
    const after = await waitFor('the last mention', async () => {
      const found = await all();
      return found.length === items.length + 1 ? found : null;
    });
    expect(new Set(after.map((n) => n.id)).size).toBe(after.length);
  });

  it('hides a notification with a muted word, says why, and shows it only with includeHidden', async () => {
    const before = (await all()).length;
    const text = `I love marmalade, @${bskyMe.handle}`;
    const rt = new RichText({ text });
    await rt.detectFacets(bskyCarol.agent);
    await bskyCarol.agent.post({ text: rt.text, facets: rt.facets });
    fake.post(mastoCarol, { text: 'marmalade for @me', mentions: [mastoMe.id] });
    await net.processAll();
    const hidden = await waitFor('two hidden mentions', async () => {
      const found = (await all(true)).filter((n) => n.hidden);
      return found.length === 2 ? found : null;
    });
    for (const n of hidden) {
      expect(n.kind).toBe('MENTION');
      expect(n.hiddenReason).toMatch(/marmalade/);
      expect(n.decisions).toEqual([
        expect.objectContaining({
          stage: 'mute-words',
          verdict: 'HIDE',
          reason: expect.stringMatching(/marmalade/),
        }),
      ]);
    }
    expect((await all()).length).toBe(before);
  });

  it('groups likes of one post, counts unread, and saves the read marker on Mastodon', async () => {
    const groups = await gql<{
      notificationGroups: {
        edges: { node: { kind: string; count: number; actors: { handle: string }[]; read: boolean } }[];
      };
    }>(
      '{ notificationGroups(first: 50) { edges { node { kind count actors { handle } read } } } }',
      {},
      token,
    );
    expect(groups.errors).toBeUndefined();
    const likes = groups.data!.notificationGroups.edges.map((e) => e.node).filter((g) => g.kind === 'LIKE');
    expect(likes.map((g) => g.count)).toEqual([2, 2]);
    expect(likes.every((g) => g.actors.length === 2 && !g.read)).toBe(true);

    const visible = await all();
    const unread = await gql<{ unreadNotificationCount: number }>('{ unreadNotificationCount }', {}, token);
    expect(unread.data!.unreadNotificationCount).toBe(visible.length);
    const newest = visible[0]!;
    const marked = await gql<{ markNotificationsRead: number }>(
      'mutation($id: ID!) { markNotificationsRead(upTo: $id) }',
      { id: newest.id },
      token,
    );
    expect(marked.data!.markNotificationsRead).toBe(0);
    expect((await all()).every((n) => n.read)).toBe(true);
    // The Mastodon instance now holds as read its newest notification at or before the marker:
    // the last visible one ("one more"; the muted mention came after it and stays the instance's).
    expect(newest.post?.text).toBe('one more');
    const last = fake
      .notificationsOf(mastoMe)
      .find((n) => (n as { status?: { content?: string } }).status?.content?.includes('one more')) as {
      id: string;
    };
    await waitFor('the Mastodon notifications marker', async () =>
      fake.marker(mastoMe, 'notifications')?.lastReadId === last.id ? true : null,
    );
    const bad = await gql('mutation { markNotificationsRead(upTo: "999999") }', {}, token);
    expect(codeOf(bad)).toBe('NOT_FOUND');
    const tooMany = await gql('{ notifications(first: 100000) { edges { cursor } } }', {}, token);
    expect(tooMany.errors?.[0]?.message).toMatch(/1 to 100/);
  });

  it('the fake Mastodon instance saw nothing outside the API description', () => {
    expect(fake.violations).toEqual([]);
  });
});
