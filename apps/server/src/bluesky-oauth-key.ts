import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@tributary/config';
import type { Config } from '@tributary/config';

/**
 * The Bluesky OAuth client's ES256 key, as a private JWK (JSON) with its `kid`: BLUESKY_OAUTH_KEY
 * when set (JWK or PKCS#8 PEM), else one generated once into DATA_DIR/bluesky-oauth-key.json. A
 * new key invalidates no session by itself (the server fetches the JWKS again), but every process
 * must sign with a key the served JWKS holds: the file is never overwritten.
 */
export async function resolveBlueskyOAuthKey(config: Config): Promise<string> {
  if (config.BLUESKY_OAUTH_KEY) return toJwk(parse(config.BLUESKY_OAUTH_KEY, 'BLUESKY_OAUTH_KEY'));
  const file = join(config.DATA_DIR, 'bluesky-oauth-key.json');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing !== null) return toJwk(parse(existing, file));
  const jwk = toJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  try {
    await writeFile(file, `${jwk}\n`, { mode: 0o600, flag: 'wx' });
    return jwk;
  } catch (error) {
    // Another process sharing DATA_DIR wrote it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return toJwk(parse(await readFile(file, 'utf8'), file));
  }
}

function parse(raw: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    const text = raw.trim();
    key = text.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(text);
  } catch {
    // Not the parser's message: it may quote the text, which is a secret.
    throw new ConfigError([`${where}: not a private key (expected a JWK or a PKCS#8 PEM)`]);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError([`${where}: expected an ES256 (EC P-256) private key`]);
  }
  return key;
}

/** The private JWK, named by its RFC 7638 thumbprint so a rotated key gets a new `kid`. */
function toJwk(key: KeyObject): string {
  const { kty, crv, x, y, d } = key.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return JSON.stringify({ kty, crv, x, y, d, kid, alg: 'ES256' });
}
