// A member who leaves takes their access along: unlinking an account or deleting the member revokes
// the credentials at the network where Tributary can (a Bluesky app-password session ended on the
// reference PDS, a Mastodon token our app obtained revoked at the fake instance), and an instance
// that cannot be reached does not keep the member's data. Bluesky OAuth grants: bluesky-oauth.int-spec.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Agent } from '@atproto/api';
import { credentialsKey, openCredentials } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { blueskyNetwork, FakeMastodonServer } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(120_000);

const PASSWORD = 'long enough password';
let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
/** An instance that goes away after a member linked an account there. */
let vanishing: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;

async function signUp(username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!, $p: String!) { signUp(invite: $i, username: $u, password: $p) { token } }',
    { i: code, u: username, p: PASSWORD },
  );
  return res.data!.signUp.token;
}

/** What the linked account's sealed credentials hold, opened with the instance's key. */
async function storedCredentials(accountId: string) {
  const { rows } = await db.query<{ credentials: string }>(
    `SELECT credentials FROM "LinkedAccount" WHERE id = $1`,
    [accountId],
  );
  return openCredentials(
    rows[0]!.credentials,
    credentialsKey(instance.running.apps.at(-1)!.get<Config>(CONFIG)),
  );
}

/** Links `who` through the instance's OAuth flow (our app obtains the token). */
async function linkMastodonOAuth(token: string, who: FakeAccount, server = fake): Promise<string> {
  const started = await gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
    'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
    { i: server.origin },
    token,
  );
  const { authorizeUrl, state } = started.data!.startMastodonLink;
  const { code } = server.approve(authorizeUrl, who);
  const done = await gql<{ completeMastodonLink: { id: string } }>(
    'mutation($s: String!, $c: String!) { completeMastodonLink(state: $s, code: $c) { id } }',
    { s: state, c: code },
    token,
  );
  expect(done.errors).toBeUndefined();
  return done.data!.completeMastodonLink.id;
}

/** Whether the PDS still refreshes a session with this refresh token. */
async function refreshes(refreshJwt: string): Promise<boolean> {
  const server = new Agent({ service: net.info.pdsUrl }).com.atproto.server;
  return server.refreshSession(undefined, { headers: { authorization: `Bearer ${refreshJwt}` } }).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  vanishing = await FakeMastodonServer.start();
  instance = await startTestInstance({
    ROLE: 'api',
    BLUESKY_DEFAULT_SERVICE: net.info.pdsUrl,
    BLUESKY_ALLOW_HTTP: 'true',
    MASTODON_ALLOWED_HOSTS: `${fake.host},${vanishing.host}`,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('revoking linked credentials', () => {
  it('unlinking a Bluesky account ends its session on the PDS', async () => {
    const token = await signUp('unlinker');
    const account = await net.createAccount('revoked');
    const id = await linkBluesky(gql, token, account, net.info.pdsUrl);
    const stored = await storedCredentials(id);
    if (stored.network !== 'BLUESKY' || !('session' in stored)) throw new Error('an app-password session');

    const res = await gql('mutation($id: ID!) { unlinkAccount(id: $id) }', { id }, token);
    expect(res.errors).toBeUndefined();
    // Without the deleteSession the stored refresh token would still give fresh tokens.
    expect(await refreshes(stored.session.refreshJwt)).toBe(false);
  });

  it('deleting a member revokes the Mastodon token our app obtained, not one they pasted', async () => {
    const token = await signUp('leaver');
    const oauthId = await linkMastodonOAuth(token, fake.createAccount('leaver'));
    const pastedToken = fake.issueToken(fake.createAccount('leaver-alt'));
    await linkMastodon(gql, token, fake.origin, pastedToken);
    const stored = await storedCredentials(oauthId);
    if (stored.network !== 'MASTODON') throw new Error('Mastodon credentials');
    expect(fake.isTokenValid(stored.accessToken)).toBe(true);

    const res = await gql('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: PASSWORD }, token);
    expect(res.data).toEqual({ deleteMyAccount: true });
    expect(fake.isTokenValid(stored.accessToken)).toBe(false);
    // A pasted token belongs to an app of the member's; the instance would refuse us (403).
    expect(fake.isTokenValid(pastedToken)).toBe(true);
    const revocations = fake.requests.filter((r) => r.path === '/oauth/revoke');
    expect(revocations).toHaveLength(1);
  });

  it('an instance that cannot be reached does not keep a member from being deleted', async () => {
    const token = await signUp('unreachable');
    const id = await linkMastodonOAuth(token, vanishing.createAccount('unreachable'), vanishing);
    await vanishing.close();

    const res = await gql('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: PASSWORD }, token);
    expect(res.data).toEqual({ deleteMyAccount: true });
    expect((await db.query(`SELECT 1 FROM "LinkedAccount" WHERE id = $1`, [id])).rowCount).toBe(0);
  });
});
