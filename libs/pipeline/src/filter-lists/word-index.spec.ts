import { describe, expect, it } from '@jest/globals';
import { compileTerms } from '../text-match.js';
import type { WordTerm } from '../text-match.js';
import { TokenFilter, TokenHashes, tokenHash, tokenizeText } from './tokens.js';
import { WordIndex } from './word-index.js';

/** Deterministic PRNG (mulberry32): every run checks the same texts. */
function rngFor(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TERMS: WordTerm[] = [
  'crypto',
  'and',
  'hot take',
  'Straße',
  'ΣΊΣΥΦΟΣ',
  'über',
  '東京',
  '🚀',
  "don't",
  'c++',
  'k8s',
  'iPhone',
].map((word) => ({ kind: 'word' as const, word, wholeWord: true }));
TERMS.push({ kind: 'word', word: 'sub', wholeWord: false });

const PIECES = [
  'crypto',
  'CRYPTO',
  'cryptos',
  'sand',
  'and',
  'AND',
  'hot',
  'take',
  'hot  take',
  'hot\ntake',
  'straße',
  'STRASSE',
  'σίσυφος',
  'Über',
  'überall',
  '東京タワー',
  '🚀',
  '🚀\uFE0F',
  "don't",
  'dont',
  'c++',
  'k8s',
  'K8S',
  'ſub',
  'submarine',
  'KRYPTO',
  'iphone',
  '我用iPhone',
  '\u212Aelvin',
  'e\u0301',
  '_and_',
  '𝐀and',
  'and𝐀',
  '.',
  ' ',
  '#',
  '-',
  "'",
];

describe('WordIndex', () => {
  it('finds exactly the terms the mute-word regexes find, over fuzzed texts', () => {
    const index = new WordIndex(TERMS);
    const each = TERMS.map((t) => compileTerms([t])!);
    const rng = rngFor(7);
    for (let n = 0; n < 5000; n++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(rng() * 6);
      for (let k = 0; k < count; k++) parts.push(PIECES[Math.floor(rng() * PIECES.length)]!);
      const text = parts.join(rng() < 0.5 ? ' ' : '');
      const expected = each.some((m) => m.test(text));
      const found = index.find(text);
      expect({ text, found: found >= 0 }).toEqual({ text, found: expected });
      if (found >= 0) expect(each[found]!.test(text)).toBe(true);
    }
  });

  it('finds the same terms in a text tokenized beforehand (every token hashed, for several lists)', () => {
    // Terms that share a key ("take"), in both orders, and a term that is not a whole token.
    const terms: WordTerm[] = [
      ...TERMS,
      { kind: 'word', word: 'take', wholeWord: true },
      { kind: 'word', word: 'hot  take', wholeWord: true },
    ];
    const index = new WordIndex(terms);
    const tokens = new TokenHashes();
    const rng = rngFor(11);
    for (let n = 0; n < 5000; n++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(rng() * 6);
      for (let k = 0; k < count; k++) parts.push(PIECES[Math.floor(rng() * PIECES.length)]!);
      const text = parts.join(rng() < 0.5 ? ' ' : '');
      tokenizeText(text, tokens);
      const excluded = n % 3 === 0 ? (i: number) => i % 2 === 0 : null;
      expect({ text, found: index.findTokens(text, tokens, excluded) }).toEqual({
        text,
        found: index.find(text, excluded),
      });
    }
    tokenizeText('a hot take', tokens);
    expect(index.findTokens('a hot take', tokens)).toBe(2);
    expect(index.findTokens('a hot take', tokens, (i) => i === 2)).toBe(TERMS.length);
  });

  it('skips excluded terms and finds another', () => {
    const index = new WordIndex(TERMS);
    expect(index.find('crypto and more')).toBe(0);
    expect(index.find('crypto and more', (i) => i === 0)).toBe(1);
    expect(index.find('crypto', (i) => i === 0)).toBe(-1);
  });

  it('scales to 100,000 terms with the same answers', () => {
    const many: WordTerm[] = Array.from({ length: 100_000 }, (_, i) => ({
      kind: 'word',
      word: `term${i}`,
      wholeWord: true,
    }));
    many.push({ kind: 'word', word: 'needle in', wholeWord: true });
    const index = new WordIndex(many);
    expect(index.find('a text with Term99999 inside')).toBe(99_999);
    expect(index.find('a text with term999999 inside')).toBe(-1);
    expect(index.find('the NEEDLE  in a haystack')).toBe(100_000);
    expect(index.find('the needles in a haystack')).toBe(-1);
  });
});

describe('TokenFilter', () => {
  // A word of a text that is not in the list passes the filter wrongly at this rate; a common word
  // that does costs a look-up in almost every post. With one bit per hash it was about 4%.
  it('lets few of the hashes it was not given pass', () => {
    const r = rngFor(26);
    const word = () =>
      Array.from({ length: 4 + Math.floor(r() * 8) }, () =>
        String.fromCharCode(97 + Math.floor(r() * 26)),
      ).join('');
    const keys = Array.from({ length: 10_000 }, () => tokenHash(word()));
    const filter = new TokenFilter(keys, keys.length);
    for (const h of keys) expect(filter.mayHold(h)).toBe(true);
    const given = new Set(keys);
    let passed = 0;
    let others = 0;
    for (let i = 0; i < 100_000; i++) {
      const h = tokenHash(word());
      if (given.has(h)) continue;
      others++;
      if (filter.mayHold(h)) passed++;
    }
    expect(passed / others).toBeLessThan(0.015);
  });
});
