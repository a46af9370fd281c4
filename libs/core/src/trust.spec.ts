import { describe, expect, it } from '@jest/globals';
import { hostIsListed } from './trust.js';

describe('hostIsListed', () => {
  const trusted = ['bsky.social', '*.host.bsky.network', 'localhost:2583'];

  it('matches a listed host on its default port, a subdomain of a wildcard, and a host:port', () => {
    expect(hostIsListed('https://bsky.social', trusted)).toBe(true);
    expect(hostIsListed('https://BSKY.social.', trusted)).toBe(true);
    expect(hostIsListed('https://morel.us-east.host.bsky.network', trusted)).toBe(true);
    expect(hostIsListed('http://localhost:2583', trusted)).toBe(true);
  });

  it('refuses look-alikes, other ports, the wildcard suffix itself and non-URLs', () => {
    for (const origin of [
      'https://bsky.social.attacker.example',
      'https://evilbsky.social',
      'https://bsky.social:8443',
      'https://host.bsky.network',
      'https://evil.host.bsky.network.attacker.example',
      'https://pds.host.bsky.network:444',
      'http://localhost:2584',
      'http://localhost',
      'not a url',
    ]) {
      expect([origin, hostIsListed(origin, trusted)]).toEqual([origin, false]);
    }
  });
});
