import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { graphqlHttpHandler } from './graphql-http.js';

// The parts of Express 5 used here (the project has no @types/express).
type Handler = (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: () => void) => unknown;
interface Express {
  use(handler: Handler): void;
  use(path: string, handler: Handler): void;
  set(setting: string, value: unknown): void;
  listen(port: number, host: string): Server;
}
const require = createRequire(import.meta.url);
const express = require('express') as (() => Express) & { json(): Handler };

const typeDefs = `type Query { hello(name: String): String, big: String, fail: String }`;
const resolvers = {
  Query: {
    hello: (_: unknown, { name }: { name?: string }) => `hello ${name ?? 'you'}`,
    // Past Express's 1,000-character threshold, with characters of two, three and four UTF-8 bytes.
    big: () => 'é€😀 x'.repeat(400),
    fail: () => {
      throw new Error('boom');
    },
  },
};

let server: ApolloServer<{ who: string }>;
const servers: Server[] = [];
let [apollos, ours] = ['', ''];

/** Answers written through Express's res.send, by method. */
const sent: string[] = [];

/** An app as the API's: JSON bodies, no ETags, Nest's empty body for GET, then the handler. */
async function listen(handler: Handler): Promise<string> {
  const app = express();
  app.set('etag', false);
  app.use(express.json());
  app.use((req, res, next) => {
    const response = res as ServerResponse & { send(body: unknown): unknown };
    const send = response.send.bind(response);
    response.send = (body: unknown) => (sent.push(req.method ?? ''), send(body));
    next();
  });
  app.use('/graphql', (req, _res, next) => {
    req.body = req.body ?? {};
    next();
  });
  app.use('/graphql', handler);
  const http = app.listen(0, '127.0.0.1');
  servers.push(http);
  await new Promise((resolve) => http.once('listening', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
}

beforeAll(async () => {
  // As the API's (a landing page would differ by its random nonce alone).
  server = new ApolloServer<{ who: string }>({
    typeDefs,
    resolvers,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await server.start();
  const context = async () => ({ who: 'me' });
  apollos = await listen(expressMiddleware(server, { context }) as unknown as Handler);
  ours = await listen(graphqlHttpHandler(server, context) as unknown as Handler);
});

afterAll(async () => {
  for (const http of servers) http.close();
  await server.stop();
});

/** Status, headers (but the date) and body, byte for byte. */
async function answer(url: string, init: RequestInit, search = ''): Promise<unknown> {
  const res = await fetch(url + search, init);
  const headers = [...res.headers.entries()].filter(([name]) => name !== 'date');
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()).toString('base64') };
}

const json = { 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = json): RequestInit => ({
  method: 'POST',
  headers,
  body,
});

describe('graphqlHttpHandler', () => {
  const cases: [string, RequestInit, string?][] = [
    ['a query', post(JSON.stringify({ query: '{ hello(name: "x") }' }))],
    [
      'variables and an operation name',
      post(
        JSON.stringify({
          query: 'query Q($n: String) { hello(name: $n) }',
          variables: { n: 'é' },
          operationName: 'Q',
        }),
      ),
    ],
    ['a long answer of multibyte characters', post(JSON.stringify({ query: '{ big }' }))],
    ['an error of a resolver', post(JSON.stringify({ query: '{ fail }' }))],
    ['a syntax error', post(JSON.stringify({ query: '{ hello(' }))],
    ['a validation error', post(JSON.stringify({ query: '{ nope }' }))],
    ['no query', post(JSON.stringify({ variables: {} }))],
    ['a batch (not allowed)', post(JSON.stringify([{ query: '{ hello }' }]))],
    [
      'text/plain (CSRF prevention)',
      post(JSON.stringify({ query: '{ hello }' }), { 'content-type': 'text/plain' }),
    ],
    [
      'an Accept of graphql-response+json',
      post(JSON.stringify({ query: '{ hello }' }), { ...json, accept: 'application/graphql-response+json' }),
    ],
    ['a GET without a preflight header', { method: 'GET' }, '?query=%7B%20hello%20%7D'],
    [
      'a GET with one',
      { method: 'GET', headers: { 'apollo-require-preflight': '1' } },
      '?query=%7B%20hello%20%7D&x=1#frag',
    ],
    [
      'a GET with a mutation',
      { method: 'GET', headers: { 'apollo-require-preflight': '1' } },
      '?query=mutation%20%7B%20x%20%7D',
    ],
    ['a GET from a browser (no landing page)', { method: 'GET', headers: { accept: 'text/html' } }],
    ['a PUT', { method: 'PUT', headers: json, body: '{}' }],
  ];
  it("writes a POST's answer itself, the rest through res.send", async () => {
    sent.length = 0;
    await answer(ours, post(JSON.stringify({ query: '{ hello }' })));
    await answer(ours, post(JSON.stringify({ query: '{ hello(' }))); // 400, still JSON
    expect(sent).toEqual([]);
    await answer(ours, { method: 'GET', headers: { 'apollo-require-preflight': '1' } }, '?query=%7Bhello%7D');
    expect(sent).toEqual(['GET']);
  });

  for (const [name, init, search] of cases) {
    it(`answers as @as-integrations/express5 does: ${name}`, async () => {
      expect(await answer(ours, init, search)).toEqual(await answer(apollos, init, search));
    });
  }
});
