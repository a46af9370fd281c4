// The words and phrases of a filter list (up to hundreds of thousands), matched with the mute-word
// rules (text-match.ts: whole words, Unicode case folding, phrases across any whitespace) at a cost
// that does not grow with the list.
//
// Most list words are whole words made of letters and digits: every match of such a term contains
// its longest piece (literal-scan.ts's key) as a whole token of the text, a maximal run of word
// characters. One pass over the text hashes each token (case-folded by FOLD) and looks the hash up
// in a bit table, then in a map from hash to terms; only terms found there run their exact regex.
// Terms whose key is not a whole token (substrings, CJK, emoji, punctuation: usually few) run as one
// mute-word matcher (compileTerms), as in the mute-words stage. Like literal-scan, the pre-check may
// say "maybe" wrongly, never "no": a token of the text that matches a key modulo case folding has
// the same folded units (FOLD), and the word-character test is the regexes' own class on the BMP
// (a surrogate ends a token: at worst an extra candidate, never a missed one).
import { FOLD } from '../literal-scan.js';
import type { TermMatcher, WordTerm } from '../text-match.js';
import { compileTerms, termKeys, termPattern, WORD_CHAR } from '../text-match.js';

let wordUnits: Uint8Array | null = null;

/** 1 for each BMP code unit that continues a word for the mute-word regexes (not surrogates). */
function wordUnitTable(): Uint8Array {
  if (wordUnits !== null) return wordUnits;
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (WORD_CHAR.test(String.fromCharCode(c))) table[c] = 1;
  }
  return (wordUnits = table);
}

const OFFSET = 0x811c9dc5 | 0;
const PRIME = 0x01000193;

function tokenHash(text: string): number {
  let h = OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ FOLD[text.charCodeAt(i)]!, PRIME);
  return h;
}

export class WordIndex {
  private readonly units = wordUnitTable();
  private readonly bits: Uint8Array;
  private readonly mask: number;
  private readonly byHash = new Map<number, number[]>();
  private readonly regexes: (RegExp | undefined)[];
  /** Indices of the terms the token pass cannot pre-check, and their matcher. */
  private readonly others: number[] = [];
  private readonly otherMatcher: TermMatcher | null;
  private readonly otherByWord = new Map<string, number>();

  constructor(private readonly terms: readonly WordTerm[]) {
    this.regexes = new Array<RegExp | undefined>(terms.length);
    const keys = termKeys(terms);
    let size = 1 << 12;
    while (size < terms.length * 8) size <<= 1;
    this.bits = new Uint8Array(size >>> 3);
    this.mask = size - 1;
    keys.forEach((key, i) => {
      const units = key.text;
      let token = terms[i]!.wholeWord && units.length > 0;
      for (let k = 0; token && k < units.length; k++) token = this.units[units.charCodeAt(k)] === 1;
      // A whole word of word characters only: termPattern bounds it on both sides (lookarounds at
      // the term's ends, whitespace between a phrase's words), so its key is a whole token.
      if (!token) {
        this.others.push(i);
        return;
      }
      const h = tokenHash(units);
      this.bits[(h & this.mask) >>> 3]! |= 1 << (h & 7);
      const list = this.byHash.get(h);
      if (list === undefined) this.byHash.set(h, [i]);
      else list.push(i);
    });
    this.otherMatcher = compileTerms(this.others.map((i) => terms[i]!));
    for (const i of this.others) this.otherByWord.set(terms[i]!.word, i);
  }

  get size(): number {
    return this.terms.length;
  }

  private regex(i: number): RegExp {
    return (this.regexes[i] ??= new RegExp(termPattern(this.terms[i]!), 'iv'));
  }

  /** The index of a term found in `text` and not `excluded`, or -1. */
  find(text: string, excluded: ((term: number) => boolean) | null = null): number {
    const units = this.units;
    const bits = this.bits;
    const mask = this.mask;
    const n = text.length;
    let h = OFFSET;
    let len = 0;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 0x20;
      if (units[c] === 1) {
        h = Math.imul(h ^ FOLD[c]!, PRIME);
        len++;
        continue;
      }
      if (len === 0) continue;
      if ((bits[(h & mask) >>> 3]! & (1 << (h & 7))) !== 0) {
        const candidates = this.byHash.get(h);
        if (candidates !== undefined)
          for (let k = 0; k < candidates.length; k++) {
            const t = candidates[k]!;
            if ((excluded === null || !excluded(t)) && this.regex(t).test(text)) return t;
          }
      }
      h = OFFSET;
      len = 0;
    }
    return this.findOther(text, excluded);
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
