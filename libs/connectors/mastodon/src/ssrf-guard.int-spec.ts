// Redirects are checked hop by hop over real HTTP, through the transport every REST call takes
// (masto over the guarded dispatcher): the first hop is an allow-listed local server (standing in
// for a public instance), the redirect targets are what an attacker would pick.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MastodonClient } from './mastodon-client.js';
import type { InstanceUrlPolicy, LookupFn } from '@tributary/core';

let bouncer: Server;
let target: Server;
let bouncerHost = '';
let targetHost = '';
const seenAuth: (string | undefined)[] = [];
/** Where the bouncer sends `GET /api/v2/instance`. */
let redirectTo = '/';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const s = createServer(handler);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

let rebindingLookups = 0;
const lookup: LookupFn = async (host) => {
  if (host === 'internal.example') return [{ address: '10.0.0.7', family: 4 }];
  // Public when checked, loopback when the socket resolves it again: DNS rebinding.
  if (host === 'rebinding.example') {
    return [{ address: rebindingLookups++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
  }
  throw new Error(`ENOTFOUND ${host}`);
};

beforeAll(async () => {
  target = await listen((req, res) => {
    seenAuth.push(req.headers['authorization']);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"domain":"target"}');
  });
  targetHost = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  bouncer = await listen((req, res) => {
    seenAuth.push(req.headers['authorization']);
    if (req.url?.startsWith('/api/v1/instance')) {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"uri":"bouncer"}');
    }
    res.writeHead(302, { location: redirectTo }).end();
  });
  bouncerHost = `127.0.0.1:${(bouncer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => bouncer.close(r));
  await new Promise((r) => target.close(r));
});

const policy = (): InstanceUrlPolicy => ({ allowHosts: [bouncerHost], allowHttp: true, lookup });

/** `GET /api/v2/instance` on `origin` (the bouncer unless said otherwise), as the connector sends it. */
function instanceVia(
  to: string,
  options: InstanceUrlPolicy & { origin?: string } = policy(),
): Promise<unknown> {
  redirectTo = to;
  const client = new MastodonClient({
    instanceOrigin: options.origin ?? `http://${bouncerHost}`,
    accessToken: 'secret',
    retries: 0,
    ...options,
  });
  return client.rest((api) => api.v2.instance.fetch()).then((r) => r.data);
}

describe('the guarded transport', () => {
  it('follows a redirect within the allowed instance', async () => {
    await expect(instanceVia('/api/v1/instance')).resolves.toEqual({ uri: 'bouncer' });
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://0177.0.0.1/',
    'https://localhost/',
    'https://internal.example/',
    'http://PLACEHOLDER_TARGET/',
    'file:///etc/passwd',
  ])('refuses a redirect to %s', async (to) => {
    const location = to.replace('PLACEHOLDER_TARGET', targetHost);
    seenAuth.length = 0;
    await expect(instanceVia(location)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    // Only the first hop was sent.
    expect(seenAuth).toEqual(['Bearer secret']);
  });

  it('connects only to the address that passed the check (DNS rebinding)', async () => {
    rebindingLookups = 0;
    const port = new URL(`http://${targetHost}`).port;
    seenAuth.length = 0;
    await expect(
      instanceVia('/', { ...policy(), origin: `https://rebinding.example:${port}` }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/non-public address: 127\.0\.0\.1/),
    });
    expect(rebindingLookups).toBe(2);
    expect(seenAuth).toEqual([]);
  });

  it('gives up on redirect loops', async () => {
    await expect(instanceVia('/api/v2/instance')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/too many redirects/),
    });
  });

  it('does not forward the Authorization header to another origin', async () => {
    seenAuth.length = 0;
    await expect(
      instanceVia(`http://${targetHost}/api/v2/instance`, {
        ...policy(),
        allowHosts: [bouncerHost, targetHost],
      }),
    ).resolves.toEqual({ domain: 'target' });
    expect(seenAuth).toEqual(['Bearer secret', undefined]);
  });
});
