import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError } from '@tributary/core';
import type { LookupFn } from './ssrf-guard.js';
import { assertSafeInstanceUrl, guardedDispatcher, isPrivateAddress } from './ssrf-guard.js';

// A resolver for names that do not exist here: each maps to the addresses an attacker would choose.
const dns: Record<string, string[]> = {
  'mastodon.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebind.example': ['10.0.0.5'],
  'mixed.example': ['93.184.216.34', '192.168.1.1'],
  'metadata.example': ['169.254.169.254'],
  'v6-loopback.example': ['::1'],
  'v6-ula.example': ['fd00:ec2::254'],
  'v6-mapped.example': ['::ffff:127.0.0.1'],
  'cgnat.example': ['100.64.0.1'],
};
const lookup: LookupFn = async (host) => {
  const addrs = dns[host];
  if (!addrs) throw new Error(`ENOTFOUND ${host}`);
  return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function refused(url: string, policy = {}): Promise<string> {
  try {
    await assertSafeInstanceUrl(url, { lookup, ...policy });
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('BAD_INPUT');
    return (err as Error).message;
  }
  throw new Error(`accepted ${url}`);
}

describe('assertSafeInstanceUrl', () => {
  it('accepts a public https instance and returns its origin', async () => {
    await expect(assertSafeInstanceUrl('https://mastodon.example/@alice', { lookup })).resolves.toBe(
      'https://mastodon.example',
    );
    await expect(assertSafeInstanceUrl('mastodon.example', { lookup })).resolves.toBe(
      'https://mastodon.example',
    );
    await expect(assertSafeInstanceUrl('https://93.184.216.34/', { lookup })).resolves.toBe(
      'https://93.184.216.34',
    );
  });

  it.each([
    // loopback in every notation the URL parser understands
    'https://127.0.0.1',
    'https://127.1',
    'https://2130706433',
    'https://0x7f000001',
    'https://0177.0.0.1',
    'https://0x7f.1',
    'https://[::1]',
    'https://[0:0:0:0:0:0:0:1]',
    'https://[::ffff:127.0.0.1]',
    'https://[::ffff:7f00:1]',
    'https://localhost',
    'https://LOCALHOST.',
    'https://app.localhost',
    'https://0.0.0.0',
    'https://0',
    // private, link-local, metadata, CGNAT
    'https://10.1.2.3',
    'https://172.16.0.1',
    'https://192.168.0.1',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]',
    'https://[fe80::1]',
    'https://[fc00::1]',
    'https://[::ffff:169.254.169.254]',
    'https://[::ffff:10.0.0.1]',
    'https://[64:ff9b::a9fe:a9fe]',
    'https://[2002:a9fe:a9fe::]',
    'https://100.64.0.1',
    'https://224.0.0.1',
    'https://metadata.google.internal',
    // names that resolve to private addresses (DNS checked, every address)
    'https://rebind.example',
    'https://mixed.example',
    'https://metadata.example',
    'https://v6-loopback.example',
    'https://v6-ula.example',
    'https://v6-mapped.example',
    'https://cgnat.example',
  ])('refuses %s', async (url) => {
    expect(await refused(url)).toMatch(/not public|non-public/);
  });

  it('refuses non-https, credentials, garbage and names that do not resolve', async () => {
    expect(await refused('http://mastodon.example')).toMatch(/https/);
    expect(await refused('ftp://mastodon.example')).toMatch(/https/);
    expect(await refused('file:///etc/passwd')).toMatch(/https/);
    expect(await refused('https://user:pass@mastodon.example')).toMatch(/credentials/);
    expect(await refused('https://')).toMatch(/not a URL/);
    expect(await refused('https://nowhere.example')).toMatch(/does not resolve/);
  });

  it('lets allow-listed hosts through, over http only when allowed', async () => {
    await expect(
      assertSafeInstanceUrl('https://127.0.0.1:8443', { allowHosts: ['127.0.0.1:8443'] }),
    ).resolves.toBe('https://127.0.0.1:8443');
    await expect(
      assertSafeInstanceUrl('http://10.0.0.5', { allowHosts: ['10.0.0.5'], allowHttp: true }),
    ).resolves.toBe('http://10.0.0.5');
    expect(await refused('http://10.0.0.5', { allowHosts: ['10.0.0.5'] })).toMatch(/https/);
    // allowHttp does not open http to hosts that are not on the list
    expect(await refused('http://mastodon.example', { allowHosts: ['10.0.0.5'], allowHttp: true })).toMatch(
      /https/,
    );
    // an allow-listed host:port does not allow the same host on another port
    expect(await refused('https://127.0.0.1:9999', { allowHosts: ['127.0.0.1:8443'] })).toMatch(/not public/);
  });

  it('resolves real names with the system resolver', async () => {
    // `localhost` is refused by name; `localhost.localdomain`-style names by what they resolve to.
    expect(await refused('https://localhost', { lookup: undefined })).toMatch(/not public/);
  });
});

describe('guardedDispatcher', () => {
  it('reaches an allow-listed IPv6 literal and refuses one that is not listed', async () => {
    const server = createServer((_req, res) => res.end('hello over v6'));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const url = `http://[::1]:${port}/`;
      const allowed = guardedDispatcher({ allowHosts: [`[::1]:${port}`], allowHttp: true });
      const res = await fetch(url, { dispatcher: allowed } as RequestInit);
      expect(await res.text()).toBe('hello over v6');
      await allowed.close();

      const closed = guardedDispatcher({ allowHosts: [], allowHttp: true });
      const refusal = await fetch(url, { dispatcher: closed } as RequestInit).then(
        () => null,
        (err: Error) => err.cause,
      );
      // Not on the list: refused by the guard (http is only for listed hosts), before any connection.
      expect(String(refusal)).toMatch(/ConnectorError: instance URL must use https/);
      await closed.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('isPrivateAddress', () => {
  it('tells public from non-public addresses', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '93.184.216.34'])
      expect(isPrivateAddress(ip)).toBe(false);
    for (const ip of [
      '127.0.0.1',
      '10.0.0.1',
      '::1',
      'fd00:ec2::254',
      '::ffff:192.168.1.1',
      '169.254.169.254',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(ip)).toBe(true);
    }
  });
});
