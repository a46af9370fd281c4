import { describe, expect, it } from '@jest/globals';
import { actorNetwork } from './actor.js';

describe('actorNetwork', () => {
  it.each([
    ['did:plc:abc123', 'BLUESKY'],
    ['alice.bsky.social', 'BLUESKY'],
    ['alice@example.social', 'MASTODON'],
    ['@alice@example.social', 'MASTODON'],
    ['alice@127.0.0.1:4000', 'MASTODON'],
    ['https://example.social/users/alice', 'MASTODON'],
  ])('%s is on %s', (actor, network) => {
    expect(actorNetwork(actor, 'author')).toBe(network);
  });

  it.each(['alice', '', 'ftp://x/y', 'did:plc:', 'a b.c'])('refuses "%s", naming the field', (actor) => {
    expect(() => actorNetwork(actor, 'author')).toThrow(/^author: /);
  });
});
