// Deterministic record keys, so a retried write creates the same record instead of a second one.
import { createHash } from 'node:crypto';

const BASE32_SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * A TID (the record key format of posts, likes and reposts: 53 bits of microseconds since the epoch
 * and a 10-bit clock id, base32-sortable) derived from an idempotency key. The time part is the
 * request time, so keys still sort by time like the PDS's own; the sub-millisecond digits and the
 * clock id come from a hash of the key, so two actions in one millisecond get different keys.
 */
export function recordKeyFor(idempotencyKey: string, requestedAt: Date): string {
  const hash = createHash('sha256').update(idempotencyKey).digest();
  const micros = BigInt(requestedAt.getTime()) * 1000n + BigInt(hash.readUInt16BE(0) % 1000);
  let n = (micros << 10n) | BigInt(hash.readUInt16BE(2) & 0x3ff);
  let key = '';
  for (let i = 0; i < 13; i++) {
    key = BASE32_SORTABLE[Number(n & 31n)] + key;
    n >>= 5n;
  }
  return key;
}
