// Tokens of a text for the word index (word-index.ts): maximal runs of word characters (the
// mute-word regexes' own class on the BMP; a surrogate ends a token), hashed over their FOLD values
// (literal-scan.ts), so a token equal to a key modulo case folding has the key's hash.
import type { TokenBuffer } from '../literal-scan.js';
import { FOLD, TOKEN_HASH_PRIME, tokenRoom } from '../literal-scan.js';
import { WORD_CHAR } from '../text-match.js';

let tokenFold: Uint16Array | null = null;

/** FOLD of each BMP code unit that continues a word (never 0), 0 for the others and surrogates. */
export function tokenFoldTable(): Uint16Array {
  if (tokenFold !== null) return tokenFold;
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (WORD_CHAR.test(String.fromCharCode(c))) table[c] = FOLD[c]!;
  }
  return (tokenFold = table);
}

let scanTable: Uint32Array | null = null;

/**
 * FOLD of every BMP code unit, with 1 << 16 added for those that continue a word: what the
 * engine's text scan (literal-scan.ts maskAndTokens) reads for both its keys and the tokens.
 */
export function tokenScanTable(): Uint32Array {
  if (scanTable !== null) return scanTable;
  const word = tokenFoldTable();
  const table = new Uint32Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = FOLD[c]! | (word[c] !== 0 ? 0x10000 : 0);
  return (scanTable = table);
}

const PRIME = TOKEN_HASH_PRIME;

/** The hash of a token (a text of word characters only), as {@link scanTokens} computes it. */
export function tokenHash(token: string): number {
  let h = 0;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ FOLD[token.charCodeAt(i)]!, PRIME);
  return h;
}

/** Spreads a hash's bits for the filter's second bit (FNV's low bits depend on the low bits only). */
const GOLDEN = 0x9e3779b1 | 0;

/**
 * A bit table of token hashes: a scan keeps only the text's tokens whose two bits are set (one at
 * the hash's low bits, one at the high bits of the hash times GOLDEN). With one bit per hash, about
 * 4% of the words that are not in the list passed, and a text's common words ("the", "and") each
 * passed or not by luck of the list's hashes: the few that did cost a look-up in almost every post
 * (0.7 to 1.1 per post of the bench's, depending on the hash). Two bits make that about 0.5%.
 */
export class TokenFilter {
  readonly bits: Uint8Array;
  readonly mask: number;
  /** 32 minus the table's bits: `Math.imul(h, GOLDEN) >>> shift` is the second bit. */
  readonly shift: number;

  constructor(hashes: Iterable<number>, count: number) {
    let size = 1 << 12;
    while (size < count * 16) size <<= 1;
    this.bits = new Uint8Array(size >>> 3);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    for (const h of hashes) {
      this.bits[(h & this.mask) >>> 3]! |= 1 << (h & 7);
      const g = Math.imul(h, GOLDEN) >>> this.shift;
      this.bits[g >>> 3]! |= 1 << (g & 7);
    }
  }

  /** Whether `h` may be a key's hash: both its bits are set. */
  mayHold(h: number): boolean {
    const g = Math.imul(h, GOLDEN) >>> this.shift;
    return ((this.bits[(h & this.mask) >>> 3]! >>> (h & 7)) & (this.bits[g >>> 3]! >>> (g & 7)) & 1) !== 0;
  }
}

/** The token hashes one scan kept, in a buffer reused from text to text. */
export class TokenHashes implements TokenBuffer {
  hashes = new Int32Array(64);
  count = 0;

  /** Doubles the buffer (its first `count` hashes kept); returns the new one. */
  grow(count: number): Int32Array {
    const bigger = new Int32Array(this.hashes.length * 2);
    bigger.set(this.hashes.subarray(0, count));
    return (this.hashes = bigger);
  }
}

/**
 * Collects the hashes of the tokens of `text` that `filter` may hold into `out`. Without branches
 * on word boundaries, which no predictor guesses (a mispredicted branch per token cost more than
 * the hashing): the hash restarts by masks, and the filter is read at every character, kept only
 * where a token just ended. Module constants are copied to locals and the buffer written in place:
 * each cost a third of the loop's time.
 */
export function scanTokens(text: string, filter: TokenFilter, out: TokenHashes): void {
  const fold = tokenFoldTable();
  const prime = PRIME;
  const { bits, mask, shift } = filter;
  const golden = GOLDEN;
  let hashes: Int32Array = out.hashes;
  let count = 0;
  let h = 0;
  let inWord = 0;
  for (let i = 0; i < text.length; i++) {
    const f = fold[text.charCodeAt(i)]!;
    const word = (f + 0xffff) >>> 16; // 1 for a word character (f != 0)
    const g = Math.imul(h, golden) >>> shift;
    if (((bits[(h & mask) >>> 3]! >>> (h & 7)) & (bits[g >>> 3]! >>> (g & 7)) & inWord & (word ^ 1)) !== 0) {
      if (count === hashes.length) hashes = out.grow(count);
      hashes[count++] = h;
    }
    h = Math.imul(h ^ f, prime) & -word; // 0 after a unit that is not a word's
    inWord = word;
  }
  if (inWord !== 0 && filter.mayHold(h)) {
    if (count === hashes.length) hashes = out.grow(count);
    hashes[count++] = h;
  }
  out.count = count;
}

/**
 * The hash of every token of `text` into `out`, unfiltered: the post text is tokenized once per
 * run for every list of the pipeline, each of which looks the hashes up in its own filter
 * (WordIndex.findTokens); when the filter-list stage is the first to read the text, with the
 * engine's key scan (literal-scan.ts maskAndTokens, the same loop). No filter is read while
 * scanning: the hash so far is stored at every unit, and kept (the count advanced) where a token
 * just ended.
 */
export function tokenizeText(text: string, out: TokenBuffer): void {
  const fold = tokenFoldTable();
  const prime = PRIME;
  const n = text.length;
  const hashes = tokenRoom(out, n);
  let count = 0;
  let h = 0;
  let inWord = 0;
  for (let i = 0; i < n; i++) {
    const f = fold[text.charCodeAt(i)]!;
    const word = (f + 0xffff) >>> 16;
    hashes[count] = h;
    count += inWord & (word ^ 1);
    h = Math.imul(h ^ f, prime) & -word; // 0 after a unit that is not a word's
    inWord = word;
  }
  hashes[count] = h;
  out.count = count + inWord;
}
