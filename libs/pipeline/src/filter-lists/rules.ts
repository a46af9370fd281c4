// The rules of a filter list, whatever format they came in (Tributary's own text format, a Mastodon
// CSV export, a Bluesky list): one shape, one canonical spelling per rule, which is what a hidden
// post's reason names and what a member's exception matches.

/** What a rule looks at. */
export type FilterRuleKind = 'account' | 'domain' | 'tag' | 'word' | 'contains' | 'label';

/**
 * One rule. `value` is canonical: lowercased ids, handles, domains, tags and labels; words as
 * written (matching is case-insensitive anyway), trimmed, whitespace collapsed.
 */
export interface FilterRule {
  kind: FilterRuleKind;
  value: string;
}

/** A list's own description, from its metadata lines (or the network's list record). */
export interface FilterListMeta {
  title: string | null;
  homepage: string | null;
  /** The maintainer's version string, shown as is. */
  version: string | null;
  /** How often the list asks to be fetched again, in minutes (`! Expires: 4 days`). */
  expiresMinutes: number | null;
}

export interface FilterListContent {
  meta: FilterListMeta;
  rules: FilterRule[];
}

export const NO_META: FilterListMeta = { title: null, homepage: null, version: null, expiresMinutes: null };

/** A line that could not be read, by its 1-based number. */
export interface ListProblem {
  line: number;
  message: string;
}

/** A list that could not be read; `problems` are line-numbered (the first 20 in the message). */
export class FilterListFormatError extends Error {
  override readonly name = 'FilterListFormatError';
  constructor(readonly problems: ListProblem[]) {
    const shown = problems.slice(0, 20).map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message));
    const more = problems.length > 20 ? `\n(and ${problems.length - 20} more)` : '';
    super(`${shown.join('\n')}${more}`);
  }
}

const DID = /^did:[a-z]+:[a-z0-9._:%-]{1,2000}$/;
const LABEL_CHARS = /^[a-z0-9!:_-]{1,128}$/;
const TAG_CHARS = /^[\p{L}\p{M}\p{N}_]{1,100}$/u;
const USER = /^[a-z0-9_.-]{1,100}$/;

/**
 * A host name in its lowercase ASCII form, or null. `*.example.com` is `example.com`: a domain rule
 * always covers its subdomains. Internationalized names become their punycode form (the URL parser
 * does it), so both spellings in a list mean the same host. A port is kept (`host:8443`): servers of
 * private deployments and tests are told apart by it, as their accounts' addresses are.
 */
export function canonicalDomain(input: string): string | null {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(input.trim().toLowerCase().replace(/^\*\./, ''));
  let host = m![1]!.replace(/\.$/, '');
  if (m![2] !== undefined && Number(m![2]) > 65535) return null;
  const port = m![2] === undefined ? '' : `:${Number(m![2])}`;
  if (host === '' || host.length > 253 || /[/:@?#\s]/.test(host)) return null;
  try {
    host = new URL(`https://${host}/`).hostname;
  } catch {
    return null;
  }
  const labels = host.split('.');
  if (labels.length < 2) return null;
  for (const label of labels)
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label) && !/^xn--[a-z0-9-]+$/.test(label)) return null;
  return host + port;
}

/** `@alice@example.social` or `alice@example.social` → `alice@example.social`; null if not one. */
export function canonicalAddress(input: string): string | null {
  const m = /^@?([^@\s]+)@([^@\s]+)$/.exec(input.trim());
  if (!m) return null;
  const user = m[1]!.toLowerCase();
  const host = canonicalDomain(m[2]!);
  return USER.test(user) && host !== null ? `${user}@${host}` : null;
}

/**
 * An account in any of the forms a list may name it: a DID, a fediverse address, a Bluesky handle
 * (`@alice.bsky.social` or bare), or an ActivityPub actor URI. Returns the canonical value or null.
 */
export function canonicalAccount(input: string): string | null {
  const raw = input.trim();
  const lower = raw.toLowerCase();
  // Matching is case-insensitive throughout (authors' ids are compared lowercased).
  if (lower.startsWith('did:')) return DID.test(lower) ? lower : null;
  if (/^https?:\/\//i.test(raw)) {
    try {
      const url = new URL(raw);
      if (url.username || url.password || canonicalDomain(url.hostname) === null) return null;
      return `${url.protocol}//${url.host}${url.pathname}`.toLowerCase();
    } catch {
      return null;
    }
  }
  const address = canonicalAddress(raw);
  if (address !== null) return address;
  return canonicalDomain(raw.replace(/^@/, ''));
}

export function canonicalTag(input: string): string | null {
  const tag = input.trim().replace(/^#/, '').normalize('NFC').toLowerCase();
  return TAG_CHARS.test(tag) ? tag : null;
}

export function canonicalLabel(input: string): string | null {
  const label = input.trim().toLowerCase();
  return LABEL_CHARS.test(label) ? label : null;
}

/** A word or phrase: trimmed, inner whitespace collapsed; null when empty or over 200 characters. */
export function canonicalWords(input: string): string | null {
  const words = input.trim().replace(/\s+/g, ' ').normalize('NFC');
  return words.length === 0 || words.length > 200 ? null : words;
}

/** The rule as a reason and an exception name it: `account did:plc:…`, `domain spam.example`, `tag #ai`, `word "x"`. */
export function ruleName(rule: FilterRule): string {
  switch (rule.kind) {
    case 'account':
      return `account ${rule.value.includes('@') && !rule.value.includes('/') ? `@${rule.value}` : rule.value}`;
    case 'tag':
      return `tag #${rule.value}`;
    case 'word':
    case 'contains':
      return `${rule.kind} "${rule.value}"`;
    default:
      return `${rule.kind} ${rule.value}`;
  }
}

/** A key for sets of rules: kind and value. */
export function ruleKey(rule: FilterRule): string {
  return `${rule.kind}\n${rule.kind === 'word' || rule.kind === 'contains' ? rule.value.toLowerCase() : rule.value}`;
}
