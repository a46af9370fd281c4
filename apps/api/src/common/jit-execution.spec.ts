import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { NestFactory } from '@nestjs/core';
import {
  Field,
  GraphQLSchemaBuilderModule,
  GraphQLSchemaFactory,
  ObjectType,
  Query,
  Resolver,
} from '@nestjs/graphql';
import type { GraphQLFormattedError, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { GraphQLError, buildSchema, graphql } from 'graphql';
import { jitGateway, withoutPropertyResolvers } from './jit-execution.js';

class NotFound extends Error {}

const schema = buildSchema(`
  type Query { items(first: Int!): [Item!]!, item(id: ID!): Item, broken: String, echo(f: Filter!): String }
  type Item { id: ID!, text: String!, tags: [String!]!, next: Item }
  enum Mode { FAST SLOW }
  input Inner { mode: Mode! = SLOW, n: Int }
  input Filter { multiple: Boolean! = false, name: String, inner: Inner, inners: [Inner!] }
`);
/** JSON with sorted keys: what the resolver received, whatever order its fields came in. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
const item = (id: number) => ({ id: String(id), text: `item ${id}`, tags: id % 2 ? ['odd'] : [] });
const query = schema.getQueryType()!.getFields();
query['items']!.resolve = (_: unknown, { first }: { first: number }) =>
  Array.from({ length: first }, (_, i) => item(i + 1));
query['item']!.resolve = (_: unknown, { id }: { id: string }) => {
  if (id === 'missing') throw new NotFound(`no item ${id}`);
  if (id === 'nulltext') return { id, text: null, tags: [] };
  if (id === 'coded') throw new GraphQLError('refused', { extensions: { code: 'FORBIDDEN' } });
  return item(Number(id));
};
query['broken']!.resolve = () => Promise.reject(new TypeError('oops'));
query['echo']!.resolve = (_: unknown, { f }: { f: unknown }) => sortedJson(f);
const itemFields = (schema.getType('Item') as ReturnType<typeof schema.getQueryType> & object).getFields();
itemFields['next']!.resolve = (parent: { id: string }) => {
  if (parent.id === '2') throw new NotFound('no next');
  return item(Number(parent.id) + 1);
};

// What the API's formatError reads: the code, path, locations and its own error classes behind
// an error (AppException, ConnectorError; here NotFound and TypeError). Errors GraphQL raises
// itself (a null in a non-null field) have a plain Error behind them in graphql-js and none in
// graphql-jit: both are "unexpected" to formatError.
const formatError = (formatted: GraphQLFormattedError, error: unknown) => {
  const original = (error as GraphQLError).originalError;
  const ours = original instanceof NotFound || original instanceof TypeError;
  return {
    ...formatted,
    extensions: { ...formatted.extensions, original: ours ? original.constructor.name : null },
  };
};

async function run(server: ApolloServer, q: string, variables: Record<string, unknown> = {}) {
  const response = await server.executeOperation({ query: q, variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('jitGateway', () => {
  const jit = new ApolloServer({ gateway: jitGateway(() => schema), formatError });
  const reference = new ApolloServer({ schema, formatError });

  it.each([
    ['data', '{ items(first: 3) { id text tags next { id } } }', {}],
    ['variables', 'query($n: Int!) { items(first: $n) { id } }', { n: 2 }],
    [
      'a thrown error, with its path, locations and original error',
      '{ a: item(id: "1") { id } b: item(id: "missing") { id } }',
      {},
    ],
    ['an error with its own code', '{ item(id: "coded") { id } }', {}],
    ['a null in a non-null field, nulling its parent', '{ item(id: "nulltext") { id text } }', {}],
    ['a rejected promise', '{ broken }', {}],
    ['an error deep in a list', '{ items(first: 3) {\n  id\n  next { id } } }', {}],
    ['a bad variable', 'query($n: Int!) { items(first: $n) { id } }', { n: 'x' }],
    ['a named operation among two', 'query A { broken } query B { items(first: 1) { id } }', {}],
    [
      'input fields left out of a variable take their defaults, non-null ones too, nested and in lists',
      'query($f: Filter!) { echo(f: $f) }',
      { f: { name: 'a', inner: { n: 1 }, inners: [{}, { mode: 'FAST' }] } },
    ],
    [
      'a non-null input field given null is refused',
      'query($f: Filter!) { echo(f: $f) }',
      { f: { multiple: null } },
    ],
  ])('answers exactly as graphql-js does: %s', async (_, q, variables) => {
    const [compiled, expected] = [await run(jit, q, variables), await run(reference, q, variables)];
    expect(compiled).toEqual(expected);
    expect(compiled.errors === undefined).toBe(expected.errors === undefined);
  });

  it("empties an HTTP answer's data only once its response is closed", async () => {
    const res = new EventEmitter();
    const q = '{ items(first: 2) { id } }';
    const answer = await jit.executeOperation({ query: q }, { contextValue: { req: { res } } });
    if (answer.body.kind !== 'single') throw new Error('expected a single result');
    const expected = { items: [{ id: '1' }, { id: '2' }] };
    expect(answer.body.singleResult.data).toEqual(expected);
    res.emit('close');
    expect(answer.body.singleResult.data).toEqual({});
    // Without a response to wait for (graphql-ws, in-process calls) the data stays.
    expect((await run(jit, q)).data).toEqual(expected);
  });
});

// A code-first schema as Nest builds it: every field gets a resolver, most of them only reading the
// property of the same name.
@ObjectType()
class Thing {
  @Field() plain!: string;
  @Field(() => [String]) list!: string[];
  @Field({ name: 'renamed' }) internalName!: string;
  @Field({ nullable: true, defaultValue: 'fallback' }) defaulted?: string;
  @Field({ middleware: [async (_context, next) => String(await next()).toUpperCase()] }) shouted!: string;
}

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => [Thing])
  things(): Thing[] {
    return [];
  }
}

async function nestSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  await app.init();
  const schema = await app.get(GraphQLSchemaFactory).create([ThingResolver]);
  await app.close();
  schema.getQueryType()!.getFields()['things']!.resolve = () => [
    { plain: 'a', list: ['x'], internalName: 'r', shouted: 'hey' },
    { plain: 'b', list: [], internalName: 's', defaulted: 'given', shouted: 'ho' },
  ];
  return schema;
}

describe('withoutPropertyResolvers', () => {
  it("removes only Nest's plain property readers, and answers stay graphql-js's", async () => {
    const schema = await nestSchema();
    const fields = (schema.getType('Thing') as GraphQLObjectType).getFields();
    expect(fields['plain']!.resolve).toBeDefined(); // what Nest builds
    const q = '{ things { plain list renamed defaulted shouted } }';
    const expected = { ...(await graphql({ schema, source: q })) };
    expect(expected).toEqual({
      data: {
        things: [
          { plain: 'a', list: ['x'], renamed: 'r', defaulted: 'fallback', shouted: 'HEY' },
          { plain: 'b', list: [], renamed: 's', defaulted: 'given', shouted: 'HO' },
        ],
      },
    });

    withoutPropertyResolvers(schema);
    expect(fields['plain']!.resolve).toBeUndefined();
    expect(fields['list']!.resolve).toBeUndefined();
    for (const kept of ['renamed', 'defaulted', 'shouted']) expect(fields[kept]!.resolve).toBeDefined();
    expect({ ...(await graphql({ schema, source: q })) }).toEqual(expected);
    expect(await run(new ApolloServer({ gateway: jitGateway(() => schema) }), q)).toEqual(expected);
  });
});
