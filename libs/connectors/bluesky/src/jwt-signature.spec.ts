import { describe, expect, it } from '@jest/globals';
import { P256Keypair, Secp256k1Keypair, verifySignature } from '@atproto/crypto';
import { verifyJwtSignature } from './jwt-signature.js';

// The curves' orders: a signature (r, s) also verifies as (r, n - s), its "high S" twin.
const ORDER: Record<string, bigint> = {
  ES256K: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

function highS(sig: Uint8Array, alg: string): Uint8Array {
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`);
  const twin = Buffer.from((ORDER[alg]! - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([sig.subarray(0, 32), twin]);
}

/** @atproto/crypto's verdict, as verifyJwt's default verifier asks for it. */
const reference = (didKey: string, msg: Uint8Array, sig: Uint8Array, alg: string) =>
  verifySignature(didKey, msg, sig, { jwtAlg: alg, allowMalleableSig: true });

describe.each([
  ['ES256K', Secp256k1Keypair],
  ['ES256', P256Keypair],
] as const)('verifyJwtSignature (%s)', (alg, Keypair) => {
  it('agrees with @atproto/crypto on good, tampered, high-S and foreign signatures', async () => {
    const [key, other] = await Promise.all([Keypair.create(), Keypair.create()]);
    const msg = Buffer.from('eyJhbGciOiJFUzI1NksifQ.eyJpc3MiOiJkaWQ6cGxjOmFsaWNlIn0');
    const sig = await key.sign(msg);
    const cases: [string, Uint8Array, Uint8Array, boolean][] = [
      [key.did(), msg, sig, true],
      [key.did(), msg, highS(sig, alg), true],
      [key.did(), Buffer.from(`${msg}x`), sig, false],
      [other.did(), msg, sig, false],
      [key.did(), msg, Buffer.concat([sig.subarray(0, 63), Buffer.from([sig[63]! ^ 1])]), false],
    ];
    for (const [didKey, m, s, valid] of cases) {
      expect(await verifyJwtSignature(didKey, m, s, alg)).toBe(valid);
      expect(await reference(didKey, m, s, alg)).toBe(valid);
    }
  });

  it('refuses a signature that is not 64 bytes and a key of another algorithm', async () => {
    const key = await Keypair.create();
    const msg = Buffer.from('a.b');
    const sig = await key.sign(msg);
    expect(await verifyJwtSignature(key.did(), msg, sig.subarray(0, 63), alg)).toBe(false);
    await expect(
      verifyJwtSignature(key.did(), msg, sig, alg === 'ES256' ? 'ES256K' : 'ES256'),
    ).rejects.toThrow(/expected a key for/);
  });
});
