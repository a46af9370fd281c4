// Mute-word matching, compiled once per stage into one regular expression.
//
// Word boundaries: JavaScript's `\b` only knows ASCII, so "and" would match inside "Åland" but
// not stop at "ändern". We use Unicode lookarounds instead: a whole word may not touch a letter,
// mark, digit or underscore of a *space-separated* script. Scripts written without spaces (Chinese,
// Japanese, Thai, Lao, Khmer, Myanmar) have no word boundaries to find, so a mute word in those
// scripts matches as a substring, and a Latin word right next to CJK text ("我用iPhone") still
// counts as a whole word. Case-insensitive (Unicode simple case folding, the `i` + `v` flags);
// emoji match with or without the variation selector U+FE0F. Diacritics are not folded: "cafe"
// does not mute "café" (write both).
//
// Two engines, on purpose: the patterns built here from literal terms (escaped text and fixed
// Unicode lookarounds) are ours and run on V8's RegExp; a user's regex terms run on RE2
// (`compileUserRegex` in @tributary/core), linear in the text whatever the user wrote.

import type { UserRegex } from '@tributary/core';
import { anyUserRegex, compileUserRegex } from '@tributary/core';
import type { ScanKey } from './literal-scan.js';
import { compileScan } from './literal-scan.js';

const NO_SPACE_SCRIPTS =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';
const NO_SPACE_SCRIPT = new RegExp(`[${NO_SPACE_SCRIPTS}]`, 'v');
/** A character that continues a word in a space-separated script. */
const WORD_CHAR_CLASS = `[[\\p{L}\\p{M}\\p{N}_]--[${NO_SPACE_SCRIPTS}]]`;
export const WORD_CHAR = new RegExp(WORD_CHAR_CLASS, 'v');
const AFTER = `(?!${WORD_CHAR_CLASS})`;

/** Escapes the characters that are syntax in a `v`-mode regular expression. */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A literal word or phrase to mute. */
export interface WordTerm {
  kind: 'word';
  word: string;
  wholeWord: boolean;
}
/** One mute term: a literal word or phrase, or a user regular expression (JavaScript syntax, run by RE2). */
export type MuteTerm = WordTerm | { kind: 'regex'; source: string };

/** Compiles a user's regex term as mute words use it: case-insensitive, on RE2. Throws `UserRegexError`. */
export function compileRegexTerm(source: string): UserRegex {
  return compileUserRegex(source, { ignoreCase: true });
}

function literalBody(text: string): string {
  return escapeLiteral(text)
    .replace(/\s+/g, '\\s+')
    .replace(/\uFE0F/g, '')
    .replace(/(\p{Extended_Pictographic})/gu, '$1\\uFE0F?');
}

/**
 * The V8 regular-expression source (flags `iv`) of a literal term. The "no word character before" check sits
 * after the term's first character (`c(?<!W.)rypto`) rather than in front of it: a pattern that
 * starts with a literal lets the regex engine skip ahead to candidate positions instead of running
 * the lookbehind at every position of every post (several times faster on long texts).
 */
export function termPattern(term: WordTerm): string {
  const word = term.word.normalize('NFC').trim();
  if (!term.wholeWord || NO_SPACE_SCRIPT.test(word)) return literalBody(word);
  const chars = Array.from(word);
  const first = chars[0] ?? '';
  const last = chars[chars.length - 1] ?? '';
  const after = WORD_CHAR.test(last) ? AFTER : '';
  if (!WORD_CHAR.test(first)) return `${literalBody(word)}${after}`;
  return `${escapeLiteral(first)}(?<!${WORD_CHAR_CLASS}.)${literalBody(chars.slice(1).join(''))}${after}`;
}

/** A compiled set of terms: `test` answers "any match?", `which` names the first matching term. */
export interface TermMatcher {
  test(text: string): boolean;
  /**
   * `test` for a caller that already scanned `text` for {@link termKeys} of these terms (or of a
   * superset of them): `keysFound` is whether any occurred.
   */
  testScanned(text: string, keysFound: boolean): boolean;
  which(text: string): string | null;
}

/**
 * The fixed piece of text every match of a literal term contains: its longest run between
 * whitespace (phrases match across any whitespace) and variation selectors (optional in emoji).
 */
function scanKey(term: WordTerm): ScanKey {
  const word = term.word.normalize('NFC').trim();
  const pieces = word.split(/[\s\uFE0F]+/u);
  let longest = 0;
  for (let i = 1; i < pieces.length; i++) if (pieces[i]!.length > pieces[longest]!.length) longest = i;
  const text = pieces[longest] ?? '';
  // A whole word ending in a word character cannot be followed by a letter or digit.
  const last = Array.from(word).at(-1) ?? '';
  const atEnd = longest === pieces.length - 1;
  const notBeforeWordChar = term.wholeWord && atEnd && !NO_SPACE_SCRIPT.test(word) && WORD_CHAR.test(last);
  return { text, notBeforeWordChar };
}

/** The keys (literal-scan.ts) that every match of a literal term contains; regex terms have none. */
export function termKeys(terms: readonly MuteTerm[]): ScanKey[] {
  const keys: ScanKey[] = [];
  for (const term of terms) if (term.kind === 'word') keys.push(scanKey(term));
  return keys;
}

export function compileTerms(terms: readonly MuteTerm[]): TermMatcher | null {
  if (terms.length === 0) return null;
  const words = terms.filter((t) => t.kind === 'word');
  // Literal terms are pre-checked by one pass over the text (literal-scan.ts); user regexes have no
  // fixed piece to look for and always run, all of them in one RE2 pass.
  const anyWord = words.length > 0 ? new RegExp(words.map(termPattern).join('|'), 'iv') : null;
  const scan = compileScan(termKeys(words));
  const regexes = terms.flatMap((t) => (t.kind === 'regex' ? [compileRegexTerm(t.source)] : []));
  const anyRegex = regexes.length > 0 ? anyUserRegex(regexes) : null;
  const each = terms.map((t): { test(text: string): boolean } =>
    t.kind === 'word' ? new RegExp(termPattern(t), 'iv') : compileRegexTerm(t.source),
  );
  const names = terms.map((t) => (t.kind === 'word' ? t.word : `/${t.source}/`));
  const testScanned = (text: string, keysFound: boolean): boolean =>
    (keysFound && anyWord !== null && anyWord.test(text)) || (anyRegex !== null && anyRegex.test(text));
  return {
    test: (text) => testScanned(text, anyWord !== null && scan.mayMatch(text)),
    testScanned,
    which(text) {
      for (let i = 0; i < each.length; i++) if (each[i]!.test(text)) return names[i]!;
      return null;
    },
  };
}
