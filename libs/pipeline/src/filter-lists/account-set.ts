// Account rules looked up without allocating. A list's accounts fill a hash set of megabytes, and
// looking an author up lowercased a copy of the id (hashed anew) and missed the CPU cache for almost
// every post. The id is hashed here as it is, ASCII lowercased on the fly, and looked up in a bit
// table that stays in cache; only a hit (or a non-ASCII id) reaches the set.

const OFFSET = 0x811c9dc5 | 0;
const PRIME = 0x01000193;

function asciiLowerHash(text: string): number {
  let h = OFFSET;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x80) return 0;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, PRIME);
  }
  return h;
}

export class AccountSet {
  private readonly bits: Uint8Array;
  private readonly mask: number;

  constructor(readonly accounts: ReadonlySet<string>) {
    let size = 1 << 10;
    while (size < accounts.size * 16) size <<= 1;
    this.bits = new Uint8Array(size >>> 3);
    this.mask = size - 1;
    for (const account of accounts) {
      const h = asciiLowerHash(account);
      this.bits[(h & this.mask) >>> 3]! |= 1 << (h & 7);
    }
  }

  get size(): number {
    return this.accounts.size;
  }

  /** `id` lowercased when it is in the set, else null. */
  find(id: string): string | null {
    if (this.accounts.size === 0) return null;
    const h = asciiLowerHash(id);
    // 0: not ASCII (or a hash of 0): always look in the set.
    if (h !== 0 && (this.bits[(h & this.mask) >>> 3]! & (1 << (h & 7))) === 0) return null;
    const lower = id.toLowerCase();
    return this.accounts.has(lower) ? lower : null;
  }
}
