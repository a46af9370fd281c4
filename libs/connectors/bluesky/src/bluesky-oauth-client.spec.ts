import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  isOAuthClientIdDiscoverable,
  isOAuthClientIdLoopback,
  oauthClientMetadataSchema,
} from '@atproto/oauth-client-node';
import { ConnectorError } from '@tributary/core';
import { BLUESKY_OAUTH_SCOPE, BlueskyOAuth } from './bluesky-oauth-client.js';

function privateJwk(): string {
  const { kty, crv, x, y, d } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    format: 'jwk',
  });
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return JSON.stringify({ kty, crv, x, y, d, kid, alg: 'ES256' });
}

const options = (publicUrl: string) => ({
  publicUrl,
  privateJwk: privateJwk(),
  plcUrl: 'https://plc.directory',
  hostPolicy: {},
});

// Stores a client is built on; nothing here reaches them (no network either).
const stores = {
  state: { get: async () => undefined, set: async () => undefined, del: async () => undefined },
  session: { get: async () => undefined, set: async () => undefined, del: async () => undefined },
  lock: <T>(_name: string, fn: () => T | PromiseLike<T>) => Promise.resolve(fn()),
};

describe('BlueskyOAuth', () => {
  it('is a confidential client on an https PUBLIC_URL: private_key_jwt, metadata and JWKS at that URL', async () => {
    const oauth = await BlueskyOAuth.create(options('https://tributary.example.com'));
    const metadata = oauthClientMetadataSchema.parse(oauth.clientMetadata);
    expect(oauth.confidential).toBe(true);
    expect(isOAuthClientIdDiscoverable(metadata.client_id!)).toBe(true);
    expect(metadata).toMatchObject({
      client_id: 'https://tributary.example.com/oauth/bluesky/client-metadata.json',
      redirect_uris: ['https://tributary.example.com/oauth/bluesky/callback'],
      jwks_uri: 'https://tributary.example.com/oauth/bluesky/jwks.json',
      application_type: 'web',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      dpop_bound_access_tokens: true,
    });
    // Both the narrow grant and the fallback can be asked for.
    expect(metadata.scope!.split(' ')).toEqual(
      expect.arrayContaining([...BLUESKY_OAUTH_SCOPE.split(' '), 'transition:generic']),
    );
    // The served keys (as JSON) are public only, and the client library accepts metadata and key together.
    const [key] = (JSON.parse(JSON.stringify(oauth.jwks)) as { keys: Record<string, unknown>[] }).keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', kid: expect.any(String) });
    expect(key).not.toHaveProperty('d');
    expect(() => oauth.client(stores)).not.toThrow();
  });

  it('is a loopback client on a loopback address, with 127.0.0.1 in its redirect URI', async () => {
    const oauth = await BlueskyOAuth.create(options('http://localhost:3000'));
    const clientId = oauth.clientMetadata.client_id!;
    expect(oauth.confidential).toBe(false);
    expect(oauth.jwks).toEqual({ keys: [] });
    expect(isOAuthClientIdLoopback(clientId)).toBe(true);
    expect(new URL(clientId).searchParams.get('redirect_uri')).toBe(
      'http://127.0.0.1:3000/oauth/bluesky/callback',
    );
    expect(() => oauth.client(stores)).not.toThrow();
  });

  it('refuses a plain-http public address, naming the setting', async () => {
    const made = BlueskyOAuth.create(options('http://tributary.lan'));
    await expect(made).rejects.toBeInstanceOf(ConnectorError);
    await expect(made).rejects.toThrow(/PUBLIC_URL on https/);
  });
});
