// Redirects are checked hop by hop over real HTTP: the first hop is an allow-listed local server
// (standing in for a public instance), the redirect targets are what an attacker would pick.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupFn } from './ssrf-guard.js';
import { guardedFetch } from './ssrf-guard.js';

let bouncer: Server;
let target: Server;
let bouncerHost = '';
let targetHost = '';
const seenAuth: (string | undefined)[] = [];

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
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  targetHost = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  bouncer = await listen((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (req.url?.startsWith('/loop')) return void res.writeHead(302, { location: '/loop' }).end();
    if (req.url?.startsWith('/ok')) return void res.writeHead(200).end('fine');
    res.writeHead(302, { location: to ?? '/' }).end();
  });
  bouncerHost = `127.0.0.1:${(bouncer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => bouncer.close(r));
  await new Promise((r) => target.close(r));
});

const policy = (): { allowHosts: string[]; allowHttp: boolean; lookup: LookupFn } => ({
  allowHosts: [bouncerHost],
  allowHttp: true,
  lookup,
});

describe('guardedFetch', () => {
  it('follows a redirect within the allowed instance', async () => {
    const res = await guardedFetch(`http://${bouncerHost}/?to=/ok`, {}, policy());
    expect(res.status).toBe(200);
    await expect(res.text()).resolves.toBe('fine');
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
    await expect(
      guardedFetch(`http://${bouncerHost}/?to=${encodeURIComponent(location)}`, {}, policy()),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('connects only to the address that passed the check (DNS rebinding)', async () => {
    rebindingLookups = 0;
    const port = new URL(`http://${targetHost}`).port;
    seenAuth.length = 0;
    await expect(guardedFetch(`https://rebinding.example:${port}/`, {}, policy())).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/non-public address: 127\.0\.0\.1/),
    });
    expect(rebindingLookups).toBe(2);
    expect(seenAuth).toEqual([]);
  });

  it('gives up on redirect loops', async () => {
    await expect(guardedFetch(`http://${bouncerHost}/loop`, {}, policy())).rejects.toThrow(
      /too many redirects/,
    );
  });

  it('does not forward the Authorization header to another origin', async () => {
    seenAuth.length = 0;
    const res = await guardedFetch(
      `http://${bouncerHost}/?to=${encodeURIComponent(`http://${targetHost}/`)}`,
      { headers: { authorization: 'Bearer secret' } },
      { ...policy(), allowHosts: [bouncerHost, targetHost] },
    );
    expect(res.status).toBe(200);
    expect(seenAuth).toEqual([undefined]);
  });
});
