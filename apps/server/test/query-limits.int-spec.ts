import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(120_000);

// Two API processes: one with a low depth limit and introspection off, one with the defaults.
let strict: TestInstance;
let defaults: TestInstance;
let strictToken: string;
let defaultToken: string;

async function member(instance: TestInstance): Promise<string> {
  const auth = instance.running.apps[0]!.get(AuthService, { strict: false });
  const invite = await auth.createInvite(null, 'MEMBER');
  return (await auth.signUp(invite.code, 'limits', 'correct horse battery staple', 'test', '127.0.0.1'))
    .token;
}

beforeAll(async () => {
  strict = await startTestInstance({ ROLE: 'api', GRAPHQL_MAX_DEPTH: '5', GRAPHQL_INTROSPECTION: 'false' });
  defaults = await startTestInstance({ ROLE: 'api' });
  strictToken = await member(strict);
  defaultToken = await member(defaults);
});

afterAll(async () => {
  await strict?.stop();
  await defaults?.stop();
});

const items = (first: number | string, alias = 'timeline') =>
  `${alias}: timeline(first: ${first}) { edges { node { post { id author { handle } } } } }`;

describe('query depth', () => {
  it('refuses an operation nested deeper than GRAPHQL_MAX_DEPTH, before running it', async () => {
    const gql = graphqlClient(strict.apiUrl);
    // timeline > edges > node > post > author > handle: 6 levels.
    const res = await gql(`{ ${items(1)} }`, {}, strictToken);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toBe('query is nested 6 levels deep; at most 5 are allowed');
    expect(res.data ?? null).toBeNull();
    // Hiding the depth in fragments does not help.
    const viaFragments = await gql(
      `query { timeline(first: 1) { ...E } } fragment E on TimelineConnection { edges { node { ...N } } }
       fragment N on TimelineItem { post { author { handle } } }`,
      {},
      strictToken,
    );
    expect(codeOf(viaFragments)).toBe('BAD_USER_INPUT');
    // Five levels pass.
    const ok = await gql('{ timeline(first: 1) { edges { node { post { id } } } } }', {}, strictToken);
    expect(ok.errors).toBeUndefined();
    expect(ok.data).toEqual({ timeline: { edges: [] } });
  });

  it('applies to anonymous callers too (limits come before authentication)', async () => {
    const res = await graphqlClient(strict.apiUrl)(`{ ${items(1)} }`);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });
});

describe('query cost', () => {
  it('counts list fields `first` times, with variables, and refuses past GRAPHQL_MAX_COST', async () => {
    const gql = graphqlClient(defaults.apiUrl);
    // One full-size page: 100 × (the connection's share, edge, item, post, author) = 500.
    expect((await gql(`{ ${items(100)} }`, {}, defaultToken)).errors).toBeUndefined();
    // Ten of them fit the default 5000; eleven do not.
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => items(100, `p${i}`)).join(' ');
    expect((await gql(`{ ${aliases(10)} }`, {}, defaultToken)).errors).toBeUndefined();
    const tooMany = await gql(`{ ${aliases(11)} }`, {}, defaultToken);
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0]!.message).toBe(
      'query would cost 5500 (objects resolved; list fields count `first` items each); at most 5000 is allowed',
    );
    expect(tooMany.errors![0]!.extensions).toMatchObject({ limit: 'cost', cost: 5500, maxCost: 5000 });
    // The size comes from the variables as well: 1,000,000 × (connection, edge, item).
    const huge = await gql(
      'query($n: Int) { timeline(first: $n) { edges { node { id } } } }',
      { n: 1_000_000 },
      defaultToken,
    );
    expect(codeOf(huge)).toBe('BAD_USER_INPUT');
    expect(huge.errors![0]!.message).toMatch(/^query would cost 3000000 /);
  });
});

describe('introspection', () => {
  it('answers the standard introspection query by default (not counted against depth or cost)', async () => {
    const res = await graphqlClient(defaults.apiUrl)<{ __schema: { queryType: { name: string } } }>(
      getIntrospectionQuery(),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.__schema.queryType.name).toBe('Query');
  });

  it('is refused when GRAPHQL_INTROSPECTION=false', async () => {
    const res = await graphqlClient(strict.apiUrl)(getIntrospectionQuery(), {}, strictToken);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).toMatch(/introspection is not allowed/i);
    const type = await graphqlClient(strict.apiUrl)('{ __type(name: "Query") { name } }', {}, strictToken);
    expect(codeOf(type)).toBe('GRAPHQL_VALIDATION_FAILED');
    // Ordinary queries still work there.
    expect((await graphqlClient(strict.apiUrl)('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
