// Bluesky end to end through a real Tributary (API + worker) and the reference network: linking
// through GraphQL, backfill into the store, stream-triggered delivery with polling effectively off,
// idempotent re-sync, and what happens to bad and revoked app passwords.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { withPersonalLabels } from '@tributary/core';
import type { PersonalLabels, Post } from '@tributary/core';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, seedTimeline } from '@tributary/testing';
import type { BlueskyNetworkClient, SeededTimeline } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFirehoseService } from '../../worker/src/streams/bluesky-firehose.service.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { start } from '../src/start.js';

const LINK = `mutation($i: String!, $p: String!, $s: String) {
  linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { id status sources { id kind } }
}`;
const ACCOUNTS = `{ linkedAccounts { id status statusReason sources { id kind backfill { state done target } } } }`;

interface AccountView {
  id: string;
  status: string;
  statusReason: string | null;
  sources: { id: string; kind: string; backfill: { state: string; done: number; target: number } }[];
}

// Deadlines inside the tests (polling the store) are what fail them; these only bound the whole.
jest.setTimeout(150_000);

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let net: BlueskyNetworkClient;
let seeded: SeededTimeline;
let token: string;
let accountId: string;
let homeId: string;

/** The stored post as the home source's member sees it: with the personal labels it delivered. */
async function storedPost(uri: string): Promise<Omit<Post, 'raw'> | null> {
  const { rows } = await db.query<{ data: Omit<Post, 'raw'>; labels: PersonalLabels | null }>(
    `SELECT p.data, sp.labels FROM "Post" p JOIN "SourcePost" sp ON sp."postId" = p.id WHERE p.uri = $1 AND sp."sourceId" = $2`,
    [uri, homeId],
  );
  return rows[0] ? withPersonalLabels(rows[0].data, rows[0].labels) : null;
}

async function counts(): Promise<{ posts: number; sourcePosts: number }> {
  const { rows } = await db.query<{ posts: string; source_posts: string }>(
    `SELECT (SELECT count(*) FROM "Post") AS posts, (SELECT count(*) FROM "SourcePost" WHERE "sourceId" = $1) AS source_posts`,
    [homeId],
  );
  return { posts: Number(rows[0]!.posts), sourcePosts: Number(rows[0]!.source_posts) };
}

async function account(): Promise<AccountView> {
  const res = await gql<{ linkedAccounts: AccountView[] }>(ACCOUNTS, {}, token);
  expect(res.errors).toBeUndefined();
  return res.data!.linkedAccounts.find((a) => a.id === accountId)!;
}

beforeAll(async () => {
  net = await blueskyNetwork();
  [instance, seeded] = await Promise.all([
    startTestInstance({ ROLE: 'all', POLL_INTERVAL_SECONDS: '3600', BACKFILL_DEPTH: '50' }),
    seedTimeline(net),
  ]);
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "reader", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
});

describe('Bluesky ingest end to end', () => {
  it('refuses a wrong app password with a clear input error and links nothing', async () => {
    const res = await gql(
      LINK,
      { i: seeded.viewer.handle, p: 'aaaa-bbbb-cccc-dddd', s: net.info.pdsUrl },
      token,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/app password/i);
    expect(res.errors?.[0]?.message).toContain(seeded.viewer.handle);
    const list = await gql<{ linkedAccounts: unknown[] }>(ACCOUNTS, {}, token);
    expect(list.data?.linkedAccounts).toEqual([]);
  });

  it('links an account through GraphQL and backfills its home timeline, normalized, to DONE', async () => {
    const res = await gql<{
      linkBlueskyAccount: { id: string; status: string; sources: { id: string; kind: string }[] };
    }>(LINK, { i: seeded.viewer.handle, p: seeded.viewer.appPassword, s: net.info.pdsUrl }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.linkBlueskyAccount.status).toBe('ACTIVE');
    accountId = res.data!.linkBlueskyAccount.id;
    homeId = res.data!.linkBlueskyAccount.sources.find((s) => s.kind === 'HOME')!.id;

    const done = await waitFor('backfill DONE', async () => {
      const home = (await account()).sources.find((s) => s.id === homeId)!;
      return home.backfill.state === 'DONE' ? home.backfill : null;
    });
    expect(done.target).toBe(50);
    // Ten seeded posts, the reply counted once; the repost brings richText in again (one row).
    expect(done.done).toBeGreaterThanOrEqual(10);

    const { posts } = seeded;
    for (const ref of Object.values(posts).filter((r) => r !== posts.repost)) {
      expect(await waitFor(`post ${ref.uri}`, () => storedPost(ref.uri))).not.toBeNull();
    }
    const rich = (await storedPost(posts.richText.uri))!;
    expect(rich.text).toBe(seeded.richTextText);
    expect(rich.author.handle).toBe(seeded.alice.handle);
    expect(rich.languages).toEqual(['en', 'de']);
    expect(rich.hashtags.map((h) => h.toLowerCase())).toContain('tributary');
    expect(rich.richText.segments.map((s) => s.type)).toEqual(
      expect.arrayContaining(['mention', 'link', 'hashtag', 'linebreak']),
    );

    const reply = (await storedPost(posts.reply.uri))!;
    expect(reply.replyParent?.uri).toBe(posts.richText.uri);
    expect(reply.replyRoot?.uri).toBe(posts.richText.uri);

    const quote = (await storedPost(posts.quote.uri))!;
    expect(quote.quote?.uri).toBe(posts.richText.uri);
    expect(quote.quote?.text).toBe(seeded.richTextText);

    const image = (await storedPost(posts.image.uri))!;
    expect(image.media).toEqual([
      expect.objectContaining({ type: 'image', altText: 'A red rectangle', width: 4, height: 3 }),
    ]);
    expect(image.media[0]!.url).toMatch(/^https?:\/\//);

    const card = (await storedPost(posts.linkCard.uri))!;
    expect(card.linkCard).toMatchObject({
      url: 'https://example.com/article',
      title: 'An article',
      description: 'What it is about',
    });

    const self = (await storedPost(posts.selfLabelled.uri))!;
    expect(self.labels.map((l) => l.value)).toContain('graphic-media');
    const labelled = (await storedPost(posts.labellerLabelled.uri))!;
    expect(labelled.labels).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 'rude', source: net.info.labelerDid })]),
    );

    // The repost is recorded as the reason the original is in the home source.
    const { rows } = await db.query<{ reason: { by: { handle: string }; uri: string | null } | null }>(
      `SELECT sp.reason FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId" WHERE p.uri = $1 AND sp."sourceId" = $2`,
      [posts.richText.uri, homeId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason?.by.handle).toBe(seeded.bob.handle);
  });

  it('delivers a post created after linking through the firehose, without polling or a manual sync', async () => {
    const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
    // The consumer has picked the account up (follows loaded, stream open) before the post is made.
    await waitFor(
      'firehose consumer ready',
      async () =>
        firehose.status.ready >= 1 && firehose.status.streams.includes(`firehose:${net.info.pdsUrl}`),
    );
    const before = await db.query<{ last: Date | null }>(
      `SELECT "lastSyncedAt" AT TIME ZONE 'UTC' AS last FROM "Source" WHERE id = $1`,
      [homeId],
    );
    const fresh = await seeded.alice.agent.post({ text: `Fresh after linking ${Date.now()}` });
    const stored = await waitFor('the fresh post in the store', () => storedPost(fresh.uri), 45_000);
    expect(stored.author.networkId).toBe(seeded.alice.did);
    // It was a sync the stream asked for (polling is an hour away). The sync stores the posts first
    // and then moves the source's markers, so those are waited for, not read at once.
    const synced = await waitFor('the source marked synced', async () => {
      const { rows } = await db.query<{ next: Date; last: Date }>(
        // The columns hold UTC without a zone, which node-postgres would read in the process's zone.
        `SELECT "nextPollAt" AT TIME ZONE 'UTC' AS next, "lastSyncedAt" AT TIME ZONE 'UTC' AS last FROM "Source" WHERE id = $1`,
        [homeId],
      );
      return rows[0]!.last.getTime() > (before.rows[0]!.last?.getTime() ?? 0) ? rows[0]! : null;
    });
    expect(synced.next.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    // The cursor is kept for a restart.
    await waitFor('stream cursor persisted', async () => {
      const cursor = await db.query(`SELECT cursor FROM "StreamCursor" WHERE key = $1`, [
        `bluesky:firehose:${net.info.pdsUrl}`,
      ]);
      return cursor.rows.length === 1;
    });
  });

  it('resumes the stream from the stored cursor after a restart: a post made while down arrives', async () => {
    await instance.running.stop();
    const whileDown = await seeded.bob.agent.post({ text: `Posted while Tributary was down ${Date.now()}` });
    // Same database and queue prefix: the new worker reads the cursor the old one stored.
    instance.running = await start(instance.config);
    gql = graphqlClient(instance.running.apiUrl ?? '');
    const stored = await waitFor('the post made while down', () => storedPost(whileDown.uri), 60_000);
    expect(stored.author.networkId).toBe(seeded.bob.did);
  });

  it('does not duplicate anything when the source is synced again', async () => {
    const before = await counts();
    const { rows } = await db.query<{ last: Date }>(
      `SELECT "lastSyncedAt" AT TIME ZONE 'UTC' AS last FROM "Source" WHERE id = $1`,
      [homeId],
    );
    const jobs = instance.running.apps[0]!.get(JobQueue);
    await jobs.enqueue('sync-source', { sourceId: homeId });
    await waitFor('another sync', async () => {
      const after = await db.query<{ last: Date }>(
        `SELECT "lastSyncedAt" AT TIME ZONE 'UTC' AS last FROM "Source" WHERE id = $1`,
        [homeId],
      );
      return after.rows[0]!.last.getTime() > rows[0]!.last.getTime();
    });
    expect(await counts()).toEqual(before);
  });

  it('moves the account to NEEDS_REAUTH when its app password is revoked, and its jobs stop', async () => {
    await seeded.viewer.agent.com.atproto.server.revokeAppPassword({ name: seeded.viewer.appPasswordName });
    // The PDS does not check access tokens against revocation: it shows at the next refresh, when
    // the access token nears its expiry. Two hours later, by this process's clock (API and worker).
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * 3600_000);
    // A post by someone the account follows makes the stream ask for a sync, which finds the session revoked.
    await seeded.alice.agent.post({ text: 'After the revocation' });
    const view = await waitFor('NEEDS_REAUTH', async () => {
      const a = await account();
      return a.status === 'NEEDS_REAUTH' ? a : null;
    });
    expect(view.statusReason).toBeTruthy();

    const queue = instance.running.apps[0]!.get(JobQueue).queue('sync-source');
    const failed = await waitFor('the failed sync', async () => {
      const jobs = (await queue.getJobs(['failed'])).filter((j) => j.data.sourceId === homeId);
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attemptsMade).toBe(1);
    expect(failed[0]!.failedReason).toMatch(/re-auth/);

    // A later request does not reach the PDS: the job completes as skipped, no retry, no new failure.
    await instance.running.apps[0]!.get(JobQueue).enqueue('sync-source', { sourceId: homeId });
    const skipped = await waitFor('the skipped sync', async () => {
      const done = (await queue.getJobs(['completed'])).filter((j) => j.data.sourceId === homeId);
      return (
        done.find((j) => typeof (j.returnvalue as { skipped?: unknown } | null)?.skipped === 'string') ?? null
      );
    });
    expect(skipped.returnvalue).toEqual({ skipped: expect.stringMatching(/re-authentication/) });
    expect((await queue.getJobs(['failed'])).filter((j) => j.data.sourceId === homeId)).toHaveLength(1);
    // The stream consumer no longer watches the account.
    await waitFor(
      'account unwatched',
      async () => instance.running.apps[0]!.get(BlueskyFirehoseService).status.accounts === 0,
    );
  });
});

describe('which Bluesky services a member may link to', () => {
  it("reaches the operator's default service without listing it, and refuses a member's private one", async () => {
    // An operator whose default service is a PDS on their own network (over http), nothing else allowed.
    const own = await startTestInstance({
      ROLE: 'api',
      BLUESKY_DEFAULT_SERVICE: net.info.pdsUrl,
      BLUESKY_ALLOWED_HOSTS: '',
      BLUESKY_ALLOW_HTTP: 'false',
    });
    try {
      const ownGql = graphqlClient(own.apiUrl);
      const { code } = await own.running.apps[0]!.get(AuthService).createInvite(null, 'MEMBER');
      const signUp = await ownGql<{ signUp: { token: string } }>(
        'mutation($i: String!) { signUp(invite: $i, username: "member", password: "long enough password") { token } }',
        { i: code },
      );
      const memberToken = signUp.data!.signUp.token;
      const account = await net.createAccount('byodefault');
      const linked = await ownGql(LINK, { i: account.handle, p: account.appPassword, s: null }, memberToken);
      expect(linked.errors).toBeUndefined();
      for (const service of ['http://127.0.0.1:6379', 'https://169.254.169.254', 'https://localhost']) {
        const refused = await ownGql(
          LINK,
          { i: account.handle, p: account.appPassword, s: service },
          memberToken,
        );
        expect(codeOf(refused)).toBe('BAD_USER_INPUT');
        expect(refused.errors?.[0]?.message).toMatch(/Bluesky service .*(not public|must use https)/);
      }
    } finally {
      await own.stop();
    }
  });
});
