// Regular expressions that users write (mute words, `pattern` in a plugin's config schema) run on
// RE2 (re2js, pure JavaScript): time linear in the text, whatever the pattern. V8's backtracking
// engine takes exponential or high-polynomial time on patterns such as `(a+)+$` or
// `[^q]*[^q]*…q!`, and no check of a pattern's shape catches them all. Patterns we write ourselves
// (escaped literals, fixed tables) stay on V8's RegExp.
//
// Users write JavaScript syntax (checked by V8 in `u` mode, never run there), translated so RE2
// means the same: `\s` and `.` keep JavaScript's Unicode sets, `\u{…}` becomes `\x{…}`. What RE2
// cannot run in linear time (lookarounds, backreferences) is refused with a clear message.
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';

/**
 * The most RE2 instructions the user regexes of one pipeline (or one config schema) may compile to
 * together. Where RE2's DFA cannot help, matching costs ~10–15 ns per instruction and character of
 * text (re2js 2.10, 2-core Xeon), so this bounds the cost at ~15 µs per character; typical terms
 * (`free\s+i?phone`) take 10–30 instructions.
 */
export const USER_REGEX_BUDGET = 1_000;

/** A compiled user regex. */
export interface UserRegex {
  /** As the user wrote it (JavaScript syntax). */
  readonly source: string;
  /** The same pattern in RE2 syntax, capture groups unnamed (so several can be joined). */
  readonly re2Source: string;
  readonly ignoreCase: boolean;
  /** RE2 program size: the cost of matching, per character of text. */
  readonly size: number;
  /** Whether the pattern occurs anywhere in `text`. */
  test(text: string): boolean;
}

/** A pattern that is not valid JavaScript or that RE2 cannot run; `message` says why. */
export class UserRegexError extends Error {
  override readonly name = 'UserRegexError';
}

// JavaScript's `\s` (WhiteSpace and LineTerminator) and its complement, as RE2 class contents.
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const JS_NOT_SPACE =
  '\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}' +
  '\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}';
/** JavaScript's `.` without the `s` flag: anything but a line terminator. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
const ESCAPE_AT =
  /\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|c([A-Za-z])|([pP])\{(?:Script|sc|General_Category|gc)=([^}]*)\})/y;
const NAMED_GROUP_AT = /\(\?<[^=!>][^>]*>/y;

/** Rewrites a JavaScript (`u` mode) pattern in RE2 syntax with the same meaning. */
export function toRe2Syntax(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      ESCAPE_AT.lastIndex = i;
      const escape = ESCAPE_AT.exec(source);
      if (escape !== null) {
        const [whole, braced, hex4, control, p, property] = escape;
        if (control !== undefined) out += `\\x{${(control.charCodeAt(0) % 32).toString(16)}}`;
        else if (p !== undefined) out += `\\${p}{${property}}`;
        else out += `\\x{${braced ?? hex4}}`;
        i += whole.length;
      } else if (next === 's' || next === 'S') {
        const set = next === 's' ? JS_SPACE : JS_NOT_SPACE;
        out += inClass ? set : `[${set}]`;
        i += 2;
      } else if (next === '0' && !/[0-9]/.test(source[i + 2] ?? '')) {
        out += '\\x{0}';
        i += 2;
      } else {
        out += c + next;
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i += 1;
      continue;
    }
    if (c === '[') {
      // JavaScript's `[]` matches nothing and `[^]` anything; RE2 has neither.
      if (source.startsWith('[]', i)) {
        out += '[^\\x{0}-\\x{10FFFF}]';
        i += 2;
      } else if (source.startsWith('[^]', i)) {
        out += '[\\x{0}-\\x{10FFFF}]';
        i += 3;
      } else {
        inClass = true;
        out += source.startsWith('[^', i) ? '[^' : '[';
        i += source.startsWith('[^', i) ? 2 : 1;
      }
      continue;
    }
    NAMED_GROUP_AT.lastIndex = i;
    const named = NAMED_GROUP_AT.exec(source);
    if (named !== null) {
      // Names do not matter for a yes/no match, and two joined patterns may use the same one.
      out += '(';
      i += named[0].length;
      continue;
    }
    out += c === '.' ? JS_DOT : c;
    i += 1;
  }
  return out;
}

/** Why RE2 refused a pattern that is valid JavaScript. */
function refusal(source: string, re2Message: string): string {
  if (/\(\?<?[=!]/.test(source))
    return 'lookahead and lookbehind are not supported (they cannot run in linear time)';
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences are not supported (they cannot run in linear time)';
  return `not supported: ${re2Message.replace(/^error parsing regexp: /, '')}`;
}

function compile(source: string, ignoreCase: boolean): UserRegex {
  try {
    // Syntax only: constructing a RegExp parses it; it is never run.
    new RegExp(source, 'u');
  } catch (error) {
    throw new UserRegexError(`invalid regular expression: ${(error as Error).message}`);
  }
  const re2Source = toRe2Syntax(source);
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(re2Source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new UserRegexError(`regular expression refused: ${refusal(source, (error as Error).message)}`);
  }
  return { source, re2Source, ignoreCase, size: re2.programSize(), test: (text) => re2.test(text) };
}

// Specs are validated, then compiled, and compiled again when a worker's copy expires: compiling
// a term once per process keeps that cheap (RE2 takes ~0.1–0.5 ms for a typical term).
const cache = new LRUCache<string, UserRegex | UserRegexError>({ max: 2_000 });

/**
 * Compiles a user's regex for RE2. `ignoreCase` is Unicode simple case folding, like JavaScript's
 * `i` flag with `u`. Throws {@link UserRegexError} for invalid or unsupported patterns.
 */
export function compileUserRegex(source: string, options: { ignoreCase?: boolean } = {}): UserRegex {
  const ignoreCase = options.ignoreCase ?? false;
  const key = `${ignoreCase ? 'i' : '-'}${source}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    try {
      compiled = compile(source, ignoreCase);
    } catch (error) {
      if (!(error instanceof UserRegexError)) throw error;
      compiled = error;
    }
    cache.set(key, compiled);
  }
  if (compiled instanceof UserRegexError) throw compiled;
  return compiled;
}

/** One RE2 program that matches where any of `regexes` (compiled alike) matches: one pass over a text. */
export function anyUserRegex(regexes: readonly UserRegex[]): UserRegex {
  if (regexes.length === 0) throw new Error('anyUserRegex needs at least one regex');
  if (regexes.length === 1) return regexes[0]!;
  const ignoreCase = regexes[0]?.ignoreCase ?? false;
  const re2Source = regexes.map((r) => `(?:${r.re2Source})`).join('|');
  const re2 = RE2JS.compile(re2Source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  return {
    source: regexes.map((r) => `(?:${r.source})`).join('|'),
    re2Source,
    ignoreCase,
    size: re2.programSize(),
    test: (text) => re2.test(text),
  };
}
