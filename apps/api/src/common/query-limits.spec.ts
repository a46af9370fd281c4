import { describe, expect, it } from '@jest/globals';
import { Kind, buildSchema, parse, specifiedRules, validate, visit } from 'graphql';
import type { DocumentNode, GraphQLObjectType, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { GraphQLRequestContextDidResolveOperation, GraphQLRequestListener } from '@apollo/server';
import type { FieldCost } from './query-limits.js';
import {
  checkCost,
  costKey,
  operationCost,
  operationShape,
  queryLimitsPlugin,
  queryShapeRule,
} from './query-limits.js';

const schema = buildSchema(`
  scalar JSON
  type Query { feed(first: Int = 20): [Item!]!, item(id: ID!): Item, me: User, check(spec: JSON): Boolean }
  type Item { id: ID!, text: String!, author: User!, replies(limit: Int): [Item!]!, tags: [String!]! }
  type User { name: String!, items(first: Int!): [Item!]! }
`);

/** The quotas fields may state their sizes by; this schema's fields state none. */
const quotas = {
  PIPELINES_PER_USER: 20,
  PIPELINE_VERSIONS_KEPT: 50,
  PLUGINS_PER_USER: 20,
  PIPELINE_SPEC_MAX_KB: 64,
};

const unlimited = { maxDepth: 1000, maxFields: Infinity, maxRootFields: Infinity };
const shapeErrors = (query: string, limits: Partial<typeof unlimited>) =>
  validate(schema, parse(query), [...specifiedRules, queryShapeRule({ ...unlimited, ...limits })]).map(
    (e) => [e.message, e.extensions['code']] as const,
  );
const depthErrors = (query: string, maxDepth: number) => shapeErrors(query, { maxDepth }).map(([m]) => m);

/** `query { ...F0 }`, each fragment spreading the next three times: 3^(levels-1) fields from a few hundred bytes. */
function fragmentBomb(levels: number): string {
  let query = 'query { ...F0 }';
  for (let i = 0; i < levels - 1; i++)
    query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels - 1} on Query { __typename }`;
}

/** The document, with every read of a selection set's `selections` counted. */
function countingReads(document: DocumentNode): {
  document: DocumentNode;
  sets: number;
  reads: () => number;
} {
  let reads = 0;
  let sets = 0;
  const counted: DocumentNode = visit(document, {
    SelectionSet(node: SelectionSetNode) {
      sets++;
      const { selections } = node;
      return Object.defineProperty({ ...node }, 'selections', {
        enumerable: true,
        get: () => (reads++, selections),
      });
    },
  });
  reads = 0; // visit() read each once
  return { document: counted, sets, reads: () => reads };
}

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

describe('fragment expansion', () => {
  it('measures a fragment bomb in one pass: each selection set is read once, however often it is spread', () => {
    const { document, sets, reads } = countingReads(parse(fragmentBomb(12)));
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
    expect(operationShape(operation, document)).toEqual({ depth: 0, fields: 3 ** 11, rootFields: 3 ** 11 });
    expect(reads()).toBe(sets); // 3^11 = 177,147 reads when every spread was walked again
  });

  it('refuses too many fields (fragments counted each time they are spread) and too many root fields', () => {
    expect(shapeErrors(fragmentBomb(16), { maxFields: 1000 })).toEqual([
      [
        'query selects 14348907 fields (fragments counted each time they are spread); at most 1000 are allowed',
        'BAD_USER_INPUT',
      ],
    ]);
    const aliases = Array.from({ length: 5000 }, (_, i) => `a${i}: me { name }`).join(' ');
    expect(shapeErrors(`{ ${aliases} }`, { maxRootFields: 20, maxFields: 20_000 })).toEqual([
      ['query selects 5000 root fields (aliases included); at most 20 are allowed', 'BAD_USER_INPUT'],
    ]);
    // Within the limits: 2 root fields, 5 fields in all.
    expect(
      shapeErrors('{ me { name } ...Q } fragment Q on Query { feed(first: 2) { id text } }', {
        maxFields: 5,
        maxRootFields: 2,
      }),
    ).toEqual([]);
  });
});

describe('cost', () => {
  const cost = (query: string, variables?: Record<string, unknown>) =>
    operationCost(schema, parse(query), variables, null, quotas);

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

  it('counts a list a quota bounds as that many items, and a scalar that may be large by its size', () => {
    const stated = buildSchema(`
      scalar JSON
      type Query { pipelines: [Pipeline!]!, me: User }
      type Pipeline { id: ID!, spec: JSON!, versions: [Version!]! }
      type Version { version: Int!, spec: JSON! }
      type User { name: String! }
    `);
    const fieldsOf = (type: string) => (stated.getType(type) as GraphQLObjectType).getFields();
    const state = (field: { extensions: unknown }, cost: FieldCost) =>
      Object.assign(field, { extensions: { cost } });
    state(fieldsOf('Query')['pipelines']!, { listSize: 'PIPELINES_PER_USER' });
    state(fieldsOf('Pipeline')['versions']!, { listSize: 'PIPELINE_VERSIONS_KEPT' });
    state(fieldsOf('Pipeline')['spec']!, { maxKib: 'PIPELINE_SPEC_MAX_KB' });
    state(fieldsOf('Version')['spec']!, { maxKib: 'PIPELINE_SPEC_MAX_KB' });
    const cost = (query: string) => operationCost(stated, parse(query), {}, null, quotas);
    // 20 pipelines; a spec of up to 64 KiB is worth 16 objects.
    expect(cost('{ pipelines { id } }')).toBe(20);
    expect(cost('{ pipelines { id spec } }')).toBe(20 * (1 + 16));
    // The multiplied field: every version of every pipeline. It cost 2 per alias, so 20
    // aliases (the most an operation may have) read every spec 20 times over at a cost of 40.
    expect(cost('{ pipelines { versions { version } } }')).toBe(20 * (1 + 50));
    expect(cost('{ pipelines { versions { spec } } }')).toBe(20 * (1 + 50 * (1 + 16)));
    expect(cost('{ me { name } }')).toBe(1);
    // The quotas are the deployment's.
    const smaller = { ...quotas, PIPELINES_PER_USER: 3, PIPELINE_SPEC_MAX_KB: 4 };
    expect(operationCost(stated, parse('{ pipelines { spec } }'), {}, null, smaller)).toBe(3 * (1 + 1));
  });

  it('names a size no list serves, not only the cost', () => {
    const doc = parse('query($n: Int) { feed(first: $n) { id author { name } } }');
    const [error] = checkCost({ maxCost: 1000, quotas }, schema, doc, { n: 100000 });
    expect(error?.message).toMatch(
      /^first: 100000 is more than a list serves \(pages take 1 to 100 items\); query would cost/,
    );
    expect(
      checkCost({ maxCost: 100, quotas }, schema, parse('{ feed(first: 150) { id author { name } } }'))[0]
        ?.message,
    ).toMatch(/^query would cost/);
  });

  it('checkCost reports the cost for transports outside Apollo (graphql-ws)', () => {
    const doc = parse('query Big($n: Int) { feed(first: $n) { author { items(first: 100) { id } } } }');
    const errors = checkCost({ maxCost: 1000, quotas }, schema, doc, { n: 50 }, 'Big');
    expect(errors.map((e) => [e.message, e.extensions['code']])).toEqual([
      [
        'query would cost 5100 (objects resolved; list fields count `first` items each); at most 1000 is allowed',
        'BAD_USER_INPUT',
      ],
    ]);
    expect(checkCost({ maxCost: 6000, quotas }, schema, doc, { n: 50 }, 'Big')).toEqual([]);
  });
});

describe('limits plugin (Apollo)', () => {
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
    const plugin = queryLimitsPlugin({ maxCost: 100, quotas });
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

  it('refuses bad input in the variables before computing anything (it runs before authentication)', async () => {
    const hooks = (await queryLimitsPlugin({ maxCost: 100, quotas }).requestDidStart!({} as never))!;
    const document = parse('query($n: Int, $spec: JSON) { feed(first: $n) { id } check(spec: $spec) }');
    let nested: unknown = 1;
    for (let i = 0; i < 5000; i++) nested = { a: nested };
    expect(await check(hooks, document, { n: 5, spec: nested })).toBe(
      '$spec.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nested more than 64 levels deep',
    );
    expect(await check(hooks, document, { n: 5, spec: { words: ['ok', 'nul\u0000'] } })).toBe(
      '$spec.words[1]: text cannot contain NUL characters (\\u0000)',
    );
  });
});

describe('cost cache key', () => {
  const operation = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;
  const withSpec = operation('query($n: Int!, $more: Boolean, $spec: JSON, $after: String) { me { name } }');

  it('holds only the Int and Boolean variables, whatever else a request carries', () => {
    const huge = { words: Array.from({ length: 100_000 }, (_, i) => `word${i}`) };
    expect(costKey(withSpec, { n: 20, more: true, spec: huge, after: 'x'.repeat(1_000_000) })).toBe(
      '20,true,',
    );
    let nested: unknown = 1;
    for (let i = 0; i < 5000; i++) nested = { a: nested };
    expect(costKey(withSpec, { n: 20, spec: nested })).toBe('20,null,');
  });

  it('is null (nothing remembered) for a bad value or past a few hundred characters of them', () => {
    expect(costKey(withSpec, { n: 'x'.repeat(1000) })).toBeNull();
    const many = Array.from({ length: 200 }, (_, i) => `$v${i}: Int`).join(', ');
    const variables = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`v${i}`, 123456789]));
    expect(costKey(operation(`query(${many}) { me { name } }`), variables)).toBeNull();
  });
});
