import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { LiveSubscription, liveClient } from '../../api/src/testing/graphql-ws-client.js';
import type { GraphqlResponse } from '../../api/src/testing/graphql-client.js';
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
  strict = await startTestInstance({
    ROLE: 'api',
    GRAPHQL_MAX_DEPTH: '5',
    GRAPHQL_INTROSPECTION: 'false',
    HTTP_BODY_MAX_MB: '1',
  });
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
    // Said first what is wrong with the one argument, then what the query would cost.
    expect(huge.errors![0]!.message).toMatch(
      /^first: 1000000 is more than a list serves \(pages take 1 to 100 items\); query would cost 3000000 /,
    );
  });

  it("counts a member's pipelines and versions by their quotas and a spec by its size, and a whole export once", async () => {
    const gql = graphqlClient(defaults.apiUrl);
    // Every version's spec of every pipeline (20 × 50 of up to 64 KiB) counted as 2 objects: 20
    // aliases read them all 20 times over.
    const versions = await gql('{ pipelines { id versions { version spec } } }', {}, defaultToken);
    expect(codeOf(versions)).toBe('BAD_USER_INPUT');
    expect(versions.errors![0]!.extensions).toMatchObject({ limit: 'cost', cost: 20 * (1 + 50 * 17) });
    // What the web app asks for stays well within the limit.
    const one = await gql<{ pipelines: { id: string }[] }>(
      '{ pipelines { id name spec } }',
      {},
      defaultToken,
    );
    expect(one.errors).toBeUndefined();
    const id = one.data!.pipelines[0]!.id;
    const history = await gql(
      'query($id: ID!) { pipeline(id: $id) { spec versions { version createdAt spec } } plugins { id configSchema } }',
      { id },
      defaultToken,
    );
    expect(history.errors).toBeUndefined();
    // A member's whole data is asked for alone.
    const exports = await gql('{ a: exportMyData b: exportMyData }', {}, defaultToken);
    expect(codeOf(exports)).toBe('BAD_USER_INPUT');
    expect(exports.errors![0]!.message).toBe(
      'exportMyData must be the only field of its operation (no aliases, no other fields)',
    );
    expect(codeOf(await gql('{ exportMyData me { id } }', {}, defaultToken))).toBe('BAD_USER_INPUT');
    expect((await gql('{ exportMyData }', {}, defaultToken)).errors).toBeUndefined();
  });
});

/** `query { ...F0 }`, each fragment spreading the next three times: 3^(levels-1) fields in ~700 bytes. */
function fragmentBomb(levels: number): string {
  let query = 'query { ...F0 }';
  for (let i = 0; i < levels - 1; i++)
    query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels - 1} on Query { __typename }`;
}

describe('query size', () => {
  it('refuses a fragment bomb by its expanded field count, before authentication', async () => {
    const res = await graphqlClient(defaults.apiUrl)(fragmentBomb(16));
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors!.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', limit: 'rootFields', rootFields: 3 ** 15, maxRootFields: 20 },
      { code: 'BAD_USER_INPUT', limit: 'fields', fields: 3 ** 15, maxFields: 1000 },
    ]);
    // The process answers at once afterwards (it was blocked for seconds, then lost connections).
    expect((await graphqlClient(defaults.apiUrl)('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('refuses more root fields than GRAPHQL_MAX_ROOT_FIELDS, aliases included, and over-long documents', async () => {
    const gql = graphqlClient(defaults.apiUrl);
    const aliases = (n: number, field: string) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const pipelines = await gql(aliases(21, 'pipelines { id versions { version } }'), {}, defaultToken);
    expect(codeOf(pipelines)).toBe('BAD_USER_INPUT');
    expect(pipelines.errors![0]!.message).toBe(
      'query selects 21 root fields (aliases included); at most 20 are allowed',
    );
    expect((await gql(aliases(20, 'me { id }'), {}, defaultToken)).errors).toBeUndefined();
    // 5,000 aliases are refused by the parser already (a document of at most 10,000 tokens).
    const many = await gql(aliases(5000, 'me { id }'), {}, defaultToken);
    expect(codeOf(many)).toBe('GRAPHQL_PARSE_FAILED');
    expect(many.errors![0]!.message).toMatch(/Document contains more tha. 10000 tokens/);
  });

  it('refuses a body over HTTP_BODY_MAX_MB', async () => {
    const response = await fetch(`${strict.apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
  });
});

describe('input', () => {
  it('refuses a variable nested deeper than 64 levels as BAD_USER_INPUT, before authentication', async () => {
    // Written out: JSON.stringify itself overflows the stack on 5,000 levels.
    const spec = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const query = 'query($spec: JSON!) { validatePipeline(spec: $spec) { valid } }';
    const response = await fetch(`${defaults.apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":${JSON.stringify(query)},"variables":{"spec":${spec}}}`,
    });
    const res = (await response.json()) as GraphqlResponse;
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/^\$spec(\.a){64}: nested more than 64 levels deep$/);
  });

  it('refuses a NUL character in any text input as BAD_USER_INPUT (PostgreSQL cannot store it)', async () => {
    const gql = graphqlClient(defaults.apiUrl);
    const cases: [string, Record<string, unknown>, string | undefined][] = [
      [
        'mutation($u: String!) { login(username: $u, password: "long enough password") { token } }',
        { u: 'a\u0000' },
        undefined,
      ],
      ['mutation { login(username: "a\\u0000", password: "long enough password") { token } }', {}, undefined],
      [
        'mutation($n: String!) { createPipeline(name: $n, spec: { stages: [] }) { id } }',
        { n: 'x\u0000' },
        defaultToken,
      ],
      [
        'mutation($s: JSON!) { createPipeline(name: "muted", spec: $s) { id } }',
        { s: { stages: [{ use: 'mute-words', with: { words: ['a\u0000'] } }] } },
        defaultToken,
      ],
      [
        'mutation($c: String!) { uploadPlugin(code: $c) { id } }',
        { c: 'export default {}\u0000' },
        defaultToken,
      ],
    ];
    for (const [query, variables, token] of cases) {
      const res = await gql(query, variables, token);
      expect([query, codeOf(res)]).toEqual([query, 'BAD_USER_INPUT']);
      expect(res.errors![0]!.message).toMatch(/text cannot contain NUL characters/);
    }
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

  it('is refused over graphql-ws too when GRAPHQL_INTROSPECTION=false', async () => {
    const live = liveClient(strict.apiUrl, strictToken);
    try {
      const schema = new LiveSubscription<unknown>(live.client, '{ __schema { queryType { name } } }');
      const answer = await schema.next();
      expect(answer.data).toBeUndefined();
      expect(answer.errors![0]!.message).toMatch(/introspection/i);
      const plain = new LiveSubscription<{ __typename: string }>(live.client, '{ __typename }');
      expect((await plain.next()).data).toEqual({ __typename: 'Query' });
    } finally {
      await live.dispose();
    }
  });
});
