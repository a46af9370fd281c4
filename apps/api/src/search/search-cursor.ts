// Where a merged search stands on each network: the cursor of the last result taken from each
// linked account searched (or that it has nothing more), carried between pages as one opaque
// `after`, with short hashes of the last results' keys, so that a copy of a post an earlier page
// showed is not shown again. It is bound to its query and kind: another search's cursor is
// refused, not misread.
import { createHash } from 'node:crypto';
import { AppErrorCode, AppException } from '../common/app.exception.js';

/** One account's place in the search: continue from `cursor` (null: the start), unless `done`. */
export interface SearchPosition {
  cursor: string | null;
  done: boolean;
}

/** Positions by linked account id. */
export type SearchState = Map<string, SearchPosition>;

/** A position, and the (hashed) keys of the results shown so far, the newest last. */
export interface SearchCursor {
  positions: SearchState;
  shown: string[];
}

/** Longer than any cursor this service writes (a few accounts' network cursors, the keys). */
const MAX_CURSOR_LENGTH = 8_192;
/** Keys of results remembered: a copy comes near its original (Bridgy Fed bridges within minutes). */
export const MAX_SHOWN_KEYS = 150;

/** A result's key as the cursor keeps it: 60 bits of its hash. */
export function shownKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 10);
}

function fingerprint(kind: string, query: string): string {
  return createHash('sha256').update(`${kind}\n${query}`).digest('base64url').slice(0, 12);
}

export function encodeSearchCursor(kind: string, query: string, cursor: SearchCursor): string {
  const positions = Object.fromEntries(
    [...cursor.positions].map(([id, p]) => [id, p.done ? 0 : (p.cursor ?? '')]),
  );
  const shown = cursor.shown.slice(-MAX_SHOWN_KEYS).join('');
  const json = JSON.stringify({ v: 1, f: fingerprint(kind, query), p: positions, s: shown });
  return Buffer.from(json).toString('base64url');
}

/** The state `after` carries; BAD_USER_INPUT for a malformed cursor or one of another search. */
export function decodeSearchCursor(kind: string, query: string, after: string): SearchCursor {
  const invalid = (why: string) =>
    new AppException(AppErrorCode.BadUserInput, `after: ${why}`, { field: 'after' });
  let parsed: { v?: unknown; f?: unknown; p?: unknown; s?: unknown };
  try {
    if (after.length > MAX_CURSOR_LENGTH) throw new Error('too long');
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalid('not a cursor of this search (pass pageInfo.endCursor as it is)');
  }
  if (parsed?.v !== 1 || typeof parsed.p !== 'object' || parsed.p === null)
    throw invalid('not a cursor of this search (pass pageInfo.endCursor as it is)');
  if (parsed.f !== fingerprint(kind, query))
    throw invalid('this cursor belongs to another search (same query and kind, please)');
  const state: SearchState = new Map();
  for (const [id, value] of Object.entries(parsed.p as Record<string, unknown>)) {
    if (value === 0) state.set(id, { cursor: null, done: true });
    else if (typeof value === 'string') state.set(id, { cursor: value || null, done: false });
  }
  const shown = typeof parsed.s === 'string' ? (parsed.s.match(/.{10}/g) ?? []) : [];
  return { positions: state, shown };
}
