import { describe, expect, it } from '@jest/globals';
import { UserRegexError, compileUserRegex } from './user-regex.js';

describe('compileUserRegex', () => {
  // V8 is the oracle for what a JavaScript pattern means; these are harmless to run there. The `v`
  // flag, as mute regexes had before RE2: with `iu`, `\P{L}` also matches ι (U+0345 folds to it).
  const patterns = [
    'a\\sb',
    'a\\Sb',
    'a[\\s]b',
    'a[^\\s]b',
    'a[\\S]b',
    'a[\\S\\d]b',
    'a.b',
    '\\\\s',
    'a[^]b',
    'a[]b',
    '\\u00e9',
    '\\u{1F680}',
    '[\\u{1F600}-\\u{1F64F}]',
    '\\cJ',
    '\\0',
    '(?<n>x)y',
    '\\p{Script=Greek}+',
    '\\p{sc=Han}',
    '\\P{L}',
    '\\p{Lu}',
    '\\bcat\\b',
    '\\w+$',
    'ſ',
    'k',
    'σ',
    '^\\d+$',
    '[^a-z]',
    'a\\/b',
    'colou?r|(?:x){2,3}',
  ];
  const texts = [
    'a b',
    'a\u00a0b',
    'a\u2028b',
    'a\rb',
    'a\nb',
    'a\vb',
    'a\ufeffb',
    'a\u3000b',
    'a\u180eb',
    'a1b',
    'axb',
    'a\\b',
    '\\s',
    'é',
    'É',
    '🚀',
    '😀',
    '\n',
    '\0',
    'xy',
    'ελληνικά',
    '東京',
    'ABC',
    'Abc',
    'a cat!',
    'concatenate',
    's',
    'S',
    'K',
    '\u212a',
    'ς',
    'Σ',
    '123',
    '١٢٣',
    'a/b',
    'COLOR xx',
    '',
  ];

  it.each([false, true])('means what V8 means (ignoreCase %s)', (ignoreCase) => {
    for (const pattern of patterns) {
      const regex = compileUserRegex(pattern, { ignoreCase });
      const v8 = new RegExp(pattern, ignoreCase ? 'iv' : 'v');
      for (const text of texts)
        expect([pattern, text, regex.test(text)]).toEqual([pattern, text, v8.test(text)]);
    }
  });

  it('refuses what RE2 cannot run in linear time, and what is not JavaScript', () => {
    expect(() => compileUserRegex('(?=a)')).toThrow(UserRegexError);
    expect(() => compileUserRegex('(?=a)')).toThrow(/^regular expression refused: lookahead/);
    expect(() => compileUserRegex('(a)\\1')).toThrow(/^regular expression refused: backreferences/);
    expect(() => compileUserRegex('(?i)a')).toThrow(/^invalid regular expression: /);
    expect(() => compileUserRegex('[\\p{L}--[a-z]]')).toThrow(/^invalid regular expression: /);
  });
});
