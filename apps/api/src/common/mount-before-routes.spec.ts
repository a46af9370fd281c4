import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { mountBeforeRoutes } from './mount-before-routes.js';

// The parts of Express 5 used here (the project has no @types/express).
type Request = IncomingMessage & { path: string };
type Response = ServerResponse & { send(body: string): Response; status(code: number): Response };
type NextFunction = () => void;
type Handler = (req: Request, res: Response, next: NextFunction) => void;
interface Express {
  use(handler: Handler): void;
  use(path: string, handler: Handler): void;
  get(path: string, handler: Handler): void;
  all(path: string, handler: Handler): void;
  listen(port: number, host: string): Server;
  router: { stack: unknown[] };
}
const express = createRequire(import.meta.url)('express') as () => Express;

type Stack = { name: string; route?: { path: string } }[];

/**
 * Middleware (one bound to every path as Nest binds its own, through a route), routes, then a
 * handler mounted at /graphql last, as Nest leaves them.
 */
function app(extraRoute?: string) {
  const calls: string[] = [];
  const app = express();
  app.use(function logging(req: Request, _res: Response, next: NextFunction) {
    calls.push(`logging ${req.path}`);
    next();
  });
  app.all('{/*splat}', (req: Request, _res: Response, next: NextFunction) => {
    calls.push(`nest middleware ${req.path}`);
    next();
  });
  app.get('/api/v1/statuses/:id', (_req, res) => void res.send('status'));
  app.get('/health', (_req, res) => void res.send('ok'));
  if (extraRoute) app.get(extraRoute, (_req, res) => void res.send('route'));
  app.use('/graphql', function graphql(_req: Request, res: Response) {
    res.send('graphql');
  });
  app.use(function notFound(_req: Request, res: Response) {
    res.status(404).send('not found');
  });
  return { app, calls };
}

async function get(app: Express, path: string): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return `${res.status} ${await res.text()}`;
  } finally {
    server.close();
  }
}

const order = (app: Express) =>
  (app.router.stack as unknown as Stack).map((layer) => layer.route?.path ?? layer.name);

describe('mountBeforeRoutes', () => {
  it('moves what is mounted at the path ahead of the routes, after the middleware', async () => {
    const { app: a, calls } = app();
    mountBeforeRoutes(a as never, '/graphql');
    expect(order(a)).toEqual([
      'logging',
      '{/*splat}',
      'graphql',
      '/api/v1/statuses/:id',
      '/health',
      'notFound',
    ]);
    // Every request is answered as before, through the middleware.
    expect(await get(a, '/graphql')).toBe('200 graphql');
    expect(await get(a, '/graphql/sub?x=1')).toBe('200 graphql');
    expect(await get(a, '/api/v1/statuses/7')).toBe('200 status');
    expect(await get(a, '/health')).toBe('200 ok');
    expect(await get(a, '/graphqlx')).toBe('404 not found');
    expect(calls).toEqual(
      ['/graphql', '/graphql/sub', '/api/v1/statuses/7', '/health', '/graphqlx'].flatMap((path) => [
        `logging ${path}`,
        `nest middleware ${path}`,
      ]),
    );
  });

  it('keeps it behind a route that may answer under the path', async () => {
    for (const route of ['/graphql/:x', '/graphql', '/{*any}', '/:page', '/graphql{.json}']) {
      const { app: a } = app(route);
      mountBeforeRoutes(a as never, '/graphql');
      const after = order(a);
      expect(after.indexOf('graphql')).toBe(after.indexOf(route) + 1);
    }
    const { app: b } = app('/{*any}');
    mountBeforeRoutes(b as never, '/graphql');
    expect(await get(b, '/graphql')).toBe('200 route');
  });
});
