// Every query, mutation and subscription, one by one: without a token it is refused (unless
// public), and one user can never read or change another's data. The cases (in ./isolation/) must
// cover the whole schema, so a new resolver without a case fails this test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { readFile } from 'node:fs/promises';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { FakeMastodonServer, blueskyNetwork, freePort } from '@tributary/testing';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { caseGroups } from './isolation/index.js';
import type { IsolationCase, TestUser, World } from './isolation/world.js';
import { sql } from './isolation/world.js';
import { linkBluesky } from './link-accounts.js';
import { startTestInstance } from './test-instance.js';

const cases: [string, IsolationCase][] = caseGroups.flatMap((group) => Object.entries(group.cases));
let world: World;

beforeAll(async () => {
  const mastodon = await FakeMastodonServer.start();
  const network = await blueskyNetwork();
  const instance = await startTestInstance({
    MASTODON_ALLOWED_HOSTS: mastodon.host,
    MASTODON_ALLOW_HTTP: 'true',
    // "Sign in with Bluesky" on the reference PDS: a loopback client on a known port.
    PORT: String(await freePort()),
    BLUESKY_ALLOWED_HOSTS: [new URL(network.info.pdsUrl).host, new URL(network.info.plcUrl).host].join(','),
    BLUESKY_PLC_URL: network.info.plcUrl,
    BLUESKY_HANDLE_RESOLVER: network.info.pdsUrl,
  });
  const gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps.at(-1)!.get(AuthService); // the API starts last
  const signUp = async (username: string): Promise<TestUser> => {
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
  const aliceBluesky = await network.createAccount('alice');
  const aliceBlueskyAccountId = await linkBluesky(gql, alice.token, aliceBluesky, network.info.pdsUrl);
  world = {
    instance,
    gql,
    alice,
    bob,
    aliceAccountId: '',
    aliceBluesky,
    aliceBlueskyAccountId,
    aliceBlueskyDomain: new URL(network.info.pdsUrl).origin,
    mastodon,
  };
  const [row] = await sql<{ id: string }>(
    world,
    `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
     VALUES (gen_random_uuid(), $1, 'BLUESKY', 'did:plc:alice', 'alice.test', 'https://pds.test', 'v1.sealed', now())
     RETURNING id`,
    [alice.id],
  );
  world.aliceAccountId = row!.id;
  for (const group of caseGroups) await group.prepare?.(world);
  // One shared world for every feature's cases: linking, seeding and preparing takes a while.
}, 300_000);

afterAll(async () => {
  await world?.instance.stop();
  await world?.mastodon.close();
});

describe('authorization of every resolver', () => {
  it('has a case for every query, mutation and subscription in the schema', async () => {
    const schema = buildSchema(await readFile('apps/api/schema.graphql', 'utf8'));
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => (type ? Object.keys(type.getFields()) : []))
      .sort();
    expect(cases.map(([name]) => name).sort()).toEqual(fields);
  });

  it.each(cases)('%s refuses anonymous callers unless public', async (_name, c) => {
    if (typeof c.anonymous === 'function') {
      expect(await c.anonymous(world)).toBe('UNAUTHENTICATED');
      return;
    }
    const res = await world.gql(c.anonymous);
    if (c.public) expect(res.errors?.[0]?.message ?? '').not.toMatch(/bearer token/);
    else expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  // PostgreSQL text cannot hold a NUL: each field's first string argument gets one.
  it.each(cases.filter(([, c]) => typeof c.anonymous === 'string' && /"[^"]*"/.test(c.anonymous)))(
    '%s refuses a NUL character in its text input, before anything else',
    async (_name, c) => {
      const res = await world.gql((c.anonymous as string).replace(/"[^"]*"/, '"x\\u0000"'));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBe(
        'a string in the query: text cannot contain NUL characters (\\u0000)',
      );
    },
  );

  it.each(cases.filter(([, c]) => !c.public))(
    "%s never shows or changes another user's data",
    async (_name, c) => {
      await c.crossUser!(world);
    },
  );
});

it('the fake Mastodon instance saw no request and sent no answer outside the API description', () => {
  expect(world.mastodon.violations).toEqual([]);
});
