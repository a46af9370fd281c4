// ServiceAuthVerifier against a PLC directory on loopback (real HTTP, real signatures): what it
// caches, and that a rotated key is still picked up.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Secp256k1Keypair } from '@atproto/crypto';
import type { Keypair } from '@atproto/crypto';
import { createServiceJwt } from '@atproto/xrpc-server';
import { ServiceAuthError, ServiceAuthVerifier } from './service-auth.js';

const SERVICE_DID = 'did:web:feeds.example.test';
const METHOD = 'app.bsky.feed.getFeedSkeleton';
const ALICE = 'did:plc:alice0000000000000000000';

let plc: Server;
let plcUrl: string;
/** The key each DID's document names; what the directory was asked. */
const keys = new Map<string, Keypair>();
let fetched: string[] = [];

beforeAll(async () => {
  plc = createServer((req, res) => {
    const did = decodeURIComponent((req.url ?? '/').slice(1));
    fetched.push(did);
    const key = keys.get(did);
    if (!key) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: did,
        alsoKnownAs: ['at://alice.test'],
        verificationMethod: [
          {
            id: `${did}#atproto`,
            type: 'Multikey',
            controller: did,
            publicKeyMultibase: key.did().slice('did:key:'.length),
          },
        ],
        service: [
          { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.test' },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => plc.listen(0, '127.0.0.1', resolve));
  plcUrl = `http://127.0.0.1:${(plc.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => plc.close(resolve)));

let verifier: ServiceAuthVerifier;
let asked: string[];
beforeEach(async () => {
  verifier = new ServiceAuthVerifier({
    plcUrl,
    hostPolicy: { allowHosts: [new URL(plcUrl).host], allowHttp: true },
  });
  keys.set(ALICE, await Secp256k1Keypair.create());
  fetched = [];
  asked = [];
});

const jwt = (keypair: Keypair, exp = Math.floor(Date.now() / 1000) + 60, iss = ALICE) =>
  createServiceJwt({ iss, aud: SERVICE_DID, lxm: METHOD, keypair, exp });

const verify = (token: string, method = METHOD) =>
  verifier.verify(`Bearer ${token}`, {
    serviceDid: SERVICE_DID,
    serviceId: 'bsky_fg',
    method,
    knownIssuer: async (did) => {
      asked.push(did);
      return did === ALICE;
    },
  });

const reason = (promise: Promise<unknown>) =>
  promise.then(
    () => 'verified',
    (error: unknown) => (error instanceof ServiceAuthError ? error.reason : String(error)),
  );

describe('ServiceAuthVerifier', () => {
  it('checks a token once (then answers it from memory), and each document is fetched once', async () => {
    const token = await jwt(keys.get(ALICE)!);
    expect(await verify(token)).toBe(ALICE);
    expect(await verify(token)).toBe(ALICE);
    expect(asked).toEqual([ALICE]); // the second answer came from the cache
    expect(await verify(await jwt(keys.get(ALICE)!))).toBe(ALICE); // a new token: checked
    expect(asked).toEqual([ALICE, ALICE]);
    expect(fetched).toEqual([ALICE]);
    // The cache is per method: the token is not one for another method.
    expect(await reason(verify(token, 'app.bsky.feed.sendInteractions'))).toBe('BadJwtLexiconMethod');
  });

  it('forgets a token when it expires', async () => {
    const token = await jwt(keys.get(ALICE)!, Math.floor(Date.now() / 1000) + 2);
    expect(await verify(token)).toBe(ALICE);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await reason(verify(token))).toBe('JwtExpired');
  });

  it('follows a key rotation on its first token, and a forged token never makes it fetch twice a minute', async () => {
    expect(await verify(await jwt(keys.get(ALICE)!))).toBe(ALICE);
    const rotated = await Secp256k1Keypair.create();
    keys.set(ALICE, rotated);
    expect(await verify(await jwt(rotated))).toBe(ALICE); // the cached document named the old key
    expect(fetched).toEqual([ALICE, ALICE]);
    const forger = await Secp256k1Keypair.create();
    for (let i = 0; i < 3; i++) expect(await reason(verify(await jwt(forger)))).toBe('BadJwtSignature');
    expect(fetched).toEqual([ALICE, ALICE]);
  });

  it('resolves nothing for an issuer the caller does not know, and caches no refusal', async () => {
    const stranger = 'did:plc:stranger000000000000000';
    keys.set(stranger, await Secp256k1Keypair.create());
    const token = await jwt(keys.get(stranger)!, undefined, stranger);
    expect(await verify(token)).toBeNull();
    expect(await verify(token)).toBeNull();
    expect(fetched).toEqual([]);
    expect(asked).toEqual([stranger, stranger]);
  });
});
