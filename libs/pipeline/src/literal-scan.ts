// A cheap "may this text match?" pre-check for the mute-word and AI-disclosure regexes.
//
// V8's regex engine spends ~4 ns per character trying every alternative of a many-term pattern at
// every position (≈ 450 ns for a 110-character post, even for plain literals), which was most of
// the engine's per-post cost. Every match of those patterns must contain some fixed piece of text
// (a "key": the longest literal run of a mute word, `generated` or `midjourney` for a disclosure).
// One pass over the text looking up folded character pairs in a bit table finds out whether any
// key occurs; only then does the exact regex run. The pre-check may say "maybe" wrongly, never
// "no" wrongly, so verdicts are exactly the regex's.
//
// Case-insensitivity: the regexes use the `i` flag with `u`/`v`, i.e. Unicode simple case folding.
// `FOLD` maps code units so that any two that fold together map to the same value: ASCII letters
// to lowercase, the two non-ASCII characters that fold to ASCII (U+017F ſ → s, U+212A Kelvin → k)
// to those letters, caseless CJK and Hangul code units to themselves, high surrogates to themselves
// (the letters of an astral case pair share one: Deseret, Osage, Adlam…; no astral character folds
// onto a BMP one), low surrogates to one shared value, and everything else non-ASCII to another,
// OTHER (coarser than folding, which only costs false "maybe"s). The unit tests check the ASCII
// part of that claim against the regex engine itself, and the astral part against case mappings.

const OTHER = 0x80;
const LOW_SURROGATE = 0x81;

function foldUnit(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  if (c === 0x17f) return 0x73; // ſ folds to s
  if (c === 0x212a) return 0x6b; // Kelvin sign folds to k
  // Hiragana … CJK unified ideographs, and Hangul syllables: no case, so exact.
  if ((c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3)) return c;
  if (c >= 0xd800 && c <= 0xdbff) return c; // high surrogate: which block of 1,024 code points
  if (c >= 0xdc00 && c <= 0xdfff) return LOW_SURROGATE;
  return OTHER;
}

/** Folded value of every UTF-16 code unit (128 KiB, built once). */
export const FOLD: Uint16Array = (() => {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = foldUnit(c);
  return table;
})();

const PAIR_BITS = 12;
const PAIR_MASK = (1 << PAIR_BITS) - 1;
const pairHash = (a: number, b: number): number => (a * 31 + b) & PAIR_MASK;

const isAsciiWordUnit = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/** A fixed piece of text every match must contain. */
export interface ScanKey {
  text: string;
  /**
   * The pattern requires the key to be followed by something other than a letter or digit (or the
   * end): a key followed by an ASCII letter or digit is then no candidate.
   */
  notBeforeWordChar?: boolean;
}

interface CompiledKey {
  units: Uint16Array;
  notBeforeWordChar: boolean;
  /** The bit of the key's group in a mask scan. */
  bit: number;
}

/** Answers "does any key occur in this text (modulo case folding)?" in one pass. */
export interface LiteralScan {
  mayMatch(text: string): boolean;
}

/**
 * Answers, in one pass, which groups of keys occur in a text: bit i of the mask is set when some
 * key of group i may occur (always set for a group that cannot be pre-checked, e.g. an empty key).
 */
export interface MaskScan {
  mask(text: string): number;
  /**
   * {@link mask}, and in the same pass the hash of every token of the text into `out` (what
   * filter-lists/tokens.ts's `tokenizeText` computes): the text is read once for both. `table`:
   * tokens.ts's `tokenScanTable` (each unit's FOLD, and 1 << 16 for a unit that continues a word).
   */
  maskAndTokens(text: string, table: Uint32Array, out: TokenBuffer): number;
}

/** Where a scan writes a text's token hashes (filter-lists/tokens.ts's TokenHashes). */
export interface TokenBuffer {
  hashes: Int32Array;
  count: number;
}

/**
 * The token hash (filter-lists/tokens.ts): FNV-1a over FOLD units, its prime without the offset
 * basis (the hash starts from 0). The token loops compute it at every unit, branch-free, and reset
 * it at each non-word unit by a mask: starting from 0, that reset is one `&` on the loop's chain of
 * dependent operations (xor, multiply, and), where resetting to the basis took an `|` more, about
 * a sixth of the loop's time.
 */
export const TOKEN_HASH_PRIME = 0x01000193;

/** The buffer of `out`, with room for every token of a text of `length` units (one per two at most). */
export function tokenRoom(out: TokenBuffer, length: number): Int32Array {
  if (out.hashes.length < (length >>> 1) + 2) out.hashes = new Int32Array(length + 2);
  return out.hashes;
}

/** At most this many groups per mask scan (bits of a small integer, a V8 Smi). */
export const MAX_SCAN_GROUPS = 29;

export function compileMaskScan(groups: readonly (readonly ScanKey[])[]): MaskScan {
  if (groups.length > MAX_SCAN_GROUPS) throw new RangeError(`at most ${MAX_SCAN_GROUPS} key groups`);
  const all = groups.length === 0 ? 0 : 2 ** groups.length - 1;
  let always = 0;
  const compiled: CompiledKey[] = [];
  groups.forEach((keys, g) => {
    const bit = 1 << g;
    for (const key of keys) {
      if (key.text.length === 0) always |= bit;
      const units = new Uint16Array(key.text.length);
      for (let i = 0; i < key.text.length; i++) units[i] = FOLD[key.text.charCodeAt(i)]!;
      compiled.push({ units, notBeforeWordChar: key.notBeforeWordChar ?? false, bit });
    }
  });
  // Keys of one unit are looked up by that unit; longer ones by their first two units.
  const singles = new Map<number, CompiledKey[]>();
  const byPair = new Map<number, CompiledKey[]>();
  for (const key of compiled) {
    if (key.units.length === 0 || (key.bit & always) !== 0) continue;
    const [table, h] =
      key.units.length === 1 ? [singles, key.units[0]!] : [byPair, pairHash(key.units[0]!, key.units[1]!)];
    const list = table.get(h);
    if (list === undefined) table.set(h, [key]);
    else list.push(key);
  }
  const single = new Uint8Array(0x10000);
  for (const unit of singles.keys()) single[unit] = 1;
  const pairs = new Uint8Array(1 << PAIR_BITS);
  for (const h of byPair.keys()) pairs[h] = 1;
  const pairKeys: (CompiledKey[] | undefined)[] = Array.from({ length: 1 << PAIR_BITS }, (_, h) =>
    byPair.get(h),
  );
  const anySingle = singles.size > 0;
  const needed = singles.size + byPair.size > 0 ? all & ~always : 0;

  /** Whether `key` (whose first two units matched, or its one unit) occurs at `start`. */
  const keyAt = (text: string, start: number, key: CompiledKey): boolean => {
    const units = key.units;
    const end = start + units.length;
    if (end > text.length) return false;
    for (let j = 2; j < units.length; j++) if (FOLD[text.charCodeAt(start + j)] !== units[j]) return false;
    return !key.notBeforeWordChar || end === text.length || !isAsciiWordUnit(text.charCodeAt(end));
  };
  const hits = (text: string, start: number, keys: readonly CompiledKey[], found: number): number => {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if ((found & key.bit) === 0 && keyAt(text, start, key)) found |= key.bit;
    }
    return found;
  };

  /** Positions of the units where maskAndTokens may find a key (reused from text to text). */
  let at = new Int32Array(256);
  /** The keys found at `i` (a single unit `cur`, or a pair `prev`, `cur` ending there) added to `found`. */
  const keysAt = (text: string, i: number, prev: number, cur: number, found: number): number => {
    if (anySingle && single[cur] !== 0) found = hits(text, i, singles.get(cur)!, found);
    const keys = i > 0 ? pairKeys[(prev * 31 + cur) & PAIR_MASK] : undefined;
    if (keys !== undefined)
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (
          (found & key.bit) === 0 &&
          key.units[0] === prev &&
          key.units[1] === cur &&
          keyAt(text, i - 1, key)
        )
          found |= key.bit;
      }
    return found;
  };

  return {
    mask(text) {
      const n = text.length;
      let found = 0;
      if (needed === 0 || n === 0) return always;
      let prev = FOLD[text.charCodeAt(0)]!;
      if (anySingle && single[prev] !== 0) found = hits(text, 0, singles.get(prev)!, found);
      for (let i = 1; i < n && found !== needed; i++) {
        const cur = FOLD[text.charCodeAt(i)]!;
        if (anySingle && single[cur] !== 0) found = hits(text, i, singles.get(cur)!, found);
        const h = (prev * 31 + cur) & PAIR_MASK;
        if (pairs[h] !== 0) {
          // Same hash, other pair: keyAt checks units 2…; units 0 and 1 are compared here.
          const keys = pairKeys[h]!;
          for (let k = 0; k < keys.length; k++) {
            const key = keys[k]!;
            if (
              (found & key.bit) === 0 &&
              key.units[0] === prev &&
              key.units[1] === cur &&
              keyAt(text, i - 1, key)
            )
              found |= key.bit;
          }
        }
        prev = cur;
      }
      return found | always;
    },
    maskAndTokens(text, table, out) {
      // The token loop of filter-lists/tokens.ts (branch-free: the hash so far stored at every
      // unit, kept where a token ends) with the mask loop's look-ups folded in: one table read
      // gives a unit's FOLD and whether it continues a word, and the positions where some key's
      // unit or first pair ends (about one a post) are kept the same way, their keys checked after
      // the loop. With branches in the loop (a call to check keys) it was slower than the two
      // loops apart; without them it costs little more than the mask loop alone.
      const n = text.length;
      const hashes = tokenRoom(out, n);
      if (at.length < n + 1) at = new Int32Array(n + 1);
      const positions = at;
      const prime = TOKEN_HASH_PRIME;
      let count = 0;
      let h = 0;
      let inWord = 0;
      let candidates = 0;
      let prev = 0;
      for (let i = 0; i < n; i++) {
        const e = table[text.charCodeAt(i)]!;
        const cur = e & 0xffff;
        const word = e >>> 16;
        hashes[count] = h;
        count += inWord & (word ^ 1);
        h = Math.imul(h ^ cur, prime) & -word;
        inWord = word;
        positions[candidates] = i;
        candidates += pairs[(prev * 31 + cur) & PAIR_MASK]! | single[cur]!;
        prev = cur;
      }
      hashes[count] = h;
      out.count = count + inWord;
      let found = 0;
      for (let k = 0; k < candidates && found !== needed; k++) {
        const i = positions[k]!;
        const before = i > 0 ? FOLD[text.charCodeAt(i - 1)]! : 0;
        found = keysAt(text, i, before, FOLD[text.charCodeAt(i)]!, found);
      }
      return found | always;
    },
  };
}

export function compileScan(keys: readonly ScanKey[]): LiteralScan {
  const scan = compileMaskScan([keys]);
  return { mayMatch: (text) => scan.mask(text) !== 0 };
}
