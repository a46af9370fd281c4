// Every query and mutation, one by one: without a token it is refused (unless public), and one
// user can never read or change another's data. The table must cover the whole schema, so a new
// resolver without a case here fails this test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
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
      const alice = await gql<{ linkedAccounts: { id: string }[] }>('{ linkedAccounts { id } }', {}, w.alice.token);
      expect(alice.data?.linkedAccounts.map((a) => a.id)).toEqual([w.aliceAccountId]);
    },
  },
  unlinkAccount: {
    anonymous: 'mutation { unlinkAccount(id: "00000000-0000-0000-0000-000000000000") }',
    crossUser: async (w) => {
      const res = await gql('mutation($id: ID!) { unlinkAccount(id: $id) }', { id: w.aliceAccountId }, w.bob.token);
      expect(codeOf(res)).toBe('NOT_FOUND');
      const alice = await gql<{ linkedAccounts: unknown[] }>('{ linkedAccounts { id } }', {}, w.alice.token);
      expect(alice.data?.linkedAccounts).toHaveLength(1);
    },
  },
};

beforeAll(async () => {
  instance = await startTestInstance({ ROLE: 'api' });
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
  world = { alice, bob, aliceAccountId: (rows[0] as { id: string }).id };
});

afterAll(async () => {
  await instance?.stop();
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
    if (c.public) expect(codeOf(res)).not.toBe('UNAUTHENTICATED');
    else expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it.each(Object.entries(cases).filter(([, c]) => !c.public))(
    "%s never shows or changes another user's data",
    async (_name, c) => {
      await c.crossUser!(world);
    },
  );
});
