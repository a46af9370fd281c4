// A member's pipeline as a Bluesky custom feed, against the reference network: the feed record is
// written to the member's PDS, and getFeedSkeleton answers service JWTs the PDS really mints.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import type { Post, RepostReason } from '@tributary/core';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import { TimelineService } from '@tributary/timeline';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky } from './link-accounts.js';
import { createSource, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(120_000);

const SERVICE_DID = 'did:web:feeds.example.test';
const PLACEHOLDER = 'at://did:plc:operator/app.bsky.feed.post/howtolink';
const SKELETON = 'app.bsky.feed.getFeedSkeleton';

let net: BlueskyNetworkClient;
let instance: TestInstance;
let prisma: PrismaClient;
let gql: ReturnType<typeof graphqlClient>;
let alice: TestBlueskyAccount;
let bob: TestBlueskyAccount;
let aliceToken: string;
let aliceUser: string;
let aliceAccount: string;
let pipelineId: string;
let feedUri: string;

interface Skeleton {
  feed: { post: string; reason?: { $type: string; repost: string }; feedContext?: string }[];
  cursor?: string;
}

async function signUp(name: string): Promise<string> {
  const auth = instance.running.apps[1]!.get(AuthService, { strict: false });
  const invite = await auth.createInvite(null, 'MEMBER');
  return (await auth.signUp(invite.code, name, 'correct horse battery staple', 'test', '127.0.0.1')).token;
}

/** A service JWT minted by the account's own PDS (what it does for the app's getFeed). */
async function serviceJwt(account: TestBlueskyAccount, aud = SERVICE_DID, lxm = SKELETON, exp?: number) {
  const res = await account.agent.com.atproto.server.getServiceAuth({ aud, lxm, ...(exp ? { exp } : {}) });
  return res.data.token;
}

async function skeleton(params: Record<string, string>, jwt?: string) {
  const res = await fetch(`${instance.apiUrl}/xrpc/${SKELETON}?${new URLSearchParams(params)}`, {
    headers: jwt ? { authorization: `Bearer ${jwt}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Skeleton & { error?: string } };
}

/** Every page of the feed for `jwt`, `limit` at a time. */
async function allPages(jwt: string, limit: number) {
  const items: Skeleton['feed'] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const { status, body } = await skeleton(
      { feed: feedUri, limit: String(limit), ...(cursor ? { cursor } : {}) },
      jwt,
    );
    expect(status).toBe(200);
    expect(body.feed.length).toBeLessThanOrEqual(limit);
    items.push(...body.feed);
    if (!body.cursor) return items;
    expect(body.feed.length).toBeGreaterThan(0); // the AppView stops paging at an empty page
    expect(body.cursor).not.toBe(cursor);
    cursor = body.cursor;
  }
  throw new Error('the feed never ended');
}

/** Stores posts seen by a new source of alice's and runs her pipelines over them. */
async function ingest(posts: Post[], network: 'BLUESKY' | 'MASTODON', reason: RepostReason | null = null) {
  const timelines = instance.running.apps[0]!.get(TimelineService, { strict: false });
  const { sourceId } = await createSource(prisma, aliceUser, network);
  const { newPostIds } = await upsertIngested(
    prisma,
    sourceId,
    posts.map((post) => ({ post, reason })),
    NETWORK_TRUST_DOMAIN,
  );
  await timelines.runPipelines(aliceUser, newPostIds.map(String));
}

/** A Mastodon post by carol, without a Bridgy Fed copy unless one is ingested. */
function masto(n: number, base: number): Post {
  return testPost(
    n,
    {
      network: 'MASTODON',
      uri: `https://example.social/users/carol/statuses/${n}`,
      webUrl: `https://example.social/@carol/${n}`,
      nativeId: String(n),
      author: {
        network: 'MASTODON',
        networkId: 'https://example.social/users/carol',
        handle: 'carol@example.social',
        displayName: null,
        avatarUrl: null,
        bot: false,
      },
      raw: null,
    },
    base,
  );
}

beforeAll(async () => {
  net = await blueskyNetwork();
  [alice, bob] = await Promise.all([net.createAccount('alice'), net.createAccount('bob')]);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    PUBLIC_URL: 'https://feeds.example.test',
    BLUESKY_PLC_URL: net.info.plcUrl,
    FEED_PLACEHOLDER_POST: PLACEHOLDER,
  });
  prisma = instance.running.apps[0]!.get(PrismaService, { strict: false }).client;
  gql = graphqlClient(instance.apiUrl);
  aliceToken = await signUp('alice');
  const bobToken = await signUp('bob');
  aliceAccount = await linkBluesky(gql, aliceToken, alice, net.info.pdsUrl);
  await linkBluesky(gql, bobToken, bob, net.info.pdsUrl);
  aliceUser = (await prisma.user.findUniqueOrThrow({ where: { username: 'alice' } })).id;
  pipelineId = (await prisma.pipeline.findFirstOrThrow({ where: { userId: aliceUser, isDefault: true } })).id;

  // Alice's timeline: Bluesky posts (one reposted, one labelled porn, which her pipeline hides), a
  // Mastodon post with a Bridgy Fed copy and one without.
  const now = Date.now() - 3600_000;
  await ingest(
    Array.from({ length: 9 }, (_, n) =>
      testPost(
        n,
        n === 4 ? { labels: [{ value: 'porn', source: 'did:plc:labeler', action: null }] } : {},
        now,
      ),
    ),
    'BLUESKY',
  );
  await ingest([testPost(20, {}, now)], 'BLUESKY', {
    by: testPost(21).author,
    at: new Date(now).toISOString(),
    uri: 'at://did:plc:author0/app.bsky.feed.repost/r20',
  });
  await ingest([masto(30, now), masto(31, now)], 'MASTODON');
  await ingest(
    [
      testPost(
        32,
        {
          uri: 'at://did:plc:bridgy/app.bsky.feed.post/copy30',
          raw: { bridgyOriginalUrl: 'https://example.social/@carol/30' },
        },
        now,
      ),
    ],
    'BLUESKY',
  );

  const published = await gql<{ publishFeed: { uri: string } }>(
    'mutation($p: ID!, $a: ID!) { publishFeed(pipeline: $p, account: $a, displayName: "My Tributary", description: "mine") { uri } }',
    { p: pipelineId, a: aliceAccount },
    aliceToken,
  );
  expect(published.errors).toBeUndefined();
  feedUri = published.data!.publishFeed.uri;
});

afterAll(async () => {
  await instance?.stop();
});

describe('feed generator identity', () => {
  it('serves did:web of PUBLIC_URL with the #bsky_fg service, and describes its feeds', async () => {
    const doc = (await (await fetch(`${instance.apiUrl}/.well-known/did.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(doc).toMatchObject({
      id: SERVICE_DID,
      service: [{ id: '#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: 'https://feeds.example.test' }],
    });
    const described = await (
      await fetch(`${instance.apiUrl}/xrpc/app.bsky.feed.describeFeedGenerator`)
    ).json();
    expect(described).toEqual({ did: SERVICE_DID, feeds: [{ uri: feedUri }] });
  });
});

describe('publishFeed', () => {
  it('writes the app.bsky.feed.generator record through the linked account', async () => {
    const rkey = feedUri.split('/').pop()!;
    const { data } = await alice.agent.com.atproto.repo.getRecord({
      repo: alice.did,
      collection: 'app.bsky.feed.generator',
      rkey,
    });
    expect(feedUri).toBe(`at://${alice.did}/app.bsky.feed.generator/${rkey}`);
    expect(data.value).toMatchObject({
      did: SERVICE_DID,
      displayName: 'My Tributary',
      description: 'mine',
      acceptsInteractions: true,
    });
  });
});

describe('getFeedSkeleton', () => {
  it("gives alice her pipeline's visible Bluesky items in order, page after page", async () => {
    const timeline = await gql<{
      timeline: { edges: { node: { post: { uri: string; network: string } } }[] };
    }>(
      'query($p: ID) { timeline(pipeline: $p, first: 100) { edges { node { post { uri network } } } } }',
      { p: pipelineId },
      aliceToken,
    );
    const expected = timeline
      .data!.timeline.edges.map((e) => e.node.post)
      .map((p) => (p.uri.endsWith('/statuses/30') ? 'at://did:plc:bridgy/app.bsky.feed.post/copy30' : p.uri))
      .filter((uri) => uri.startsWith('at://'));
    const items = await allPages(await serviceJwt(alice), 3);
    expect(items.map((i) => i.post)).toEqual(expected);
    expect(new Set(items.map((i) => i.post)).size).toBe(items.length);
    expect(items.map((i) => i.post)).toContain('at://did:plc:bridgy/app.bsky.feed.post/copy30'); // Mastodon, via its copy
    expect(items.map((i) => i.post)).not.toContain(testPost(4).uri); // hidden by her pipeline
    expect(items.some((i) => i.post.includes('example.social'))).toBe(false);
    expect(items.find((i) => i.post === testPost(20).uri)?.reason).toEqual({
      $type: 'app.bsky.feed.defs#skeletonReasonRepost',
      repost: 'at://did:plc:author0/app.bsky.feed.repost/r20',
    });
    expect(items.length).toBeGreaterThanOrEqual(9);
  });

  it("gives bob (another member) and an anonymous viewer the placeholder, never alice's items", async () => {
    for (const jwt of [await serviceJwt(bob), undefined]) {
      const { status, body } = await skeleton({ feed: feedUri }, jwt);
      expect(status).toBe(200);
      expect(body).toEqual({ feed: [{ post: PLACEHOLDER, feedContext: 'placeholder' }] });
    }
  });

  it('refuses a JWT for another audience or method, an expired one and one signed by another key', async () => {
    const bobJwt = await serviceJwt(bob);
    // Bob's PDS signed it; the claims say alice.
    const forged = (() => {
      const [header, body, sig] = bobJwt.split('.');
      const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
      return `${header}.${Buffer.from(JSON.stringify({ ...payload, iss: alice.did })).toString('base64url')}.${sig}`;
    })();
    const soon = Math.floor(Date.now() / 1000) + 2;
    const expiring = await serviceJwt(alice, SERVICE_DID, SKELETON, soon);
    const refused = [
      await serviceJwt(alice, 'did:web:elsewhere.example'),
      await serviceJwt(alice, SERVICE_DID, 'app.bsky.feed.getFeed'),
      forged,
    ];
    await new Promise((r) => setTimeout(r, 3_000)); // past `soon`: the token has expired
    refused.push(expiring);
    for (const jwt of refused) {
      const { status, body } = await skeleton({ feed: feedUri }, jwt);
      expect({ status, error: body.error }).toEqual({ status: 401, error: 'AuthenticationRequired' });
    }
  });

  it('accepts the audience with #bsky_fg, and answers UnknownFeed for a feed it does not serve', async () => {
    const jwt = await serviceJwt(alice, `${SERVICE_DID}#bsky_fg`);
    expect((await skeleton({ feed: feedUri, limit: '1' }, jwt)).body.feed).toHaveLength(1);
    const unknown = await skeleton({ feed: `at://${alice.did}/app.bsky.feed.generator/nope` }, jwt);
    expect({ status: unknown.status, error: unknown.body.error }).toEqual({
      status: 400,
      error: 'UnknownFeed',
    });
  });
});

describe('getFeedSkeleton past items the app cannot show', () => {
  it('never answers an empty page with a cursor, however many such items come in a row', async () => {
    // Twelve Mastodon posts without Bridgy Fed copies, newest of alice's timeline.
    const base = Date.now() - 600_000;
    await ingest(
      Array.from({ length: 12 }, (_, i) => masto(100 + i, base)),
      'MASTODON',
    );
    const jwt = await serviceJwt(alice);
    const whole = await allPages(jwt, 100);
    expect((await allPages(jwt, 1)).map((i) => i.post)).toEqual(whole.map((i) => i.post));
    expect((await allPages(jwt, 2)).map((i) => i.post)).toEqual(whole.map((i) => i.post));
  });
});

describe('sendInteractions', () => {
  const SEND = 'app.bsky.feed.sendInteractions';

  async function send(jwt: string, interactions: unknown[]) {
    const res = await fetch(`${instance.apiUrl}/xrpc/${SEND}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ interactions }),
    });
    return res.status;
  }

  /** Polls (the worker re-runs the pipeline) until `done` holds for the feed; its last answer else. */
  async function feedUntil(done: (posts: string[]) => boolean): Promise<Skeleton['feed']> {
    let items: Skeleton['feed'] = [];
    for (let i = 0; i < 120; i++) {
      items = (await skeleton({ feed: feedUri, limit: '100' }, await serviceJwt(alice))).body.feed;
      if (done(items.map((item) => item.post))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    return items;
  }

  it('hides an item alice saw and sinks an author she asked less of, and says why', async () => {
    // Alice's pipeline gets the feedback stage: seen items hidden, "less" worth 10 half-lives.
    const { data } = await gql<{ pipeline: { spec: { stages: unknown[] } } }>(
      'query($p: ID!) { pipeline(id: $p) { spec } }',
      { p: pipelineId },
      aliceToken,
    );
    const spec = { ...data!.pipeline.spec };
    spec.stages = [...spec.stages, { use: 'feedback', with: { seen: 'hide', less: 10 } }];
    const updated = await gql<{ updatePipeline: { version: number } }>(
      'mutation($p: ID!, $s: JSON!) { updatePipeline(id: $p, spec: $s) { version } }',
      { p: pipelineId, s: spec },
      aliceToken,
    );
    expect(updated.errors).toBeUndefined();
    for (let i = 0; i < 240; i++) {
      const p = await gql<{ pipeline: { rebuild: { state: string } } }>(
        'query($p: ID!) { pipeline(id: $p) { rebuild { state } } }',
        { p: pipelineId },
        aliceToken,
      );
      if (p.data!.pipeline.rebuild.state === 'DONE') break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const before = await feedUntil(() => true);
    const author = (uri: string) => uri.split('/')[2]!;
    const [first, second] = before.filter((i) => i.post.startsWith('at://did:plc:author'));
    const sunk = author(first!.post);
    expect(before.at(-1)!.post).not.toBe(first!.post);
    expect(author(second!.post)).not.toBe(sunk);
    const jwt = await serviceJwt(alice, SERVICE_DID, SEND);
    expect(
      await send(jwt, [
        { item: first!.post, event: 'app.bsky.feed.defs#requestLess', feedContext: first!.feedContext },
        { item: second!.post, event: 'app.bsky.feed.defs#interactionSeen', feedContext: second!.feedContext },
      ]),
    ).toBe(200);

    // The author's posts all come after everyone else's; the seen item is gone.
    const isSunk = (posts: string[]) => {
      const firstOfAuthor = posts.findIndex((p) => author(p) === sunk);
      return (
        !posts.includes(second!.post) &&
        firstOfAuthor >= 0 &&
        posts.slice(firstOfAuthor).every((p) => author(p) === sunk)
      );
    };
    const after = await feedUntil(isSunk);
    expect(isSunk(after.map((i) => i.post))).toBe(true);
    expect(after).toHaveLength(before.length - 1);

    // The "why" of the sunk post and of the hidden one.
    const timeline = await gql<{
      timeline: {
        edges: {
          node: {
            post: { uri: string };
            hiddenReason: string | null;
            decisions: { stage: string; reason: string; score: number }[];
          };
        }[];
      };
    }>(
      'query($p: ID) { timeline(pipeline: $p, first: 100, includeHidden: true) { edges { node { post { uri } hiddenReason decisions { stage reason score } } } } }',
      { p: pipelineId },
      aliceToken,
    );
    const nodes = timeline.data!.timeline.edges.map((e) => e.node);
    expect(nodes.find((n) => n.post.uri === first!.post)!.decisions).toContainEqual({
      stage: 'feedback',
      reason: 'you asked for less from this author',
      score: -10,
    });
    expect(nodes.find((n) => n.post.uri === second!.post)!.hiddenReason).toBe('already seen');
  });
});
