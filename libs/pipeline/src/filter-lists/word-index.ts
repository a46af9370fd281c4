// The words and phrases of a filter list (up to hundreds of thousands), matched with the mute-word
// rules (text-match.ts: whole words, Unicode case folding, phrases across any whitespace) at a cost
// that does not grow with the list.
//
// Most list words are whole words made of letters and digits: every match of such a term contains
// its longest piece (literal-scan.ts's key) as a whole token of the text, a maximal run of word
// characters. One pass over the text hashes its tokens (tokens.ts) and keeps those in the list's bit
// table; only the terms whose key has such a hash run their exact regex. Terms whose key is not a
// whole token (substrings, CJK, emoji, punctuation: usually few) run as one mute-word matcher
// (compileTerms), as in the mute-words stage. Like literal-scan, the pre-check may say "maybe"
// wrongly, never "no": a token that matches a key modulo case folding has the key's FOLD units.
import type { TokenBuffer } from '../literal-scan.js';
import type { TermMatcher, WordTerm } from '../text-match.js';
import { compileTerms, termKeys, termPattern } from '../text-match.js';
import { scanTokens, TokenFilter, tokenFoldTable, tokenHash, TokenHashes } from './tokens.js';

/**
 * Token hashes to the terms whose key has that hash, in typed arrays: slots of (hash, first term
 * + 1) by open addressing, and the terms of one hash chained in index order. A Map of number
 * arrays held most hashes as boxed numbers (beyond small integers) and each term list apart, so a
 * look-up missed the CPU caches two or three times.
 */
class TermsByHash {
  private readonly slots: Int32Array;
  private readonly shift: number;
  /** For each term, the next term with the same key hash, or -1. */
  readonly next: Int32Array;

  constructor(keys: readonly { hash: number; term: number }[], terms: number) {
    let bits = 4;
    while (1 << bits < keys.length * 2) bits++;
    this.slots = new Int32Array(2 << bits);
    this.shift = 32 - bits;
    this.next = new Int32Array(terms).fill(-1);
    const last = new Map<number, number>();
    for (const { hash, term } of keys) {
      const previous = last.get(hash);
      last.set(hash, term);
      if (previous !== undefined) this.next[previous] = term;
      else {
        let i = this.slot(hash);
        while (this.slots[i + 1] !== 0) i = (i + 2) & (this.slots.length - 1);
        this.slots[i] = hash;
        this.slots[i + 1] = term + 1;
      }
    }
  }

  private slot(hash: number): number {
    return (Math.imul(hash, 0x9e3779b1) >>> this.shift) << 1;
  }

  /** The first term (by index) whose key has this hash, or -1. */
  first(hash: number): number {
    const slots = this.slots;
    for (let i = this.slot(hash); ; i = (i + 2) & (slots.length - 1)) {
      const term = slots[i + 1]!;
      if (term === 0 || slots[i] === hash) return term - 1;
    }
  }
}

export class WordIndex {
  /** The whole-token keys' hashes, and which terms have each. */
  private readonly byHash: TermsByHash;
  readonly filter: TokenFilter;
  private readonly regexes: (RegExp | undefined)[];
  /** Indices of the terms the token pass cannot pre-check, and their matcher. */
  private readonly others: number[] = [];
  private readonly otherMatcher: TermMatcher | null;
  private readonly otherByWord = new Map<string, number>();
  /** A scan's buffer, reused (matching is synchronous). */
  private readonly scratch = new TokenHashes();

  constructor(private readonly terms: readonly WordTerm[]) {
    const fold = tokenFoldTable();
    this.regexes = new Array<RegExp | undefined>(terms.length);
    const keys: { hash: number; term: number }[] = [];
    termKeys(terms).forEach((key, i) => {
      const units = key.text;
      // A whole word of word characters only: termPattern bounds it on both sides (lookarounds at
      // the term's ends, whitespace between a phrase's words), so its key is a whole token.
      let token = terms[i]!.wholeWord && units.length > 0;
      for (let k = 0; token && k < units.length; k++) token = fold[units.charCodeAt(k)] !== 0;
      if (!token) {
        this.others.push(i);
        return;
      }
      keys.push({ hash: tokenHash(units), term: i });
    });
    this.byHash = new TermsByHash(keys, terms.length);
    this.filter = new TokenFilter(
      keys.map((k) => k.hash),
      keys.length,
    );
    this.otherMatcher = compileTerms(this.others.map((i) => terms[i]!));
    for (const i of this.others) this.otherByWord.set(terms[i]!.word, i);
  }

  get size(): number {
    return this.terms.length;
  }

  /** Whether some term is not a whole token (such terms need `#tag` spelled with its `#`). */
  get hasOthers(): boolean {
    return this.others.length > 0;
  }

  private regex(i: number): RegExp {
    return (this.regexes[i] ??= new RegExp(termPattern(this.terms[i]!), 'iv'));
  }

  /** {@link find} for a text whose every token's hash is in `tokens` (tokens.ts tokenizeText). */
  findTokens(text: string, tokens: TokenBuffer, excluded: ((term: number) => boolean) | null = null): number {
    const filter = this.filter;
    const hashes = tokens.hashes;
    for (let k = 0; k < tokens.count; k++) {
      const h = hashes[k]!;
      if (!filter.mayHold(h)) continue;
      const t = this.verify(text, h, excluded);
      if (t >= 0) return t;
    }
    return this.findOther(text, excluded);
  }

  /** The index of a term found in `text` and not `excluded`, or -1. */
  find(text: string, excluded: ((term: number) => boolean) | null = null): number {
    scanTokens(text, this.filter, this.scratch);
    const hashes = this.scratch.hashes;
    for (let k = 0; k < this.scratch.count; k++) {
      const t = this.verify(text, hashes[k]!, excluded);
      if (t >= 0) return t;
    }
    return this.findOther(text, excluded);
  }

  /** The first term whose key hashes to `h` that matches `text` and is not excluded, or -1. */
  private verify(text: string, h: number, excluded: ((term: number) => boolean) | null): number {
    const next = this.byHash.next;
    for (let t = this.byHash.first(h); t >= 0; t = next[t]!)
      if ((excluded === null || !excluded(t)) && this.regex(t).test(text)) return t;
    return -1;
  }

  private findOther(text: string, excluded: ((term: number) => boolean) | null): number {
    const matcher = this.otherMatcher;
    if (matcher === null || !matcher.test(text)) return -1;
    const word = matcher.which(text);
    const first = word === null ? undefined : this.otherByWord.get(word);
    if (first !== undefined && (excluded === null || !excluded(first))) return first;
    for (const i of this.others)
      if ((excluded === null || !excluded(i)) && this.regex(i).test(text)) return i;
    return -1;
  }
}
