// The published feed as the Bluesky app sees it: through the member's PDS and the reference AppView
// (@atproto/dev-env). The PDS mints the service JWT, the AppView resolves the feed's did:web
// (dev-env's AppView resolves did:web:localhost%3A<port> over http, so PUBLIC_URL is
// http://localhost:<port>), asks this instance for the skeleton and hydrates it from its own index.
// The timeline is alice's real home timeline: accounts she follows post on the reference PDS, the
// worker backfills it, and one Mastodon post has a Bridgy Fed copy there.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppBskyFeedDefs } from '@atproto/api';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import type { Post } from '@tributary/core';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { blueskyNetwork, freePort } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import { TimelineService } from '@tributary/timeline';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky } from './link-accounts.js';
import { createSource, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(240_000);

const SKELETON = 'app.bsky.feed.getFeedSkeleton';
/** The Mastodon post Bridgy Fed bridged (its `url`, which Bridgy Fed writes as bridgyOriginalUrl). */
const MASTODON_URL = 'https://mastodon.example/@erin/1';

let net: BlueskyNetworkClient;
let instance: TestInstance;
let prisma: PrismaClient;
let gql: ReturnType<typeof graphqlClient>;
let alice: TestBlueskyAccount;
let bob: TestBlueskyAccount;
let carol: TestBlueskyAccount;
let dave: TestBlueskyAccount;
let serviceDid: string;
let aliceToken: string;
let pipelineId: string;
let feedUri: string;
let placeholder: string;
const posts: Record<string, string> = {};

async function signUp(name: string): Promise<string> {
  const auth = instance.running.apps[1]!.get(AuthService, { strict: false });
  const invite = await auth.createInvite(null, 'MEMBER');
  return (await auth.signUp(invite.code, name, 'correct horse battery staple', 'test', '127.0.0.1')).token;
}

async function post(account: TestBlueskyAccount, text: string, extra: Record<string, unknown> = {}) {
  const { data } = await account.agent.com.atproto.repo.createRecord({
    repo: account.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), ...extra },
  });
  return data;
}

interface Item {
  id: string;
  post: { uri: string; network: string };
  seenIn: { network: string; uri: string }[];
  hidden: boolean;
}

async function timeline(includeHidden: boolean): Promise<Item[]> {
  const res = await gql<{ timeline: { edges: { node: Item }[] } }>(
    'query($p: ID, $h: Boolean) { timeline(pipeline: $p, first: 100, includeHidden: $h) { edges { node { id hidden post { uri network } seenIn { network uri } } } } }',
    { p: pipelineId, h: includeHidden },
    aliceToken,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node);
}

/** What the app can show of each visible item, in order: a Bluesky post, or a Mastodon post's copy. */
const showable = (items: Item[]) =>
  items.flatMap((i) => {
    const uri =
      i.post.network === 'BLUESKY'
        ? i.post.uri
        : i.seenIn.find((s) => s.network === 'BLUESKY' && s.uri.startsWith('at://'))?.uri;
    return uri ? [uri] : [];
  });

/** The whole feed as the app pages through it (getFeed through the viewer's PDS), `limit` at a time. */
async function appFeed(viewer: TestBlueskyAccount, limit: number) {
  const items: AppBskyFeedDefs.FeedViewPost[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const { data } = await viewer.agent.app.bsky.feed.getFeed({ feed: feedUri, limit, cursor });
    expect(data.feed.length).toBeLessThanOrEqual(limit);
    items.push(...data.feed);
    if (!data.cursor) return items;
    cursor = data.cursor;
  }
  throw new Error('the feed never ended');
}

beforeAll(async () => {
  net = await blueskyNetwork();
  let operator: TestBlueskyAccount, frank: TestBlueskyAccount, bridgy: TestBlueskyAccount;
  [alice, bob, carol, dave, frank, bridgy, operator] = await Promise.all([
    net.createAccount('alice'),
    net.createAccount('bob'),
    net.createAccount('carol'),
    net.createAccount('dave'),
    net.createAccount('frank'),
    net.createAccount('bridgy'),
    net.createAccount('operator'),
  ]);
  for (const followed of [carol, dave, bridgy]) await alice.agent.follow(followed.did);
  placeholder = (await post(operator, 'Link your Bluesky account in Tributary to see your feed here')).uri;

  // Alice's home timeline: carol's and dave's posts (one of carol's says "spoiler", which alice's
  // pipeline hides), dave's repost of frank (whom alice does not follow), and Bridgy Fed's copy of
  // erin's Mastodon post.
  for (let n = 0; n < 4; n++) {
    posts[`carol${n}`] = (await post(carol, `carol says ${n}`)).uri;
    posts[`dave${n}`] = (await post(dave, `dave says ${n}`)).uri;
  }
  posts.spoiler = (await post(carol, 'a spoiler about the finale')).uri;
  const franks = await post(frank, 'frank, reposted by dave');
  posts.frank = franks.uri;
  posts.repost = (await dave.agent.repost(franks.uri, franks.cid)).uri;
  posts.copy = (await post(bridgy, 'erin on Mastodon', { bridgyOriginalUrl: MASTODON_URL })).uri;
  await net.processAll();

  const port = await freePort();
  instance = await startTestInstance({
    ROLE: 'all',
    PORT: String(port),
    POLL_INTERVAL_SECONDS: '3600',
    PUBLIC_URL: `http://localhost:${port}`,
    BLUESKY_PLC_URL: net.info.plcUrl,
    FEED_PLACEHOLDER_POST: placeholder,
  });
  serviceDid = `did:web:localhost%3A${port}`;
  prisma = instance.running.apps[0]!.get(PrismaService, { strict: false }).client;
  gql = graphqlClient(instance.apiUrl);
  aliceToken = await signUp('alice');
  const bobToken = await signUp('bob');
  const aliceUser = (await prisma.user.findUniqueOrThrow({ where: { username: 'alice' } })).id;
  pipelineId = (await prisma.pipeline.findFirstOrThrow({ where: { userId: aliceUser, isDefault: true } })).id;
  const updated = await gql(
    'mutation($p: ID!, $s: JSON!) { updatePipeline(id: $p, spec: $s) { version } }',
    {
      p: pipelineId,
      s: {
        name: 'Home',
        sources: [],
        stages: [
          { use: 'mute-words', with: { words: ['spoiler'] } },
          { use: 'dedupe-crossposts' },
          { use: 'score/recency', with: { halfLifeHours: 6 } },
          { use: 'feedback', with: { less: 10 } },
        ],
      },
    },
    aliceToken,
  );
  expect(updated.errors).toBeUndefined();

  // Erin's Mastodon post reaches alice first (through a Mastodon source of hers); the copy the
  // backfill brings later is merged into its entry.
  const erin: Post = testPost(1, {
    network: 'MASTODON',
    uri: 'https://mastodon.example/users/erin/statuses/1',
    webUrl: MASTODON_URL,
    nativeId: '1',
    author: {
      network: 'MASTODON',
      networkId: 'https://mastodon.example/users/erin',
      handle: 'erin@mastodon.example',
      displayName: null,
      avatarUrl: null,
      bot: false,
    },
    text: 'erin on Mastodon',
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    raw: null,
  });
  const { sourceId } = await createSource(prisma, aliceUser, 'MASTODON');
  const { newPostIds } = await upsertIngested(
    prisma,
    sourceId,
    [{ post: erin, reason: null }],
    NETWORK_TRUST_DOMAIN,
  );
  await instance.running.apps[0]!.get(TimelineService, { strict: false }).runPipelines(
    aliceUser,
    newPostIds.map(String),
  );

  await linkBluesky(gql, aliceToken, alice, net.info.pdsUrl);
  await linkBluesky(gql, bobToken, bob, net.info.pdsUrl);
  const home = Object.entries(posts)
    .filter(([k]) => k !== 'repost')
    .map(([, uri]) => uri);
  await waitFor('the backfill of alice’s home timeline', async () => {
    const seen = new Set((await timeline(true)).flatMap((i) => [i.post.uri, ...i.seenIn.map((s) => s.uri)]));
    return home.every((uri) => seen.has(uri));
  });

  const aliceAccount = (
    await prisma.linkedAccount.findFirstOrThrow({ where: { userId: aliceUser, network: 'BLUESKY' } })
  ).id;
  const published = await gql<{ publishFeed: { uri: string } }>(
    'mutation($p: ID!, $a: ID!) { publishFeed(pipeline: $p, account: $a, displayName: "My Tributary", description: null) { uri } }',
    { p: pipelineId, a: aliceAccount },
    aliceToken,
  );
  expect(published.errors).toBeUndefined();
  feedUri = published.data!.publishFeed.uri;
  await net.processAll(); // the AppView indexes the feed record
});

afterAll(async () => {
  await instance?.stop();
});

describe('the published feed in the Bluesky app (PDS + AppView)', () => {
  it("shows alice her pipeline's visible items in order, page after page, without duplicates", async () => {
    const expected = showable(await timeline(false));
    const items = await appFeed(alice, 3);
    const uris = items.map((i) => i.post.uri);
    expect(uris).toEqual(expected);
    expect(new Set(uris).size).toBe(uris.length);
    // Everything alice's home brought that the pipeline keeps, and nothing else.
    expect([...uris].sort()).toEqual(
      [
        posts.carol0,
        posts.carol1,
        posts.carol2,
        posts.carol3,
        posts.dave0,
        posts.dave1,
        posts.dave2,
        posts.dave3,
        posts.frank,
        posts.copy,
      ].sort(),
    );
    expect(uris).not.toContain(posts.spoiler); // hidden by her mute word
    // Frank's post came through dave's repost: the app shows it as one.
    const reposted = items.find((i) => i.post.uri === posts.frank)!;
    expect(reposted.reason).toMatchObject({
      $type: 'app.bsky.feed.defs#reasonRepost',
      by: { did: dave.did },
    });
  });

  it("shows erin's Mastodon post through its Bridgy Fed copy: one item, the original's", async () => {
    // The copy (a real post on the reference PDS, bridgyOriginalUrl in its record, backfilled from
    // alice's home) was merged into the Mastodon post's entry by her pipeline's dedupe stage.
    const visible = await timeline(false);
    const original = visible.find((i) => i.post.network === 'MASTODON');
    expect(original?.seenIn.map((s) => s.uri)).toContain(posts.copy);
    expect(visible.filter((i) => i.post.uri === posts.copy)).toEqual([]);
    const items = await appFeed(alice, 100);
    expect(items.filter((i) => i.post.uri === posts.copy).map((i) => i.feedContext)).toEqual([original!.id]);
  });

  it("shows bob the placeholder, never alice's items", async () => {
    const items = await appFeed(bob, 50);
    expect(items.map((i) => i.post.uri)).toEqual([placeholder]);
  });

  it('passes a token for another audience through, and the feed generator refuses it', async () => {
    const getFeed = async (aud: string) => {
      const { data } = await alice.agent.com.atproto.server.getServiceAuth({ aud, lxm: SKELETON });
      // Straight to the AppView, as a PDS would, with a token the AppView accepts (it does not
      // check the audience: the token is the feed generator's to check).
      const res = await fetch(
        `${net.info.appviewUrl}/xrpc/app.bsky.feed.getFeed?${new URLSearchParams({ feed: feedUri, limit: '1' })}`,
        { headers: { authorization: `Bearer ${data.token}` } },
      );
      return { status: res.status, body: (await res.json()) as { error?: string; feed?: unknown[] } };
    };
    const refused = await getFeed('did:web:elsewhere.example');
    expect({ status: refused.status, error: refused.body.error }).toEqual({
      status: 401,
      error: 'AuthenticationRequired',
    });
    const accepted = await getFeed(serviceDid);
    expect({ status: accepted.status, items: accepted.body.feed?.length }).toEqual({ status: 200, items: 1 });
  });

  it('takes "show less like this" from the app (sendInteractions through the PDS), and the feed changes', async () => {
    const before = (await appFeed(alice, 100)).map((i) => ({ uri: i.post.uri, feedContext: i.feedContext }));
    const author = (uri: string) => uri.split('/')[2]!;
    const first = before.find((i) => author(i.uri) === carol.did)!;
    // Some of carol's posts are above some of dave's now.
    const isSunk = (uris: string[]) => {
      const firstOfCarol = uris.findIndex((u) => author(u) === carol.did);
      return firstOfCarol >= 0 && uris.slice(firstOfCarol).every((u) => author(u) === carol.did);
    };
    expect(isSunk(before.map((i) => i.uri))).toBe(false);

    // The Bluesky app sends interactions to the feed's service through the user's PDS.
    await alice.agent.withProxy('bsky_fg', serviceDid).app.bsky.feed.sendInteractions({
      interactions: [
        { item: first.uri, event: 'app.bsky.feed.defs#requestLess', feedContext: first.feedContext },
      ],
    });
    const after = await waitFor('carol sunk below everyone else', async () => {
      const uris = (await appFeed(alice, 100)).map((i) => i.post.uri);
      return isSunk(uris) ? uris : null;
    });
    expect([...after].sort()).toEqual(before.map((i) => i.uri).sort()); // nothing lost, nothing added
  });
});
