import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import type { GraphQLRequestContextDidResolveOperation, GraphQLRequestListener } from '@apollo/server';
import { checkQueryLimits, depthLimitRule, operationCost, queryCostPlugin } from './query-limits.js';

const schema = buildSchema(`
  type Query { feed(first: Int = 20): [Item!]!, item(id: ID!): Item, me: User }
  type Item { id: ID!, text: String!, author: User!, replies(limit: Int): [Item!]!, tags: [String!]! }
  type User { name: String!, items(first: Int!): [Item!]! }
`);

const depthErrors = (query: string, max: number) =>
  validate(schema, parse(query), [...specifiedRules, depthLimitRule(max)]).map((e) => e.message);

describe('depth limit rule', () => {
  it('counts root fields as depth 1 and follows fragments and inline fragments', () => {
    expect(depthErrors('{ me { name } }', 2)).toEqual([]);
    expect(depthErrors('{ me { items(first: 1) { id } } }', 2)).toEqual([
      'query is nested 3 levels deep; at most 2 are allowed',
    ]);
    expect(
      depthErrors(
        '{ me { ...U } } fragment U on User { items(first: 1) { ... on Item { author { name } } } }',
        3,
      ),
    ).toEqual(['query is nested 4 levels deep; at most 3 are allowed']);
  });

  it('ignores introspection fields and survives fragment cycles (refused by GraphQL itself)', () => {
    expect(
      depthErrors('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 2),
    ).toEqual([]);
    const cyclic = depthErrors(
      '{ item(id: 1) { ...A } } fragment A on Item { author { items(first: 1) { ...A } } }',
      10,
    );
    expect(cyclic.some((m) => /Cannot spread fragment "A" within itself/.test(m))).toBe(true);
  });
});

describe('cost', () => {
  const cost = (query: string, variables?: Record<string, unknown>) =>
    operationCost(schema, parse(query), variables, null);

  it('is the number of objects: scalars free, list fields times their size argument, defaults applied', () => {
    expect(cost('{ me { name } }')).toBe(1);
    expect(cost('{ item(id: 1) { id text tags author { name } } }')).toBe(2);
    expect(cost('{ feed { id } }')).toBe(20); // the schema's default `first`
    expect(cost('{ feed(first: 5) { author { items(first: 3) { id } } } }')).toBe(5 * (1 + 1 + 3));
    expect(cost('{ item(id: 1) { replies(limit: 4) { id } } }')).toBe(1 + 4);
    expect(cost('query($n: Int) { feed(first: $n) { id } }', { n: 7 })).toBe(7);
    expect(cost('query($n: Int) { feed(first: $n) { id } }', { n: -3 })).toBe(1);
    expect(cost('query($s: Boolean!) { me { name } feed(first: 9) @skip(if: $s) { id } }', { s: true })).toBe(
      1,
    );
  });

  it('checkQueryLimits reports depth and cost for transports outside Apollo (graphql-ws)', () => {
    const doc = parse('query Big($n: Int) { feed(first: $n) { author { items(first: 100) { id } } } }');
    const errors = checkQueryLimits({ maxDepth: 3, maxCost: 1000 }, schema, doc, { n: 50 }, 'Big');
    expect(errors.map((e) => [e.message, e.extensions['code']])).toEqual([
      ['query is nested 4 levels deep; at most 3 are allowed', 'BAD_USER_INPUT'],
      [
        'query would cost 5100 (objects resolved; list fields count `first` items each); at most 1000 is allowed',
        'BAD_USER_INPUT',
      ],
    ]);
    expect(checkQueryLimits({ maxDepth: 4, maxCost: 6000 }, schema, doc, { n: 50 }, 'Big')).toEqual([]);
  });
});

describe('cost plugin (Apollo)', () => {
  /** Runs the plugin's hook on one parsed document, as Apollo would for each request carrying it. */
  async function check(
    hooks: GraphQLRequestListener<object>,
    document: ReturnType<typeof parse>,
    variables: Record<string, unknown>,
  ): Promise<string> {
    const context = {
      schema,
      document,
      operation: document.definitions[0] as OperationDefinitionNode,
      operationName: null,
      request: { variables },
    } as unknown as GraphQLRequestContextDidResolveOperation<object>;
    try {
      await hooks.didResolveOperation!(context);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  }

  it('remembers costs per document and size variables, never across sizes, skips or operations', async () => {
    const plugin = queryCostPlugin(100);
    const hooks = (await plugin.requestDidStart!({} as never))!;
    const page = parse(
      'query($n: Int, $after: String, $more: Boolean!) { feed(first: $n) { id } me @include(if: $more) { items(first: 90) { id } } }',
    );
    expect(await check(hooks, page, { n: 50, after: 'a', more: false })).toBe('ok');
    expect(await check(hooks, page, { n: 50, after: 'b', more: false })).toBe('ok');
    expect(await check(hooks, page, { n: 500, after: 'b', more: false })).toMatch(/would cost 500/);
    expect(await check(hooks, page, { n: 50, after: 'c', more: true })).toMatch(/would cost 141/);
    expect(await check(hooks, page, { n: 50, after: 'd', more: false })).toBe('ok');
    const other = parse('query($n: Int) { feed(first: $n) { author { items(first: 3) { id } } } }');
    expect(await check(hooks, other, { n: 50 })).toMatch(/would cost 250/);
  });
});
