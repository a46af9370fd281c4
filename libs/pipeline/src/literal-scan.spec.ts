import { describe, expect, it } from '@jest/globals';
import { compileMaskScan, compileScan, FOLD } from './literal-scan.js';
import { TokenHashes, tokenHash, tokenizeText, tokenScanTable } from './filter-lists/tokens.js';
import { AI_DISCLOSURE_PATTERN, declaresAi } from './stages/ai-generated.js';
import type { WordTerm } from './text-match.js';
import { compileTerms, termKeys, termPattern } from './text-match.js';

const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;

describe('FOLD (the scan may say "maybe" wrongly, never "no")', () => {
  it('maps every code unit the regex engine folds onto an ASCII letter or digit to that character', () => {
    for (const x of 'abcdefghijklmnopqrstuvwxyz0123456789') {
      const re = new RegExp(`^${x}$`, 'iu');
      for (let b = 0; b < 0x10000; b++) {
        if (isSurrogate(b) || !re.test(String.fromCharCode(b))) continue;
        expect([x, b.toString(16), FOLD[b]]).toEqual([x, b.toString(16), x.charCodeAt(0)]);
      }
    }
  });

  it('keeps only caseless code units exact (no other one lowercases or uppercases onto them)', () => {
    const exact = (c: number) => c >= 0x80 && FOLD[c] === c;
    for (let b = 0x80; b < 0x10000; b++) {
      if (isSurrogate(b)) continue;
      const ch = String.fromCharCode(b);
      if (exact(b)) expect([b, ch.toLowerCase(), ch.toUpperCase()]).toEqual([b, ch, ch]);
      for (const other of [ch.toLowerCase(), ch.toUpperCase()])
        if (other.length === 1 && other !== ch) expect([b, exact(other.charCodeAt(0))]).toEqual([b, false]);
    }
  });
});

describe('FOLD of astral characters (UTF-16 surrogate pairs)', () => {
  it('gives the case variants of an astral character the same units (same high surrogate)', () => {
    let variants = 0;
    for (let cp = 0x10000; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const other of [ch.toLowerCase(), ch.toUpperCase()]) {
        if (other === ch) continue;
        variants++;
        const units = (s: string) => [s.length, FOLD[s.charCodeAt(0)], FOLD[s.charCodeAt(1)]];
        expect([cp, ...units(other)]).toEqual([cp, ...units(ch)]);
      }
    }
    expect(variants).toBeGreaterThan(400); // Deseret, Osage, Adlam… do have case
  });
});

describe('compileMaskScan', () => {
  it('reports which groups of keys occur, case-insensitively, and always the groups it cannot check', () => {
    const scan = compileMaskScan([
      [{ text: 'crypto' }, { text: '東京' }],
      [{ text: 'ai', notBeforeWordChar: true }],
      [{ text: '' }],
      [{ text: 'x' }],
    ]);
    expect(scan.mask('nothing here')).toBe(0b0100);
    expect(scan.mask('CRYPTO and AI.')).toBe(0b0111);
    expect(scan.mask('said again, Tokyo 東京')).toBe(0b0101);
    expect(scan.mask('ſcrypto x')).toBe(0b1101);
    expect(scan.mask('ai')).toBe(0b0110);
    expect(compileScan([]).mayMatch('anything')).toBe(false);
  });

  it('tells emoji apart from other emoji and other non-ASCII pairs, and folds astral case', () => {
    const scan = compileMaskScan([[{ text: '🚀' }], [{ text: '𐐨𐐯' }]]);
    expect(scan.mask('launch 🚀!')).toBe(0b01);
    expect(scan.mask('🎉🎉 Grüße')).toBe(0b00);
    expect(scan.mask('Deseret 𐐀𐐇 caps')).toBe(0b10);
  });
});

// Random texts from pieces that stress folding, boundaries, whitespace and emoji.
const PIECES = [
  'crypto',
  'CRYPTO',
  'Crypto',
  'cryptocurrency',
  'ſpoilers',
  'spoilers',
  'SPOILERS',
  'Kelvin',
  'KELVIN',
  'and',
  'sand',
  'Åland',
  'über',
  'ÜBER',
  'Σίσυφος',
  'ΣΊΣΥΦΟΣ',
  '東京',
  '東京タワー',
  '비트코인',
  '비트코인이',
  '🚀',
  '🚀\uFE0F',
  '❤',
  '❤️',
  '🎉',
  '𐐀𐐇',
  '𐐨𐐯',
  'climate',
  'change',
  'hot',
  'take',
  'taken',
  'ai',
  'AI',
  'said',
  'Dubai',
  'generated',
  'made',
  'with',
  'midjourney',
  'dall-e',
  'stable',
  'diffusion',
  'image',
  'is',
  'was',
  'this',
  'the',
  '#nft',
  'nfts',
  'web3',
  'i̇',
  'İ',
  'ß',
  'ẞ',
  '_',
  '-',
  '.',
  ',',
  ' ',
  '  ',
  '\n',
  '\u00a0',
  '\u3000',
];

function randomTexts(count: number): string[] {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(next() * 8);
    let text = '';
    for (let i = 0; i < n; i++) text += PIECES[Math.floor(next() * PIECES.length)]!;
    return text;
  });
}

describe('pre-checked matchers agree with the bare regular expressions', () => {
  const texts = randomTexts(20_000);

  it('mute words (whole word or not, phrases, emoji, CJK, Greek, Deseret, Kelvin, long s)', () => {
    const words = [
      'crypto',
      'spoilers',
      'kelvin',
      'and',
      'über',
      'ΣΊΣΥΦΟΣ',
      '東京',
      '비트코인',
      '🚀',
      '❤️',
      '𐐨𐐯',
      'climate change',
      'hot take',
      'nft',
      'web3',
      'i',
      'ß',
      '.',
    ];
    // With and without one-unit keys (❤, i, ß, .).
    const longer = words.filter((w) => !['❤️', 'i', 'ß', '.'].includes(w));
    for (const [list, wholeWord] of [
      [words, true],
      [words, false],
      [longer, true],
      [longer, false],
    ] as const) {
      const wordTerms: WordTerm[] = list.map((word) => ({ kind: 'word', word, wholeWord }));
      // A user regex runs on RE2; V8 runs this (harmless) one the same, as the oracle.
      const regex = 'gen(?:erated)?\\s+ai';
      const matcher = compileTerms([...wordTerms, { kind: 'regex', source: regex }])!;
      const bare = new RegExp([...wordTerms.map(termPattern), `(?:${regex})`].join('|'), 'iv');
      let hits = 0;
      for (const text of texts) {
        const expected = bare.test(text);
        if (expected) hits++;
        expect([text, matcher.test(text)]).toEqual([text, expected]);
      }
      expect(hits).toBeGreaterThan(1000); // the corpus does exercise matches
    }
  });

  it('AI disclosures: every form the pattern knows passes the pre-check', () => {
    const tools = [
      'ai',
      'AI',
      'midjourney',
      'dall-e',
      'DALLE',
      'stable diffusion',
      'chatgpt',
      'sora',
      'firefly',
      'an ai',
      'a AI',
    ];
    const forms: string[] = ['ai-generated', 'AI generated', 'aigenerated', 'AI disclosure'];
    for (const verb of ['generated', 'made', 'created', 'image', 'picture', 'art'])
      for (const prep of ['with', 'by', 'using'])
        for (const tool of tools) forms.push(`${verb} ${prep} ${tool}`);
    for (const det of ['this', 'the'])
      for (const what of ['image', 'picture', 'text', 'video'])
        for (const verb of ['is', 'was']) forms.push(`${det} ${what} ${verb} ai`);
    for (const form of forms) {
      for (const text of [form, `Look: ${form}.`, `${form.toUpperCase()}!`]) {
        expect([text, AI_DISCLOSURE_PATTERN.test(text)]).toEqual([text, true]);
        expect([text, declaresAi(text)]).toEqual([text, true]);
      }
    }
    for (const text of [...texts, ...forms.map((f) => `x${f}y`)])
      expect([text, declaresAi(text)]).toEqual([text, AI_DISCLOSURE_PATTERN.test(text)]);
  });
});

describe('maskAndTokens', () => {
  it('gives the mask of `mask` and the hash of every token, over random texts', () => {
    const words = ['crypto', 'kelvin', 'ΣΊΣΥΦΟΣ', '東京', '🚀', '❤️', '𐐨𐐯', 'hot take', 'i', 'ß', '.'];
    const scan = compileMaskScan([
      termKeys(words.map((word) => ({ kind: 'word', word, wholeWord: true }))),
      [{ text: 'ai', notBeforeWordChar: true }],
      [{ text: 'generated' }],
    ]);
    const separate = new TokenHashes();
    const together = new TokenHashes();
    // Every token: maximal runs of word characters of the BMP (the mute-word class; a surrogate ends
    // a token), as the word index reads them.
    const wordRun =
      /[[\p{L}\p{M}\p{N}_]--[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]]+/gv;
    for (const text of [...randomTexts(20_000), '', ' ', 'ai', '東京ai', 'x'.repeat(600)]) {
      const mask = scan.maskAndTokens(text, tokenScanTable(), together);
      expect([text, mask]).toEqual([text, scan.mask(text)]);
      tokenizeText(text, separate);
      const tokens = [...text.matchAll(wordRun)]
        .flatMap((m) => m[0].split(/[\uD800-\uDFFF]+/).filter((t) => t !== ''))
        .map(tokenHash);
      expect([text, [...together.hashes.subarray(0, together.count)]]).toEqual([text, tokens]);
      expect([text, [...separate.hashes.subarray(0, separate.count)]]).toEqual([text, tokens]);
    }
  });
});
