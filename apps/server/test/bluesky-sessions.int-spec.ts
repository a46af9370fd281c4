// A linked Bluesky account's session is shared by every job of every process and refreshed only
// near the access token's expiry, once: counted through a proxy in front of the reference PDS that
// the account is linked through. The clock of this process (Date.now, which the sessions read
// expiry against) is moved forward to "two hours later"; the PDS keeps its own.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AccountsService, credentialsKey, openCredentials } from '@tributary/accounts';
import type { BlueskyConnector, BlueskySession, BlueskySessionData } from '@tributary/connector-bluesky';
import { SourceKind } from '@tributary/core';
import type { LinkedAccount } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, startCountingProxy } from '@tributary/testing';
import type { BlueskyNetworkClient, CountingProxy, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFirehoseService } from '../../worker/src/streams/bluesky-firehose.service.js';
import { start } from '../src/start.js';
import type { Running } from '../src/start.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(150_000);

const SYNCS = 5;
const HOME = { kind: SourceKind.Home, externalId: '' };
const realNow = Date.now.bind(Date);

let net: BlueskyNetworkClient;
let proxy: CountingProxy;
let instance: TestInstance;
let second: Running | null = null;
let db: pg.Client;
let viewer: TestBlueskyAccount;
let author: TestBlueskyAccount;
let accountId: string;
let homeId: string;

/** This process's clock, `ms` ahead: what a worker sees after running that long. */
function moveClock(ms: number): void {
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
}

async function accountRow(): Promise<LinkedAccount> {
  const { rows } = await db.query<LinkedAccount>(`SELECT * FROM "LinkedAccount" WHERE id = $1`, [accountId]);
  return rows[0]!;
}

async function storedSession(): Promise<BlueskySessionData> {
  const credentials = openCredentials((await accountRow()).credentials, credentialsKey(instance.config));
  if (!('session' in credentials)) throw new Error('not a Bluesky app-password account');
  return credentials.session;
}

/** A clock shift that puts the stored access token a minute before its expiry. */
async function nearExpiry(): Promise<number> {
  const { accessExpiresAt, accessJwt } = await storedSession();
  const { exp } = JSON.parse(Buffer.from(accessJwt.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
  };
  return (accessExpiresAt ?? exp * 1000) - realNow() - 60_000;
}

async function lastSynced(): Promise<number> {
  const { rows } = await db.query<{ last: Date | null }>(
    `SELECT "lastSyncedAt" AS last FROM "Source" WHERE id = $1`,
    [homeId],
  );
  return rows[0]!.last?.getTime() ?? 0;
}

/** Runs `n` sync jobs of the home source through the worker, one after the other. */
async function syncs(n: number): Promise<void> {
  const jobs = instance.running.apps[0]!.get(JobQueue);
  for (let i = 0; i < n; i++) {
    const before = await lastSynced();
    await jobs.enqueue('sync-source', { sourceId: homeId });
    await waitFor(`sync ${i + 1}`, async () => (await lastSynced()) > before);
  }
}

beforeAll(async () => {
  net = await blueskyNetwork();
  proxy = await startCountingProxy(net.info.pdsUrl);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '10',
    BLUESKY_ALLOWED_HOSTS: [new URL(net.info.pdsUrl).host, new URL(proxy.url).host].join(','),
    BLUESKY_ALLOW_HTTP: 'true',
    // Known here, to read the stored session.
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();

  viewer = await net.createAccount('sessions');
  author = await net.createAccount('author');
  await viewer.agent.follow(author.did);
  await author.agent.post({ text: 'Something to read' });
  await net.processAll();

  const gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "sessions", password: "long enough password") { token } }',
    { i: code },
  );
  const linked = await gql<{ linkBlueskyAccount: { id: string; sources: { id: string; kind: string }[] } }>(
    `mutation($i: String!, $p: String!, $s: String) {
      linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { id sources { id kind } }
    }`,
    { i: viewer.handle, p: viewer.appPassword, s: proxy.url },
    signUp.data!.signUp.token,
  );
  expect(linked.errors).toBeUndefined();
  accountId = linked.data!.linkBlueskyAccount.id;
  homeId = linked.data!.linkBlueskyAccount.sources.find((s) => s.kind === 'HOME')!.id;
  await waitFor('backfill and first sync', async () => {
    const { rows } = await db.query<{ state: string; last: Date | null }>(
      `SELECT "backfillState" AS state, "lastSyncedAt" AS last FROM "Source" WHERE id = $1`,
      [homeId],
    );
    return rows[0]!.state === 'DONE' && rows[0]!.last !== null;
  });
  // The stream consumer has read the account's follows: it asks nothing more for a while.
  const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
  await waitFor('firehose consumer ready', async () => firehose.status.ready >= 1);
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  await second?.stop();
  await db?.end();
  await instance?.stop();
  await proxy?.close();
});

describe('one Bluesky session per account', () => {
  it('reaches the PDS through the proxy it was linked with', async () => {
    expect((await storedSession()).pdsUrl).toBe(`${proxy.url}/`);
    expect(proxy.total(viewer.did)).toBeGreaterThan(0);
  });

  it('makes a sync one getTimeline: no refresh, getSession or getPreferences per job', async () => {
    proxy.reset();
    await syncs(SYNCS);
    expect(proxy.counts(viewer.did)).toEqual({ 'app.bsky.feed.getTimeline': SYNCS });
  });

  it("syncs again for a followed author's post only while no sync has seen it", async () => {
    const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, t - realNow()));
    proxy.reset();
    const posted = realNow();
    const post = await author.agent.post({ text: 'Fresh, through the stream' });
    await waitFor('the post in the store', async () => {
      const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE uri = $1`, [post.uri]);
      return rows.length === 1;
    });
    // The last check, 15 s after the event, finds the post seen and asks nothing.
    await sleepUntil(posted + 14_000);
    const before = proxy.counts(viewer.did)['app.bsky.feed.getTimeline'] ?? 0;
    await sleepUntil(posted + 16_500);
    expect(proxy.counts(viewer.did)['app.bsky.feed.getTimeline'] ?? 0).toBe(before);
    // The first sync, and a second one only if it came before the AppView had the post.
    expect(before).toBeLessThanOrEqual(2);
  });

  it('refreshes once per access-token lifetime, when the token nears expiry, and stores the new tokens', async () => {
    const before = await storedSession();
    moveClock(await nearExpiry());
    proxy.reset();
    await syncs(SYNCS);
    // Not compared as a whole: two hours on the clock also make the worker's stream reload the
    // account's follows (getFollows), which is no sync's doing.
    const counts = proxy.counts(viewer.did);
    expect(counts['com.atproto.server.refreshSession']).toBe(1);
    // The reference PDS leaves the DID document out of session answers: asked for once a refresh.
    expect(counts['com.atproto.server.getSession']).toBe(1);
    expect(counts['app.bsky.feed.getTimeline']).toBe(SYNCS);
    const after = await storedSession();
    expect(after.refreshJwt).not.toBe(before.refreshJwt);
    expect(after.accessJwt).not.toBe(before.accessJwt);
  });

  it('two worker processes refreshing at once refresh once and both go on with the stored session', async () => {
    // A second worker on the same PostgreSQL and Redis, nothing else shared.
    second = await start({ ...instance.config, ROLE: 'worker' });
    const workers = [instance.running.apps[0]!, second.apps[0]!].map((app) => app.get(AccountsService));
    const before = await storedSession();
    moveClock(await nearExpiry());
    proxy.reset();
    const row = await accountRow();
    const connectors = (await Promise.all(workers.map((w) => w.connectorFor(row)))) as BlueskyConnector[];
    await Promise.all(connectors.map((c) => c.fetchNewer(HOME, null, 10)));
    // Refresh tokens are single use: the stored one went to the server once, from one process,
    // and no refresh token went twice. (The worker's own jobs, woken by the moved clock, may
    // refresh too; they take the same turn under the lock.)
    const presented = proxy.tokens('com.atproto.server.refreshSession', viewer.did);
    expect(presented.filter((token) => token === before.refreshJwt)).toHaveLength(1);
    expect(new Set(presented).size).toBe(presented.length);

    jest.restoreAllMocks();
    const stored = await storedSession();
    expect(stored.refreshJwt).not.toBe(before.refreshJwt);
    for (const connector of connectors) {
      expect((connector.session as BlueskySession).data?.accessJwt).toBe(stored.accessJwt);
    }
    // Both keep working on it, with no refresh of their own.
    proxy.reset();
    const again = await Promise.all(connectors.map((c) => c.fetchNewer(HOME, null, 10)));
    expect(again.map((r) => r.items.length)).toEqual([2, 2]); // the two posts of the author
    expect(proxy.counts(viewer.did)['app.bsky.feed.getTimeline']).toBe(2);
    expect(proxy.counts(viewer.did)['com.atproto.server.refreshSession']).toBeUndefined();
  });
});
