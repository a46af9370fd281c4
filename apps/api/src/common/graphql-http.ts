// GraphQL over HTTP: Apollo's Express integration (@as-integrations/express5, which Nest's
// ApolloDriver mounts), doing less per request. A timeline page answers ~75 kB of JSON; the
// integration parsed each request's URL with the legacy url.parse, and Express's `res.send`
// re-encoded the answer into a Buffer of its own and parsed and printed its Content-Type again
// (together ~3% of the API's CPU per page, tools/bench/timeline-read.bench.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { BaseContext, HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloDriver } from '@nestjs/apollo';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';

/** The parts of Express 5's request and response used here (the project has no @types/express). */
interface Request extends IncomingMessage {
  method: string;
  url: string;
  body?: unknown;
  app?: { get(setting: string): unknown };
}
interface Response extends ServerResponse {
  status(code: number): this;
  send(body: unknown): this;
}
interface Application {
  use(path: string, handler: (req: Request, res: Response) => Promise<void>): unknown;
}

type ContextFunction<TContext> = (args: { req: Request; res: Response }) => TContext | Promise<TContext>;

/** A Content-Type as Express's `res.send` leaves it (it sets `charset=utf-8` on every text answer). */
const CANONICAL_UTF8_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+; charset=utf-8$/;

/**
 * The answer as Express's `res.send(body)` writes it, without what makes no difference to a
 * POST's answer that Apollo typed as UTF-8 text: the same status, headers (Content-Length as
 * Express computes it) and bytes, written as text (Node encodes it once, into the socket's
 * write) instead of a Buffer made first. Anything else goes through `res.send`.
 */
function sendAnswer(req: Request, res: Response, body: string): void {
  const type = res.getHeader('content-type');
  if (
    req.method !== 'POST' ||
    typeof type !== 'string' ||
    !CANONICAL_UTF8_TYPE.test(type) ||
    res.statusCode === 204 ||
    res.statusCode === 205 ||
    res.statusCode === 304 ||
    res.getHeader('etag') !== undefined ||
    res.getHeader('transfer-encoding') !== undefined ||
    typeof req.app?.get('etag fn') === 'function'
  ) {
    res.send(body);
    return;
  }
  res.setHeader('Content-Length', String(Buffer.byteLength(body, 'utf8')));
  res.end(body, 'utf8');
}

/** The query string of a request target, as url.parse gave it to Apollo (`?…`, no fragment). */
function searchOf(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return '';
  const hash = url.indexOf('#', query);
  return hash < 0 ? url.slice(query) : url.slice(query, hash);
}

/**
 * `expressMiddleware(server, { context })` of @as-integrations/express5, answering the same.
 * Express 5 hands a rejected promise (Apollo failing outside a request's own errors) to `next`.
 */
export function graphqlHttpHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  context: ContextFunction<TContext>,
): (req: Request, res: Response) => Promise<void> {
  server.assertStarted('graphqlHttpHandler()');
  return async (req, res) => {
    if (!('body' in req)) {
      res.status(500);
      res.send(
        '`req.body` is not set; this probably means you forgot to set up the ' +
          '`json` middleware before the Apollo Server middleware.',
      );
      return;
    }
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: req.method.toUpperCase(),
      headers,
      search: searchOf(req.url),
      body: req.body,
    };
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => Promise.resolve(context({ req, res })),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      sendAnswer(req, res, response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      res.write(chunk);
      const flushable = res as Response & { flush?: () => void };
      if (typeof flushable.flush === 'function') flushable.flush();
    }
    res.end();
  };
}

/**
 * Nest's ApolloDriver on Express with {@link graphqlHttpHandler} in place of
 * @as-integrations/express5: the rest of `registerExpress` as Nest's own (the empty body for GET,
 * the server drained with the HTTP server, the plugins and options as given).
 */
@Injectable()
export class ApolloExpressDriver extends ApolloDriver {
  protected override async registerExpress(
    options: ApolloDriverConfig,
    { preStartHook }: { preStartHook?: () => void } = {},
  ): Promise<void> {
    const { path } = options;
    if (!path) throw new Error('the GraphQL path is not set (Nest defaults it to /graphql)');
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    // As Nest: body-parser leaves no body on a request without one (a GET), which Apollo needs.
    httpAdapter.use(path, (req: Request, _res: Response, next: () => void) => {
      req.body = req.body ?? {};
      next();
    });
    const app = httpAdapter.getInstance<Application>();
    const drain = ApolloServerPluginDrainHttpServer({ httpServer: httpAdapter.getHttpServer() });
    preStartHook?.();
    const server = new ApolloServer<BaseContext>({
      ...(options as object),
      plugins: [...(options.plugins ?? []), drain],
    } as ConstructorParameters<typeof ApolloServer<BaseContext>>[0]);
    await server.start();
    const context = (options.context ?? (() => ({}))) as ContextFunction<BaseContext>;
    app.use(path, graphqlHttpHandler(server, context));
    this.apolloServer = server;
  }
}
