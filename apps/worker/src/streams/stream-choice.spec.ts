import { describe, expect, it } from '@jest/globals';
import { PUBLIC_JETSTREAMS, PUBLIC_RELAY, chooseStream, onPublicNetwork } from './stream-choice.js';

const config = (overrides: Partial<Parameters<typeof chooseStream>[0]> = {}) => ({
  BLUESKY_STREAM: 'auto' as const,
  BLUESKY_JETSTREAM_URL: [] as string[],
  BLUESKY_RELAY_URL: undefined,
  ...overrides,
});

describe('chooseStream', () => {
  it('takes what the operator configured', () => {
    const js = ['wss://js.example.org/subscribe'];
    expect(chooseStream(config({ BLUESKY_JETSTREAM_URL: js }), [])).toEqual({ kind: 'jetstream', urls: js });
    expect(chooseStream(config({ BLUESKY_RELAY_URL: 'wss://relay.example.org' }), [])).toEqual({
      kind: 'relay',
      url: 'wss://relay.example.org',
    });
    expect(chooseStream(config({ BLUESKY_STREAM: 'relay' }), [])).toEqual({
      kind: 'relay',
      url: PUBLIC_RELAY,
    });
    expect(chooseStream(config({ BLUESKY_STREAM: 'jetstream' }), [])).toEqual({
      kind: 'jetstream',
      urls: [...PUBLIC_JETSTREAMS],
    });
    // Said outright, even with accounts on the public network.
    expect(chooseStream(config({ BLUESKY_STREAM: 'pds' }), ['https://bsky.social'])).toEqual({ kind: 'pds' });
  });

  it('by default, follows the public Jetstream once an account on the public network is linked', () => {
    expect(chooseStream(config(), [])).toEqual({ kind: 'pds' });
    expect(chooseStream(config(), ['http://localhost:2583'])).toEqual({ kind: 'pds' });
    expect(
      chooseStream(config(), ['http://localhost:2583', 'https://morel.us-east.host.bsky.network']),
    ).toEqual({ kind: 'jetstream', urls: [...PUBLIC_JETSTREAMS] });
  });
});

describe('onPublicNetwork', () => {
  it.each([
    ['https://bsky.social', true],
    ['https://shiitake.us-east.host.bsky.network', true],
    ['https://pds.example.org', true], // a self-hosted PDS federates by default
    ['http://localhost:2583', false],
    ['https://10.0.0.4', false],
    ['https://[::1]:2583', false],
    ['https://pds.home.arpa', false],
    ['https://pds.internal', false],
    ['http://pds.example.org', false],
    ['not a url', false],
  ])('%s: %s', (url, expected) => expect(onPublicNetwork(url)).toBe(expected));
});
