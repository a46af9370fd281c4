// Bluesky through one event stream with fan-out on write, end to end: a real Tributary (API +
// worker) reading a Jetstream with per-source polling an hour away. No Jetstream runs here, so
// libs/testing's JetstreamServer reads the reference network's real PDS firehose and speaks
// Jetstream's wire format (filters, options_update, time_us cursor). Counting proxies stand in
// front of the PDS (every member's session) and the AppView (BLUESKY_APPVIEW_URL), so the tests see
// every request Tributary sends upstream.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppBskyFeedDefs } from '@atproto/api';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, JetstreamServer, startCountingProxy } from '@tributary/testing';
import type { BlueskyNetworkClient, CountingProxy, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFanoutService } from '../../worker/src/streams/bluesky-fanout.service.js';
import { start } from '../src/start.js';
import { linkBluesky } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface Member {
  account: TestBlueskyAccount;
  token: string;
  homeId: string;
}

let net: BlueskyNetworkClient;
let jetstream: JetstreamServer;
let pds: CountingProxy;
let appview: CountingProxy;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;

const fanout = () => instance.running.apps[0]!.get(BlueskyFanoutService);

async function addMember(name: string, follows: string[] = []): Promise<Member> {
  const account = await net.createAccount(name);
  for (const did of follows) await account.agent.follow(did);
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: account.handle.split('.')[0]!.replace(/-/g, '_') },
  );
  const token = res.data!.signUp.token;
  const accountId = await linkBluesky(gql, token, account, pds.url);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
    [accountId],
  );
  // The first sync at linking is done, so it is not counted with what a post costs.
  await waitFor('the first sync', async () => {
    const synced = await db.query(`SELECT 1 FROM "Source" WHERE id = $1 AND "lastSyncedAt" IS NOT NULL`, [
      rows[0]!.id,
    ]);
    return synced.rows.length === 1;
  });
  // Its follows are read, and the sync that covers the time before is done.
  await waitFor('the member’s follows', async () => fanout().isReady(account.did));
  await settled();
  return { account, token, homeId: rows[0]!.id };
}

/** The stream leader has the member's follows and its filter lets these repos through. */
async function watching(member: TestBlueskyAccount, dids: string[]): Promise<void> {
  await waitFor(`${member.handle}'s follows on the stream`, async () => {
    const service = fanout();
    return (
      service.follows(member.did).length >= dids.length &&
      dids.every((d) => service.isWatching(d) && jetstream.isWatching(d))
    );
  });
}

/**
 * URIs in a HOME source, with the DID of the reposter that brought each (null: its author);
 * `live`: without posts deleted at origin (kept in the source for the audit).
 */
async function home(member: Member, live = false): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ uri: string; by: string | null }>(
    `SELECT p.uri, sp.reason->'by'->>'networkId' AS by
     FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
     WHERE sp."sourceId" = $1 AND ($2::boolean IS FALSE OR p."deletedAt" IS NULL)`,
    [member.homeId, live],
  );
  return new Map(rows.map((r) => [r.uri, r.by]));
}

async function hasPost(member: Member, uri: string): Promise<boolean> {
  return (await home(member)).has(uri);
}

/** Every announced event handled, every job done: what the stream brought is all in. */
async function settled(): Promise<void> {
  const jobs = instance.running.apps[0]!.get(JobQueue);
  await waitFor('the stream and the queues to settle', async () => {
    if ((fanout().status.cursor ?? 0) < jetstream.newestSentTimeUs) return false;
    for (const name of ['fanout-posts', 'run-pipelines'] as const) {
      const counts = await jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  });
}

const upstream = () => ({ pds: pds.counts(), appview: appview.counts() });
const resetCounts = () => {
  pds.reset();
  appview.reset();
};

beforeAll(async () => {
  net = await blueskyNetwork();
  [jetstream, pds, appview] = await Promise.all([
    JetstreamServer.start({ pdsUrls: [net.info.pdsUrl], plcUrl: net.info.plcUrl }),
    startCountingProxy(net.info.pdsUrl),
    startCountingProxy(net.info.appviewUrl),
  ]);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    BLUESKY_JETSTREAM_URL: jetstream.url,
    BLUESKY_APPVIEW_URL: appview.url,
    // Members link through the counting proxy, the operator's (trusted) service.
    BLUESKY_DEFAULT_SERVICE: pds.url,
    BLUESKY_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await jetstream?.close();
  await pds?.close();
  await appview?.close();
});

describe('Bluesky fan-out from one stream', () => {
  let author: TestBlueskyAccount;
  let members: Member[];
  let earlier: string;

  it('brings a followed account’s post to the HOME source through the stream alone: no session call, the AppView asked once for the post and once for its new author', async () => {
    author = await net.createAccount('famous');
    members = [await addMember('fan-one', [author.did])];
    members.push(...(await Promise.all([2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => addMember(`fan-${i}`)))));
    await watching(members[0]!.account, [author.did]);
    await waitFor('every member’s follows loaded', async () => fanout().status.ready === members.length);
    // The AppView has indexed what the stream announces: one hydration per post, deterministically.
    jetstream.beforeServe = () => net.processAll();
    resetCounts();

    const post = await author.agent.post({ text: 'for my one follower' });
    earlier = post.uri;
    await waitFor('the post in the HOME source', () => hasPost(members[0]!, post.uri));
    await settled();
    // Stored from the event's record (the author's profile asked for once), then its view (enrich-posts).
    expect(upstream()).toEqual({
      pds: {},
      appview: { 'app.bsky.actor.getProfiles': 1, 'app.bsky.feed.getPosts': 1 },
    });
    for (const other of members.slice(1)) expect(await hasPost(other, post.uri)).toBe(false);
    // The member's pipelines ran over it.
    const res = await gql<{ timeline: { edges: { node: { post: { uri: string } } }[] } }>(
      '{ timeline(first: 20) { edges { node { post { uri } } } } }',
      {},
      members[0]!.token,
    );
    expect(res.data?.timeline.edges.map((e) => e.node.post.uri)).toContain(post.uri);
  });

  it('picks up follows made after linking from the stream, and a post for ten followers costs what one did', async () => {
    resetCounts();
    for (const member of members.slice(1)) await member.account.agent.follow(author.did);
    await waitFor('the new follows on the stream', async () =>
      members.every((m) => fanout().follows(m.account.did).includes(author.did)),
    );
    await settled();
    // From the stream alone: nobody's follows were read again. Each new follow brought what the
    // author posted before (one getAuthorFeed), as getTimeline shows it after a follow.
    expect(upstream()).toEqual({ pds: {}, appview: { 'app.bsky.feed.getAuthorFeed': 9 } });
    for (const member of members) expect(await hasPost(member, earlier)).toBe(true);
    resetCounts();

    const post = await author.agent.post({ text: 'for my ten followers' });
    for (const member of members) await waitFor('the post in every HOME', () => hasPost(member, post.uri));
    await settled();
    expect(upstream()).toEqual({ pds: {}, appview: { 'app.bsky.feed.getPosts': 1 } });
  });

  it('stores a post from the event’s record before the AppView has it, and takes the AppView’s view after', async () => {
    const member = members[0]!;
    const release = appview.hold('app.bsky.feed.getPosts'); // an AppView that has not indexed it yet
    try {
      const post = await author.agent.post({ text: 'fresh from the record', langs: ['en'] });
      await waitFor('the post in the timeline, the AppView not answering', async () => {
        const res = await gql<{ timeline: { edges: { node: { post: { uri: string } } }[] } }>(
          '{ timeline(first: 5) { edges { node { post { uri } } } } }',
          {},
          member.token,
        );
        return res.data?.timeline.edges.some((e) => e.node.post.uri === post.uri) ?? false;
      });
      const stored = async () =>
        (
          await db.query<{ data: { text: string; languages: string[]; counts: { likes: number } } }>(
            `SELECT data FROM "Post" WHERE uri = $1`,
            [post.uri],
          )
        ).rows[0]!.data;
      expect(await stored()).toMatchObject({ text: 'fresh from the record', languages: ['en'] });
      expect((await stored()).counts.likes).toBe(0);
      // Liked meanwhile: the AppView's view, once it answers, brings the count.
      await members[1]!.account.agent.like(post.uri, post.cid);
      await net.processAll();
      release();
      await waitFor('the AppView’s view stored', async () => (await stored()).counts.likes === 1);
    } finally {
      release();
    }
    await settled();
  });

  it('starts watching an account a member follows after linking, through options_update', async () => {
    const newcomer = await net.createAccount('newcomer');
    const updates = jetstream.optionsUpdates;
    await members[0]!.account.agent.follow(newcomer.did);
    await watching(members[0]!.account, [author.did, newcomer.did]);
    await waitFor('the new filter at the stream', async () => jetstream.optionsUpdates > updates);
    expect(jetstream.connections).toHaveLength(1); // changed live, no reconnect
    const post = await newcomer.agent.post({ text: 'hello, first follower' });
    await waitFor('the newcomer’s post', () => hasPost(members[0]!, post.uri));
    await settled();
    for (const other of members.slice(1)) expect(await hasPost(other, post.uri)).toBe(false);
  });

  it('loses nothing and doubles nothing when the stream is cut mid-burst, or the worker restarts', async () => {
    jetstream.beforeServe = null; // the AppView's own pace: hydration waits for it
    const [one, two] = members as [Member, Member];
    resetCounts();
    const burst: string[] = [];
    for (let i = 0; i < 12; i++) {
      if (i === 4) jetstream.dropConnections();
      burst.push((await author.agent.post({ text: `burst ${i}` })).uri);
    }
    await waitFor('the whole burst', async () => {
      const [a, b] = [await home(one), await home(two)];
      return burst.every((uri) => a.has(uri) && b.has(uri));
    });
    // Reconnected with the cursor of the last event handled (rewound a little: replays are idempotent).
    const resumed = jetstream.connections.at(-1)!;
    expect(jetstream.connections.length).toBeGreaterThan(1);
    expect(Number(resumed.searchParams.get('cursor'))).toBeGreaterThan(0);

    // The worker stops; posts made meanwhile arrive after the restart, from the stored cursor.
    await settled();
    const connections = jetstream.connections.length;
    resetCounts();
    await instance.running.stop();
    const whileDown = (await author.agent.post({ text: 'posted while Tributary was down' })).uri;
    instance.running = await start(instance.config);
    gql = graphqlClient(instance.running.apiUrl ?? '');
    await waitFor('the post made while down', () => hasPost(one, whileDown), 60_000);
    await settled();
    expect(jetstream.connections.slice(connections).map((c) => c.searchParams.has('cursor'))).toEqual([true]);
    // The new leader took the follow graph from the database: no member's repo was read again.
    expect(pds.counts()['com.atproto.repo.listRecords']).toBeUndefined();
    // All of it came through the stream: no HOME was synced.
    expect(pds.counts()['app.bsky.feed.getTimeline']).toBeUndefined();

    for (const member of [one, two]) {
      const { rows } = await db.query<{ uri: string; n: string }>(
        `SELECT p.uri, count(*)::text AS n FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
         WHERE sp."sourceId" = $1 AND p.uri = ANY($2) GROUP BY p.uri`,
        [member.homeId, [...burst, whileDown]],
      );
      expect(rows.map((r) => r.n)).toEqual(Array(13).fill('1'));
      const entries = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "TimelineEntry" t JOIN "Post" p ON p.id = t."postId"
         WHERE t."userId" = (SELECT la."userId" FROM "Source" s JOIN "LinkedAccount" la ON la.id = s."linkedAccountId" WHERE s.id = $1)
           AND p.uri = ANY($2)`,
        [member.homeId, [...burst, whileDown]],
      );
      expect(entries.rows[0]!.n).toBe('13'); // one pipeline, one entry per post
    }
  });
});

interface Entry {
  hidden: boolean;
  hiddenReason: string | null;
  reason: { by: { networkId: string } } | null;
  decisions: { stage: string; verdict: string; reason: string | null }[];
  post: { uri: string; deletedAt: string | null };
}

async function timeline(member: Member, includeHidden = false): Promise<Map<string, Entry>> {
  const res = await gql<{ timeline: { edges: { node: Entry }[] } }>(
    `query($h: Boolean!) { timeline(first: 100, includeHidden: $h) {
       edges { node { hidden hiddenReason reason { by { networkId } } decisions { stage verdict reason }
         post { uri deletedAt } } } } }`,
    { h: includeHidden },
    member.token,
  );
  expect(res.errors).toBeUndefined();
  return new Map(res.data!.timeline.edges.map((e) => [e.node.post.uri, e.node]));
}

describe('deletes at origin', () => {
  let reader: Member;
  let friend: TestBlueskyAccount;
  let stranger: TestBlueskyAccount;

  beforeAll(async () => {
    [friend, stranger] = await Promise.all([net.createAccount('del-friend'), net.createAccount('del-other')]);
    reader = await addMember('del-reader', [friend.did]);
    await watching(reader.account, [friend.did]);
  });

  it('takes a deleted post out of the timeline, kept in the audit as "deleted at origin"', async () => {
    const post = await friend.agent.post({ text: 'I will regret this' });
    await waitFor('the post in the timeline', async () => (await timeline(reader)).has(post.uri));
    await friend.agent.deletePost(post.uri);
    await waitFor('the post gone from the timeline', async () => !(await timeline(reader)).has(post.uri));
    // The engine's rule and decision, as for a Mastodon status: one record (Post.deletedAt), one reason.
    const entry = (await timeline(reader, true)).get(post.uri);
    expect(entry).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
      decisions: [{ stage: 'input', verdict: 'HIDE', reason: 'deleted at origin' }],
      post: { deletedAt: expect.any(String) },
    });
    const { rows } = await db.query<{ id: string; deletedAt: Date | null; data: object }>(
      `SELECT id::text, "deletedAt" AT TIME ZONE 'UTC' AS "deletedAt", data FROM "Post" WHERE uri = $1`,
      [post.uri],
    );
    expect(rows.map((r) => r.deletedAt)).toEqual([new Date(entry!.post.deletedAt!)]);
    expect(rows[0]!.data).not.toHaveProperty('deletedAt');
    // The source still records where it came from; a later run of the pipelines keeps it hidden alike.
    expect(await hasPost(reader, post.uri)).toBe(true);
    const { rows: users } = await db.query<{ userId: string }>(
      `SELECT la."userId"::text AS "userId" FROM "Source" s JOIN "LinkedAccount" la ON la.id = s."linkedAccountId" WHERE s.id = $1`,
      [reader.homeId],
    );
    await instance.running.apps[0]!.get(JobQueue).enqueue('run-pipelines', {
      userId: users[0]!.userId,
      postIds: [rows[0]!.id],
    });
    await settled();
    expect((await timeline(reader, true)).get(post.uri)).toEqual(entry);
  });

  it('takes out a post a deleted repost brought, unless the reader gets it from its author', async () => {
    const strangers = await stranger.agent.post({ text: 'worth a repost' });
    const repost = await friend.agent.repost(strangers.uri, strangers.cid);
    await waitFor('the reposted post', async () => (await timeline(reader)).has(strangers.uri));
    expect((await timeline(reader)).get(strangers.uri)?.reason?.by.networkId).toBe(friend.did);
    await friend.agent.deleteRepost(repost.uri);
    await waitFor('the repost gone', async () => !(await timeline(reader)).has(strangers.uri));
    expect((await timeline(reader, true)).get(strangers.uri)).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
    });
    expect(await hasPost(reader, strangers.uri)).toBe(false);

    // The reader comes to follow the author of a post they have through a repost: when that repost
    // is deleted the post stays, as getTimeline would show it, without the reason.
    const again = await stranger.agent.post({ text: 'reposted again' });
    const second = await friend.agent.repost(again.uri, again.cid);
    await waitFor('the second repost', async () => (await timeline(reader)).has(again.uri));
    await reader.account.agent.follow(stranger.did);
    await watching(reader.account, [friend.did, stranger.did]);
    // A Mastodon app of the reader's, live, has the post as friend's boost.
    const apiUrl = instance.running.apiUrl!;
    type Shown = { id: string; uri: string; reblog: { id: string; uri: string } | null };
    const boost = await waitFor('the boost on the Mastodon home page', async () =>
      (
        (await (
          await fetch(`${apiUrl}/api/v1/timelines/home?limit=40`, {
            headers: { authorization: `Bearer ${reader.token}` },
          })
        ).json()) as Shown[]
      ).find((s) => s.reblog?.uri === again.uri),
    );
    const events: { event: string; payload: string }[] = [];
    const socket = new WebSocket(
      `${apiUrl.replace(/^http/, 'ws')}/api/v1/streaming?stream=user&access_token=${reader.token}`,
    );
    socket.addEventListener('message', (message) => {
      events.push(JSON.parse(String(message.data)) as { event: string; payload: string });
    });
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await friend.agent.deleteRepost(second.uri);
    await waitFor('the reason gone', async () => (await timeline(reader)).get(again.uri)?.reason === null);
    expect((await timeline(reader)).get(again.uri)?.hidden).toBe(false);
    expect((await home(reader)).get(again.uri)).toBeNull();
    // As Mastodon when a boost is undone, the app drops the boost; it gets the post, which stays.
    const idOf = (e: { event: string; payload: string }) =>
      e.event === 'delete' ? e.payload : (JSON.parse(e.payload) as Shown).id;
    await waitFor('the post as an update', async () =>
      events.some((e) => e.event === 'update' && idOf(e) === boost.reblog!.id),
    );
    expect(
      events.filter((e) => e.event === 'delete' || e.event === 'update').map((e) => [e.event, idOf(e)]),
    ).toEqual([
      ['delete', boost.id],
      ['update', boost.reblog!.id],
    ]);
    socket.close();
  });
});

describe('a HOME source built by fan-out', () => {
  it('equals getTimeline for that account after a day of posts, replies, reposts, quotes, a follow, an unfollow and deletes', async () => {
    const [x, y, z, w] = await Promise.all([
      net.createAccount('eq-x'),
      net.createAccount('eq-y'),
      net.createAccount('eq-z'),
      net.createAccount('eq-w'),
    ]);
    const viewer = await addMember('eq-viewer', [x.did, y.did]);
    await watching(viewer.account, [x.did, y.did]);

    resetCounts();
    const x1 = await x.agent.post({ text: 'x1' });
    const y1 = await y.agent.post({ text: 'y1' });
    const z1 = await z.agent.post({ text: 'z1: nobody follows me' });
    const yReply = await y.agent.post({ text: 'y replies to x (followed)', reply: { root: x1, parent: x1 } });
    await x.agent.post({ text: 'x replies to z (not followed)', reply: { root: z1, parent: z1 } });
    await z.agent.post({ text: 'z replies to x: not followed, absent', reply: { root: x1, parent: x1 } });
    await y.agent.repost(z1.uri, z1.cid); // z1 arrives as y's repost
    await x.agent.repost(y1.uri, y1.cid); // y1 is there by itself, and reposted by x
    await viewer.account.agent.post({ text: 'my own post' });
    await viewer.account.agent.repost(z1.uri, z1.cid); // z1 reposted by the viewer too
    const z2 = await z.agent.post({ text: 'z2: absent until w reposts it' });
    // Quotes: of a followed account's post, of a stranger's; a stranger quoting a followed post.
    const embed = (p: { uri: string; cid: string }) => ({
      $type: 'app.bsky.embed.record',
      record: { uri: p.uri, cid: p.cid },
    });
    const yQuote = await y.agent.post({ text: 'y quotes x1', embed: embed(x1) });
    await x.agent.post({ text: 'x quotes z1', embed: embed(z1) });
    await z.agent.post({ text: 'z quotes y1: absent', embed: embed(y1) });
    // Before the viewer follows w, w posts and reposts: the follow brings both, as getTimeline shows.
    const w0 = await w.agent.post({ text: 'w0: before the follow' });
    await w.agent.repost(z2.uri, z2.cid);
    await net.processAll();
    await viewer.account.agent.follow(w.did);
    await watching(viewer.account, [x.did, y.did, w.did]);
    const w1 = await w.agent.post({ text: 'w1: new to the viewer' });
    await w.agent.post({ text: 'w replies to z', reply: { root: z1, parent: z1 } });
    await w.agent.repost(x1.uri, x1.cid);
    // y posts, and reposts a post nobody else brings, before the viewer unfollows y.
    const y2 = await y.agent.post({ text: 'y2: unfollowed soon' });
    const z4 = await z.agent.post({ text: 'z4: reposted by y alone' });
    await y.agent.repost(z4.uri, z4.cid);
    // Deletes: a followed account's post, and a repost (its post is not otherwise in the timeline).
    const x2 = await x.agent.post({ text: 'x2: deleted soon' });
    const z3 = await z.agent.post({ text: 'z3: reposted, then not' });
    const xRepost = await x.agent.repost(z3.uri, z3.cid);
    await waitFor('the day so far in the HOME source', async () => {
      const built = await home(viewer);
      return [x2, z3, w0, z2, w1, y2, z4, yReply].every((p) => built.has(p.uri));
    });
    await waitFor('y2 in the timeline', async () => (await timeline(viewer)).has(y2.uri));
    // A Mastodon app of the viewer's, live: the statuses that leave the timeline are deleted there.
    const apiUrl = instance.running.apiUrl!; // a restart above moved it
    let shown: { id: string; uri: string; reblog: { uri: string } | null }[] = [];
    const statusOf = (post: { uri: string }, boosted = false) =>
      shown.find((s) => (boosted ? s.reblog?.uri === post.uri : s.uri === post.uri && !s.reblog))?.id;
    // The page once every status the test follows is on it (each reaches the timeline through its
    // own pipeline run, after the HOME source has it).
    await waitFor('the statuses on the Mastodon home page', async () => {
      shown = (await (
        await fetch(`${apiUrl}/api/v1/timelines/home?limit=40`, {
          headers: { authorization: `Bearer ${viewer.token}` },
        })
      ).json()) as typeof shown;
      return [y2, yReply, yQuote, x2].every((p) => statusOf(p)) && statusOf(z4, true) && statusOf(z3, true);
    });
    const deletes: string[] = [];
    const socket = new WebSocket(
      `${apiUrl.replace(/^http/, 'ws')}/api/v1/streaming?stream=user&access_token=${viewer.token}`,
    );
    socket.addEventListener('message', (message) => {
      const event = JSON.parse(String(message.data)) as { event: string; payload: string };
      if (event.event === 'delete') deletes.push(event.payload);
    });
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Mid-way the viewer unfollows y: y's posts and reposts leave the timeline, but y1, which x
    // reposted, and z1, which the viewer reposted, stay.
    await net.processAll();
    const following = (await viewer.account.agent.getProfile({ actor: y.did })).data.viewer?.following;
    await viewer.account.agent.deleteFollow(following!);
    await waitFor(
      'the unfollow on the stream',
      async () => !fanout().follows(viewer.account.did).includes(y.did),
    );
    await x.agent.deletePost(x2.uri);
    await x.agent.deleteRepost(xRepost.uri);
    await net.processAll();
    // getTimeline is the reference: asked directly, not through Tributary.
    const { feed } = (await viewer.account.agent.getTimeline({ limit: 100 })).data;
    const expected = new Map<string, Set<string | null>>();
    for (const item of feed) {
      const reason = item.reason as AppBskyFeedDefs.ReasonRepost | undefined;
      const by = reason?.$type === 'app.bsky.feed.defs#reasonRepost' ? reason.by.did : null;
      if (!expected.has(item.post.uri)) expected.set(item.post.uri, new Set());
      expected.get(item.post.uri)!.add(by);
    }
    // x1, y1, z1, x's reply, the own post, x's quote, w0, z2 (w's repost), w1 and w's reply
    expect(expected.size).toBe(10);
    for (const gone of [y2, z4, yReply, yQuote, x2, z3]) expect(expected.has(gone.uri)).toBe(false);

    await waitFor('the deletes and the unfollow applied', async () => {
      const built = await home(viewer, true);
      return [x2, z3, y2, z4, yReply, yQuote].every((p) => !built.has(p.uri));
    });
    await waitFor(
      'every timeline post in the HOME source',
      async () => (await home(viewer, true)).size >= expected.size,
    );
    await settled();
    const built = await home(viewer, true);
    expect([...built.keys()].sort()).toEqual([...expected.keys()].sort());
    // One row per post: its reason is one of the items getTimeline shows for it.
    for (const [uri, by] of built) expect([...expected.get(uri)!]).toContain(by);
    // Built from the stream, not copied from getTimeline.
    expect(pds.counts()['app.bsky.feed.getTimeline']).toBeUndefined();

    // The timeline's audit says why y's posts left it.
    const visible = await timeline(viewer);
    const audit = await timeline(viewer, true);
    for (const gone of [y2, z4, yReply, yQuote]) {
      expect(visible.has(gone.uri)).toBe(false);
      expect(audit.get(gone.uri)).toMatchObject({ hidden: true, hiddenReason: 'no longer followed' });
    }
    // Each as the app had it: y's own posts, y's boost of z4; x2 deleted, x's boost of z3 withdrawn.
    const left = [statusOf(y2)!, statusOf(yReply)!, statusOf(yQuote)!, statusOf(z4, true)!];
    const deleted = [statusOf(x2)!, statusOf(z3, true)!];
    await waitFor('the deletes on the stream', async () =>
      [...left, ...deleted].every((id) => deletes.includes(id)),
    );
    expect([...new Set(deletes)].sort()).toEqual([...left, ...deleted].sort());
    socket.close();
  });
});

describe('the stream’s status', () => {
  interface StreamView {
    kind: string;
    live: boolean;
    lagSeconds: number | null;
    lastEventAt: string | null;
    lastError: string | null;
    lastErrorAt: string | null;
  }
  const STATUS = `{ linkedAccounts { stream { kind live lagSeconds lastEventAt lastError lastErrorAt } } }`;

  async function stream(member: Member): Promise<StreamView | null> {
    const res = await gql<{ linkedAccounts: { stream: StreamView | null }[] }>(STATUS, {}, member.token);
    expect(res.errors).toBeUndefined();
    return res.data!.linkedAccounts[0]!.stream;
  }

  it('shows on the linked account: live with its lag, then down with the last error when the Jetstream goes away', async () => {
    const member = await addMember('st-reader');
    await watching(member.account, []);
    await member.account.agent.post({ text: 'an event to measure the lag by' });
    const live = await waitFor('the stream live, with a lag', async () => {
      const s = await stream(member);
      return s?.live && s.lagSeconds !== null && s.lastEventAt !== null ? s : null;
    });
    expect(live.kind).toBe('jetstream');
    expect(live.lagSeconds).toBeGreaterThanOrEqual(0);

    await jetstream.close(); // the operator's Jetstream goes away
    const down = await waitFor('the stream down, with the error', async () => {
      const s = await stream(member);
      return s && !s.live && s.lastError !== null ? s : null;
    });
    expect(down.lastError).toMatch(/Jetstream/);
    expect(down.lastErrorAt).not.toBeNull();
  });
});
