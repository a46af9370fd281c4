// Every query and mutation, one by one: without a token it is refused (unless public), and one
// user can never read or change another's data. The table must cover the whole schema, so a new
// resolver without a case here fails this test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { TestBlueskyAccount } from '@tributary/testing';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

interface User {
  token: string;
  tokenId: string;
  id: string;
}
interface World {
  alice: User; // member
  bob: User; // member
  aliceAccountId: string;
  aliceBluesky: TestBlueskyAccount;
  aliceBlueskyAccountId: string;
  mastodon: FakeMastodonServer;
}

async function accountRow(id: string): Promise<{ userId: string; credentials: string; status: string }> {
  const client = new pg.Client({ connectionString: instance.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT "userId", credentials, status FROM "LinkedAccount" WHERE id = $1`, [id]);
    return rows[0] as { userId: string; credentials: string; status: string };
  } finally {
    await client.end();
  }
}

async function accountsOf(token: string): Promise<string[]> {
  const res = await gql<{ linkedAccounts: { id: string }[] }>('{ linkedAccounts { id } }', {}, token);
  return res.data!.linkedAccounts.map((a) => a.id).sort();
}

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let world: World;

/** For each root field: an operation to try anonymously, and what Bob trying Alice's data must see. */
const cases: Record<string, { public?: true; anonymous: string; crossUser?: (w: World) => Promise<void> }> = {
  signUp: { public: true, anonymous: 'mutation { signUp(invite: "x", username: "x", password: "x") { token } }' },
  login: { public: true, anonymous: 'mutation { login(username: "x", password: "x") { token } }' },
  me: {
    anonymous: '{ me { id } }',
    crossUser: async (w) => {
      const res = await gql<{ me: { id: string } }>('{ me { id } }', {}, w.bob.token);
      expect(res.data?.me.id).toBe(w.bob.id);
    },
  },
  tokens: {
    anonymous: '{ tokens { id } }',
    crossUser: async (w) => {
      const res = await gql<{ tokens: { id: string }[] }>('{ tokens { id } }', {}, w.bob.token);
      expect(res.data?.tokens.map((t) => t.id)).toEqual([w.bob.tokenId]);
    },
  },
  revokeToken: {
    anonymous: 'mutation { revokeToken(id: "00000000-0000-0000-0000-000000000000") { id } }',
    crossUser: async (w) => {
      const res = await gql('mutation($id: ID!) { revokeToken(id: $id) { id } }', { id: w.alice.tokenId }, w.bob.token);
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect((await gql('{ me { id } }', {}, w.alice.token)).errors).toBeUndefined();
    },
  },
  createInvite: {
    anonymous: 'mutation { createInvite { code } }',
    crossUser: async (w) => {
      expect(codeOf(await gql('mutation { createInvite { code } }', {}, w.bob.token))).toBe('FORBIDDEN');
    },
  },
  invites: {
    anonymous: '{ invites { id } }',
    crossUser: async (w) => {
      expect(codeOf(await gql('{ invites { id } }', {}, w.bob.token))).toBe('FORBIDDEN');
    },
  },
  linkedAccounts: {
    anonymous: '{ linkedAccounts { id } }',
    crossUser: async (w) => {
      const bob = await gql<{ linkedAccounts: unknown[] }>('{ linkedAccounts { id } }', {}, w.bob.token);
      expect(bob.data?.linkedAccounts).toEqual([]);
      expect(await accountsOf(w.alice.token)).toEqual([w.aliceAccountId, w.aliceBlueskyAccountId].sort());
    },
  },
  linkBlueskyAccount: {
    anonymous: 'mutation { linkBlueskyAccount(identifier: "x.test", appPassword: "x") { id } }',
    crossUser: async (w) => {
      // Bob cannot take over Alice's account without its password, and her link stays as it was.
      const before = await accountRow(w.aliceBlueskyAccountId);
      const res = await gql(
        'mutation($i: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: "wrong-pass-word", service: $s) { id } }',
        { i: w.aliceBluesky.handle, s: (await blueskyNetwork()).info.pdsUrl },
        w.bob.token,
      );
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await accountRow(w.aliceBlueskyAccountId)).toEqual(before);
      // Sealed at rest: neither the app password nor the session tokens are readable in the row.
      expect(before.credentials).toMatch(/^v1\./);
      expect(before.credentials).not.toContain(w.aliceBluesky.appPassword);
      expect(before.credentials).not.toContain(w.aliceBluesky.did);
      expect(await accountsOf(w.bob.token)).toEqual([]);
    },
  },
  linkMastodonAccount: {
    anonymous: 'mutation { linkMastodonAccount(instance: "x", accessToken: "x") { id } }',
    crossUser: async (w) => {
      const res = await gql(
        'mutation($i: String!) { linkMastodonAccount(instance: $i, accessToken: "not-a-token") { id } }',
        { i: w.mastodon.origin },
        w.bob.token,
      );
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await accountsOf(w.bob.token)).toEqual([]);
    },
  },
  startMastodonLink: {
    anonymous: 'mutation { startMastodonLink(instance: "x") { authorizeUrl } }',
    crossUser: async (w) => {
      // Only the instance's app registration is shared; nothing of Alice's is in it.
      const res = await gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
        'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
        { i: w.mastodon.origin },
        w.bob.token,
      );
      expect(res.data?.startMastodonLink.authorizeUrl.startsWith(`${w.mastodon.origin}/oauth/authorize?`)).toBe(true);
      expect(JSON.stringify(res)).not.toContain(w.alice.id);
    },
  },
  completeMastodonLink: {
    anonymous: 'mutation { completeMastodonLink(state: "x", code: "x") { id } }',
    crossUser: async (w) => {
      // Alice starts a link and approves it; Bob replaying her state and code gets nothing linked.
      const started = await gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
        'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
        { i: w.mastodon.origin },
        w.alice.token,
      );
      const { authorizeUrl, state } = started.data!.startMastodonLink;
      const { code } = w.mastodon.approve(authorizeUrl, w.mastodon.createAccount('alice-oauth'));
      const res = await gql(
        'mutation($s: String!, $c: String!) { completeMastodonLink(state: $s, code: $c) { id } }',
        { s: state, c: code },
        w.bob.token,
      );
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await accountsOf(w.bob.token)).toEqual([]);
    },
  },
  addSource: {
    anonymous:
      'mutation { addSource(input: { accountId: "00000000-0000-0000-0000-000000000000", kind: LIST, externalId: "x" }) { id } }',
    crossUser: async (w) => {
      const res = await gql(
        'mutation($a: ID!) { addSource(input: { accountId: $a, kind: HASHTAG, externalId: "cats" }) { id } }',
        { a: w.aliceBlueskyAccountId },
        w.bob.token,
      );
      expect(codeOf(res)).toBe('NOT_FOUND');
      const alice = await gql<{ linkedAccounts: { id: string; sources: { kind: string }[] }[] }>(
        '{ linkedAccounts { id sources { kind } } }',
        {},
        w.alice.token,
      );
      const linked = alice.data!.linkedAccounts.find((a) => a.id === w.aliceBlueskyAccountId);
      expect(linked?.sources.map((x) => x.kind)).toEqual(['HOME']);
    },
  },
  unlinkAccount: {
    anonymous: 'mutation { unlinkAccount(id: "00000000-0000-0000-0000-000000000000") }',
    crossUser: async (w) => {
      const res = await gql('mutation($id: ID!) { unlinkAccount(id: $id) }', { id: w.aliceAccountId }, w.bob.token);
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(await accountsOf(w.alice.token)).toContain(w.aliceAccountId);
    },
  },
};

beforeAll(async () => {
  const mastodon = await FakeMastodonServer.start();
  instance = await startTestInstance({
    ROLE: 'api',
    MASTODON_ALLOWED_HOSTS: mastodon.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps[0]!.get(AuthService);
  const signUp = async (username: string): Promise<User> => {
    const { code } = await auth.createInvite(null, 'MEMBER');
    const res = await gql<{ signUp: { token: string; tokenInfo: { id: string }; user: { id: string } } }>(
      'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token tokenInfo { id } user { id } } }',
      { i: code, u: username },
    );
    const { token, tokenInfo, user } = res.data!.signUp;
    return { token, tokenId: tokenInfo.id, id: user.id };
  };
  const alice = await signUp('alice');
  const bob = await signUp('bob');
  const client = new pg.Client({ connectionString: instance.databaseUrl });
  await client.connect();
  const { rows } = await client.query(
    `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
     VALUES (gen_random_uuid(), $1, 'BLUESKY', 'did:plc:alice', 'alice.test', 'https://pds.test', 'v1.sealed', now())
     RETURNING id`,
    [alice.id],
  );
  await client.end();
  const network = await blueskyNetwork();
  const aliceBluesky = await network.createAccount('alice');
  const linked = await gql<{ linkBlueskyAccount: { id: string } }>(
    'mutation($i: String!, $p: String!, $s: String) { linkBlueskyAccount(identifier: $i, appPassword: $p, service: $s) { id } }',
    { i: aliceBluesky.handle, p: aliceBluesky.appPassword, s: network.info.pdsUrl },
    alice.token,
  );
  expect(linked.errors).toBeUndefined();
  world = {
    alice,
    bob,
    aliceAccountId: (rows[0] as { id: string }).id,
    aliceBluesky,
    aliceBlueskyAccountId: linked.data!.linkBlueskyAccount.id,
    mastodon,
  };
});

afterAll(async () => {
  await instance?.stop();
  await world?.mastodon.close();
});

describe('authorization of every resolver', () => {
  it('has a case for every query, mutation and subscription in the schema', async () => {
    const schema = buildSchema(await readFile('apps/api/schema.graphql', 'utf8'));
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => (type ? Object.keys(type.getFields()) : []))
      .sort();
    expect(Object.keys(cases).sort()).toEqual(fields);
  });

  it.each(Object.entries(cases))('%s refuses anonymous callers unless public', async (_name, c) => {
    const res = await gql(c.anonymous);
    if (c.public) expect(res.errors?.[0]?.message ?? '').not.toMatch(/bearer token/);
    else expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it.each(Object.entries(cases).filter(([, c]) => !c.public))(
    "%s never shows or changes another user's data",
    async (_name, c) => {
      await c.crossUser!(world);
    },
  );
});
