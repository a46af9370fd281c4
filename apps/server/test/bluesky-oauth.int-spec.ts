// "Sign in with Bluesky": accounts linked through atproto OAuth against the reference PDS's own
// authorization server (@atproto/oauth-provider), the member's sign-in and consent driven over
// HTTP as its page does. Then the grant does what an app password does (ingest, a like), a refresh
// raced by two worker processes leaves one valid session, two members hold separate grants of one
// account, a grant the member revokes on their PDS turns the account NEEDS_REAUTH, and signing in
// again brings it back. A callback `state` that is forged, or another member's, links nothing. (The
// web app's return from the server, in a browser: web-client.int-spec.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AccountsService, credentialsKey, openCredentials } from '@tributary/accounts';
import { BLUESKY_OAUTH_SCOPE } from '@tributary/connector-bluesky';
import type { BlueskyConnector } from '@tributary/connector-bluesky';
import { SourceKind } from '@tributary/core';
import { open, seal } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, freePort, revokeOAuthSessions, signInAndConsent } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { start } from '../src/start.js';
import type { Running } from '../src/start.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const HOME = { kind: SourceKind.Home, externalId: '' };
const ACCOUNT = 'id status statusReason handle serviceUrl networkAccountId sources { id kind lastSyncedAt }';

interface Account {
  id: string;
  status: string;
  statusReason: string | null;
  handle: string;
  serviceUrl: string;
  networkAccountId: string;
  sources: { id: string; kind: string; lastSyncedAt: string | null }[];
}

let net: BlueskyNetworkClient;
let instance: TestInstance;
let second: Running | null = null;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let viewer: TestBlueskyAccount;
let author: TestBlueskyAccount;
/** Members: their API token, and their user id. */
let alice: string;
let bob: string;
const userIds = new Map<string, string>();
let aliceAccount: Account;
let authorPost: { uri: string; cid: string };

async function signUp(username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token user { id } } }',
    { i: code, u: username },
  );
  const { token, user } = res.data!.signUp;
  userIds.set(token, user.id);
  return token;
}

async function startLink(token: string, identifier: string): Promise<string> {
  const res = await gql<{ startBlueskyLink: { authorizeUrl: string } }>(
    'mutation($i: String!) { startBlueskyLink(identifier: $i) { authorizeUrl } }',
    { i: identifier },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.startBlueskyLink.authorizeUrl;
}

function completeLink(token: string, callback: string) {
  return gql<{ completeBlueskyLink: Account }>(
    `mutation($c: String!) { completeBlueskyLink(callback: $c) { ${ACCOUNT} } }`,
    { c: callback },
    token,
  );
}

async function accountRow(id: string): Promise<LinkedAccount> {
  const { rows } = await db.query<LinkedAccount>(`SELECT * FROM "LinkedAccount" WHERE id = $1`, [id]);
  return rows[0]!;
}

interface StoredGrant {
  tokenSet: { refresh_token: string; access_token: string; expires_at: string; scope: string; aud: string };
}

async function storedGrant(userToken: string): Promise<{ linkId: string; data: StoredGrant } | null> {
  const { rows } = await db.query<{ linkId: string; data: string }>(
    `SELECT "linkId", data FROM "BlueskyOAuthSession" WHERE "userId" = $1 AND did = $2`,
    [userIds.get(userToken), viewer.did],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    linkId: row.linkId,
    data: JSON.parse(open(row.data, credentialsKey(instance.config))) as StoredGrant,
  };
}

async function linkedAccounts(token: string): Promise<Account[]> {
  const res = await gql<{ linkedAccounts: Account[] }>(`{ linkedAccounts { ${ACCOUNT} } }`, {}, token);
  return res.data!.linkedAccounts;
}

/** Runs one sync of the home source through the worker and waits for its outcome. */
async function syncHome(account: Account): Promise<void> {
  const home = account.sources.find((s) => s.kind === 'HOME')!;
  const before = await db.query<{ last: Date | null }>(
    `SELECT "lastSyncedAt" AS last FROM "Source" WHERE id = $1`,
    [home.id],
  );
  const last = before.rows[0]!.last?.getTime() ?? 0;
  await instance.running.apps[0]!.get(JobQueue).enqueue('sync-source', { sourceId: home.id });
  await waitFor('the sync', async () => {
    const row = (await accountRow(account.id)).status;
    const { rows } = await db.query<{ last: Date | null }>(
      `SELECT "lastSyncedAt" AS last FROM "Source" WHERE id = $1`,
      [home.id],
    );
    return row !== 'ACTIVE' || (rows[0]!.last?.getTime() ?? 0) > last;
  });
}

beforeAll(async () => {
  net = await blueskyNetwork();
  const port = await freePort();
  instance = await startTestInstance({
    ROLE: 'all',
    // The loopback client's redirect URI names the API's port, which every process must agree on.
    PORT: String(port),
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '10',
    BLUESKY_ALLOWED_HOSTS: [new URL(net.info.pdsUrl).host, new URL(net.info.plcUrl).host].join(','),
    BLUESKY_PLC_URL: net.info.plcUrl,
    BLUESKY_HANDLE_RESOLVER: net.info.pdsUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  [viewer, author] = await Promise.all([net.createAccount('oauth'), net.createAccount('author')]);
  await viewer.agent.follow(author.did);
  authorPost = await author.agent.post({ text: 'Read me through OAuth' });
  await net.processAll();
  [alice, bob] = [await signUp('alice'), await signUp('bob')];
});

afterAll(async () => {
  await second?.stop();
  await db?.end();
  await instance?.stop();
});

describe('linking with atproto OAuth', () => {
  let callback: string;

  it("sends the member to their own PDS's authorization page", async () => {
    const authorizeUrl = new URL(await startLink(alice, viewer.handle));
    expect(authorizeUrl.origin).toBe(new URL(net.info.pdsUrl).origin);
    expect(authorizeUrl.pathname).toBe('/oauth/authorize');
    // The loopback client id of a development instance: no hosted metadata, the redirect on its port.
    const clientId = authorizeUrl.searchParams.get('client_id')!;
    expect(new URL(clientId).searchParams.get('redirect_uri')).toBe(
      `${instance.apiUrl}/oauth/bluesky/callback`,
    );
    callback = await signInAndConsent(authorizeUrl.href, viewer);
    expect(callback.startsWith(`${instance.apiUrl}/oauth/bluesky/callback?`)).toBe(true);
    // Where the browser lands: the web app, which finishes the link from its own address (the code
    // is never written into the page).
    const page = await fetch(callback);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/web/assets/');
    expect(html).not.toContain(new URL(callback).searchParams.get('code')!);
  });

  it("refuses a forged state and another member's state, and links nothing", async () => {
    const forged = new URL(callback);
    forged.searchParams.set('state', randomBytes(16).toString('base64url'));
    expect(codeOf(await completeLink(alice, forged.href))).toBe('BAD_USER_INPUT');
    const theirs = await completeLink(bob, callback);
    expect(codeOf(theirs)).toBe('BAD_USER_INPUT');
    expect(theirs.errors?.[0]?.message).toMatch(/unknown, expired or already completed/);
    expect(await linkedAccounts(alice)).toEqual([]);
    expect(await linkedAccounts(bob)).toEqual([]);
  });

  it('links the account for the member who started it, once', async () => {
    const res = await completeLink(alice, callback);
    expect(res.errors).toBeUndefined();
    aliceAccount = res.data!.completeBlueskyLink;
    expect(aliceAccount).toMatchObject({
      status: 'ACTIVE',
      handle: viewer.handle,
      networkAccountId: viewer.did,
      serviceUrl: `${net.info.pdsUrl}/`,
    });
    // The same callback again: the started link was used up.
    expect(codeOf(await completeLink(alice, callback))).toBe('BAD_USER_INPUT');
    // The account row names the grant; tokens live sealed in the member's session row only.
    const credentials = openCredentials(
      (await accountRow(aliceAccount.id)).credentials,
      credentialsKey(instance.config),
    );
    const grant = (await storedGrant(alice))!;
    expect(credentials).toEqual({ network: 'BLUESKY', oauth: { did: viewer.did, linkId: grant.linkId } });
    const { rows } = await db.query<{ data: string }>(`SELECT data FROM "BlueskyOAuthSession"`);
    expect(rows[0]!.data).toMatch(/^v1\./);
    expect(rows[0]!.data).not.toContain(grant.data.tokenSet.refresh_token);
    // The reference PDS knows permission sets: the narrow grant, not transition:generic.
    expect(grant.data.tokenSet.scope.split(' ').sort()).toEqual(BLUESKY_OAUTH_SCOPE.split(' ').sort());
  });

  it('ingests the home timeline through the grant, and likes a post with it', async () => {
    await waitFor('the first sync', async () => {
      const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE uri = $1`, [authorPost.uri]);
      return rows.length === 1;
    });
    const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM "Post" WHERE uri = $1`, [
      authorPost.uri,
    ]);
    const liked = await gql<{ like: { id: string } }>(
      'mutation($p: ID!) { like(post: $p) { id } }',
      { p: rows[0]!.id },
      alice,
    );
    expect(liked.errors).toBeUndefined();
    let action: { status: string; error: string | null } | null = null;
    await waitFor('the like', async () => {
      const res = await gql<{ action: { status: string; error: string | null } }>(
        'query($id: ID!) { action(id: $id) { status error } }',
        { id: liked.data!.like.id },
        alice,
      );
      action = res.data!.action;
      return action.status === 'DONE' || action.status === 'FAILED';
    });
    expect(action).toEqual({ status: 'DONE', error: null });
    const likes = await viewer.agent.com.atproto.repo.listRecords({
      repo: viewer.did,
      collection: 'app.bsky.feed.like',
    });
    expect(likes.data.records.map((r) => (r.value as { subject: { uri: string } }).subject.uri)).toEqual([
      authorPost.uri,
    ]);
  });
});

describe('one grant, many processes and members', () => {
  it('a refresh raced by two worker processes leaves one valid session', async () => {
    second = await start({ ...instance.config, ROLE: 'worker' });
    const workers = [instance.running.apps[0]!, second.apps[0]!].map((app) => app.get(AccountsService));
    // The stored access token as good as expired: both processes' next calls want a refresh.
    const before = (await storedGrant(alice))!;
    const key = credentialsKey(instance.config);
    before.data.tokenSet.expires_at = new Date(Date.now() - 60_000).toISOString();
    await db.query(`UPDATE "BlueskyOAuthSession" SET data = $1 WHERE "userId" = $2 AND did = $3`, [
      seal(JSON.stringify(before.data), key),
      userIds.get(alice),
      viewer.did,
    ]);
    const row = await accountRow(aliceAccount.id);
    const connectors = (await Promise.all(workers.map((w) => w.connectorFor(row)))) as BlueskyConnector[];
    const pages = await Promise.all(
      connectors.flatMap((c) => [c.fetchNewer(HOME, null, 10), c.fetchNewer(HOME, null, 10)]),
    );
    expect(pages.map((p) => p.items.some((i) => i.post.uri === authorPost.uri))).toEqual([
      true,
      true,
      true,
      true,
    ]);

    // Refreshed once: a second refresh with the same single-use token would have been refused and
    // the session deleted (NEEDS_REAUTH); instead one new token set is stored and both go on with it.
    const after = (await storedGrant(alice))!;
    expect(after.data.tokenSet.refresh_token).not.toBe(before.data.tokenSet.refresh_token);
    expect(new Date(after.data.tokenSet.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect((await accountRow(aliceAccount.id)).status).toBe('ACTIVE');
    const again = await Promise.all(connectors.map((c) => c.fetchNewer(HOME, null, 10)));
    expect(again.map((p) => p.items.length > 0)).toEqual([true, true]);
    expect((await storedGrant(alice))!.data.tokenSet.refresh_token).toBe(after.data.tokenSet.refresh_token);
  });

  it("two members linking the same Bluesky account hold separate grants; one unlinking leaves the other's", async () => {
    const callback = await signInAndConsent(await startLink(bob, viewer.did), viewer);
    const res = await completeLink(bob, callback);
    expect(res.errors).toBeUndefined();
    const bobAccount = res.data!.completeBlueskyLink;
    const [aliceGrant, bobGrant] = [(await storedGrant(alice))!, (await storedGrant(bob))!];
    expect(bobGrant.data.tokenSet.access_token).not.toBe(aliceGrant.data.tokenSet.access_token);
    await syncHome(bobAccount);
    await syncHome(aliceAccount);
    expect((await linkedAccounts(alice)).map((a) => a.status)).toEqual(['ACTIVE']);
    expect((await linkedAccounts(bob)).map((a) => a.status)).toEqual(['ACTIVE']);

    // Bob unlinks: his grant is revoked at the PDS and forgotten here; Alice's still works.
    const unlinked = await gql('mutation($id: ID!) { unlinkAccount(id: $id) }', { id: bobAccount.id }, bob);
    expect(unlinked.errors).toBeUndefined();
    expect(await storedGrant(bob)).toBeNull();
    const connector = (await instance.running.apps[0]!.get(AccountsService).connectorFor(
      await accountRow(aliceAccount.id),
    )) as BlueskyConnector;
    expect((await connector.fetchNewer(HOME, null, 10)).items.length).toBeGreaterThan(0);
  });
});

describe('a revoked grant', () => {
  it('turns the account NEEDS_REAUTH at its next use, and signing in again brings it back', async () => {
    // The member signs Tributary out on their PDS's account page.
    expect(await revokeOAuthSessions(net.info.pdsUrl, viewer, 'http://localhost')).toBe(1);
    await syncHome(aliceAccount);
    const [revoked] = await linkedAccounts(alice);
    expect(revoked).toMatchObject({ id: aliceAccount.id, status: 'NEEDS_REAUTH' });
    expect(revoked!.statusReason).toMatch(/Bluesky authorization is no longer valid/);
    expect(await storedGrant(alice)).toBeNull();

    // The way back: the same two steps, with the account's handle.
    const callback = await signInAndConsent(await startLink(alice, revoked!.handle), viewer);
    const relinked = await completeLink(alice, callback);
    expect(relinked.errors).toBeUndefined();
    expect(relinked.data!.completeBlueskyLink).toMatchObject({
      id: aliceAccount.id,
      status: 'ACTIVE',
      statusReason: null,
    });
    const post = await author.agent.post({ text: 'After signing in again' });
    await net.processAll();
    await syncHome(aliceAccount);
    const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE uri = $1`, [post.uri]);
    expect(rows).toHaveLength(1);
    expect((await accountRow(aliceAccount.id)).status).toBe('ACTIVE');
  });
});
