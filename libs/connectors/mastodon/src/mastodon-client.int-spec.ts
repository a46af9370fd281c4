// How the client maps what an instance (or a proxy in front of it) answers, over real HTTP: the
// answers the fake Mastodon never gives, like an HTML error page or a stalled response.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError } from '@tributary/core';
import type { MastodonClientOptions } from './mastodon-client.js';
import { MastodonClient } from './mastodon-client.js';
import { MastodonConnector } from './mastodon-connector.js';

let server: Server;
let host = '';
let answer: (req: IncomingMessage, res: ServerResponse) => void;
const requests: { url: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers['authorization'] });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests.length = 0;
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse): void =>
    void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const html =
  (status: number) =>
  (_req: IncomingMessage, res: ServerResponse): void =>
    void res.writeHead(status, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');

/** Each test its own token, so that one test's rate budget is not the next one's. */
const options = (extra: Partial<MastodonClientOptions> = {}): MastodonClientOptions => ({
  instanceOrigin: `http://${host}`,
  accessToken: `token-${Math.random()}`,
  allowHosts: [host],
  allowHttp: true,
  retries: 2,
  backoffMs: 5,
  ...extra,
});
const instance = (client: MastodonClient) => client.rest((api) => api.v2.instance.fetch());

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err;
}

describe('MastodonClient', () => {
  it('answers with masto’s data and the response’s status and headers, and adopts X-RateLimit-*', async () => {
    answer = json(200, { domain: 'x.example' }, { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '7' });
    const opts = options();
    const client = new MastodonClient(opts);
    const reply = await instance(client);
    expect(reply).toMatchObject({ data: { domain: 'x.example' }, status: 200 });
    expect(reply.headers.get('x-ratelimit-limit')).toBe('50');
    expect([client.budget.limit, client.budget.remaining]).toEqual([50, 7]);
    expect(requests).toEqual([{ url: '/api/v2/instance', auth: `Bearer ${opts.accessToken}` }]);
  });

  it('retries a proxy’s HTML 502 page with backoff, then reports UNAVAILABLE with its status', async () => {
    answer = html(502);
    const err = await failure(instance(new MastodonClient(options())));
    expect(err).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/GET \/api\/v2\/instance: 502/),
    });
    expect(err.retryAt).toBeInstanceOf(Date);
    expect(requests).toHaveLength(3);
  });

  it('stops at a 429 until Retry-After, whatever the body, and sends nothing more for the token', async () => {
    answer = (_req, res) =>
      void res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '30' }).end('slow down');
    const client = new MastodonClient(options());
    const err = await failure(instance(client));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAt!.getTime()).toBeGreaterThan(Date.now() + 25_000);
    expect((await failure(instance(client))).code).toBe('RATE_LIMITED');
    expect(requests).toHaveLength(1);
  });

  it('reports a success that is not JSON clearly, without retrying', async () => {
    answer = html(200);
    expect(await failure(instance(new MastodonClient(options())))).toMatchObject({
      code: 'UNAVAILABLE',
      message: '/api/v2/instance: response is not JSON',
    });
    answer = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end('{"truncated":');
    expect((await failure(instance(new MastodonClient(options())))).message).toMatch(/not JSON/);
    expect(requests).toHaveLength(2);
  });

  it('maps 401, 404, 410 and 422, with the server’s error message', async () => {
    const codes: string[] = [];
    for (const status of [401, 404, 410, 422]) {
      answer = json(status, { error: `said ${status}` });
      const err = await failure(instance(new MastodonClient(options())));
      expect(err.message).toMatch(new RegExp(`${status} said ${status}`));
      codes.push(err.code);
    }
    expect(codes).toEqual(['AUTH', 'NOT_FOUND', 'NOT_FOUND', 'BAD_INPUT']);
    expect(requests).toHaveLength(4);
  });

  it('gives up on a stalled response after the timeout, retrying it first', async () => {
    answer = () => undefined; // never answers
    const err = await failure(instance(new MastodonClient(options({ timeoutMs: 100, retries: 1 }))));
    expect(err.code).toBe('UNAVAILABLE');
    expect(requests).toHaveLength(2);
  });
});

describe('paging by Link', () => {
  it('takes only the cursor from a Link to another host: the token stays on the instance', async () => {
    answer = (req, res) => {
      const first = !req.url?.includes('max_id');
      res
        .writeHead(200, {
          'content-type': 'application/json',
          ...(first ? { link: '<https://attacker.example/api/v1/followed_tags?max_id=5>; rel="next"' } : {}),
        })
        .end(
          JSON.stringify(
            first ? [{ name: 'Herons', url: 'https://x.example/tags/herons', history: [] }] : [],
          ),
        );
    };
    const connector = new MastodonConnector({ ...options(), accessToken: 'secret' });
    await expect(connector.followedTags()).resolves.toEqual(['herons']);
    expect(requests).toEqual([
      { url: '/api/v1/followed_tags?limit=200', auth: 'Bearer secret' },
      { url: '/api/v1/followed_tags?limit=200&max_id=5', auth: 'Bearer secret' },
    ]);
  });
});
