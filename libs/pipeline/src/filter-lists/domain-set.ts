// Domain rules looked up by the suffixes of a host name without allocating: most posts' authors are
// on no listed domain, and a slice per parent domain per post was most of a list's cost per post.
// Suffixes are hashed right to left (ASCII lowercased) and looked up in a table of the rules'
// hashes; only a hit slices the suffix and confirms it in the set.

const OFFSET = 0x811c9dc5 | 0;
const PRIME = 0x01000193;
const DOT = 0x2e;

function lowerUnit(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function suffixHash(text: string): number {
  let h = OFFSET;
  for (let i = text.length - 1; i >= 0; i--) h = Math.imul(h ^ text.charCodeAt(i), PRIME);
  return h;
}

export class DomainSet {
  private readonly bits: Uint8Array;
  private readonly mask: number;

  constructor(readonly domains: ReadonlySet<string>) {
    let size = 1 << 10;
    while (size < domains.size * 16) size <<= 1;
    this.bits = new Uint8Array(size >>> 3);
    this.mask = size - 1;
    for (const domain of domains) {
      const h = suffixHash(domain);
      this.bits[(h & this.mask) >>> 3]! |= 1 << (h & 7);
    }
  }

  get size(): number {
    return this.domains.size;
  }

  private maybe(h: number): boolean {
    return (this.bits[(h & this.mask) >>> 3]! & (1 << (h & 7))) !== 0;
  }

  /**
   * The listed domain that `text.slice(start, end)` is, or is under (a parent of two labels or
   * more), or null.
   */
  find(text: string, start = 0, end = text.length): string | null {
    if (this.domains.size === 0) return null;
    let h = OFFSET;
    for (let i = end - 1; i >= start; i--) {
      const c = lowerUnit(text.charCodeAt(i));
      if (c === DOT && this.maybe(h)) {
        const suffix = text.slice(i + 1, end).toLowerCase();
        if (this.domains.has(suffix)) return suffix;
      }
      h = Math.imul(h ^ c, PRIME);
    }
    if (this.maybe(h)) {
      const host = text.slice(start, end).toLowerCase();
      if (this.domains.has(host)) return host;
    }
    return null;
  }
}
