// Tributary's own filter-list format: plain text, one rule a line (documented in libs/pipeline's
// README, "Filter lists"). Parsed strictly: a line that is not a rule, a comment or metadata is an
// error naming its line, and a list with errors is refused as a whole (its last good version stays).
import type { FilterListContent, FilterListMeta, FilterRule, FilterRuleKind, ListProblem } from './rules.js';
import {
  canonicalAccount,
  canonicalDomain,
  canonicalLabel,
  canonicalTag,
  canonicalWords,
  FilterListFormatError,
} from './rules.js';

const METADATA = /^[!#]\s*(title|homepage|version|expires)\s*:\s*(.*)$/i;
const KEYWORD = /^(account|domain|instance|tag|word|phrase|contains|label)\s+(.+)$/i;

/** `4 days`, `12 hours`, `90 minutes`, `1 week` (optionally followed by a comment in parentheses). */
export function parseExpires(text: string): number | null {
  const m = /^(\d{1,5})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b\s*(?:\(.*\))?$/i.exec(
    text.trim(),
  );
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase()[0]!;
  const minutes = n * (unit === 'm' ? 1 : unit === 'h' ? 60 : unit === 'd' ? 1440 : 10080);
  return minutes > 0 ? minutes : null;
}

/** Reads one rule (without comments or metadata); throws a message on a bad line. */
export function parseRule(line: string): FilterRule {
  const text = line.trim();
  if (text.startsWith('did:') || text.startsWith('@')) return rule('account', canonicalAccount(text), text);
  if (text.startsWith('#')) return rule('tag', canonicalTag(text), text);
  if (/^[^@\s]+@[^@\s]+$/.test(text)) return rule('account', canonicalAccount(text), text);
  const m = KEYWORD.exec(text);
  if (!m)
    throw new Error(
      `not a rule: "${text.slice(0, 80)}" (expected did:…, user@instance, @handle, #tag, or account / domain / tag / word / contains / label followed by a value)`,
    );
  const keyword = m[1]!.toLowerCase();
  const value = m[2]!;
  switch (keyword) {
    case 'account':
      return rule('account', canonicalAccount(value), value);
    case 'domain':
    case 'instance':
      return rule('domain', canonicalDomain(value), value);
    case 'tag':
      return rule('tag', canonicalTag(value), value);
    case 'label':
      return rule('label', canonicalLabel(value), value);
    case 'contains':
      return rule('contains', canonicalWords(value), value);
    default:
      return rule('word', canonicalWords(value), value);
  }
}

function rule(kind: FilterRuleKind, value: string | null, written: string): FilterRule {
  if (value === null) throw new Error(`not a valid ${kind}: "${written.trim().slice(0, 80)}"`);
  return { kind, value };
}

/**
 * Parses a list in Tributary's format. Throws {@link FilterListFormatError} listing every bad line.
 * Duplicate rules are kept once. `maxRules` bounds the list (an error past it).
 */
export function parseTributaryList(text: string, maxRules = Infinity): FilterListContent {
  const meta: FilterListMeta = { title: null, homepage: null, version: null, expiresMinutes: null };
  const rules: FilterRule[] = [];
  const seen = new Set<string>();
  const problems: ListProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const metadata = METADATA.exec(line);
    if (metadata) {
      const value = metadata[2]!.trim();
      const key = metadata[1]!.toLowerCase();
      if (key === 'expires') {
        const minutes = parseExpires(value);
        if (minutes === null)
          problems.push({
            line: i + 1,
            message: `expires: expected e.g. "4 days" or "12 hours", got "${value.slice(0, 40)}"`,
          });
        else meta.expiresMinutes = minutes;
      } else if (key === 'homepage') {
        meta.homepage = /^https?:\/\/\S+$/i.test(value) ? value.slice(0, 500) : null;
      } else {
        meta[key as 'title' | 'version'] = value.slice(0, 200) || null;
      }
      continue;
    }
    // `!` always starts a comment; `#` does unless a tag follows it directly (`#aiart`).
    if (line.startsWith('!') || (line.startsWith('#') && !/^#[\p{L}\p{M}\p{N}_]+$/u.test(line))) continue;
    try {
      const parsed = parseRule(line);
      const key = `${parsed.kind}\n${parsed.value.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(parsed);
      if (rules.length > maxRules) {
        problems.push({ line: i + 1, message: `too many rules (at most ${maxRules})` });
        break;
      }
    } catch (error) {
      problems.push({ line: i + 1, message: (error as Error).message });
    }
  }
  if (problems.length > 0) throw new FilterListFormatError(problems);
  return { meta, rules };
}

/** Writes a list in Tributary's format (the form versions are stored in); parses back to the same. */
export function formatTributaryList(content: FilterListContent): string {
  const lines: string[] = [];
  const { title, homepage, version, expiresMinutes } = content.meta;
  if (title !== null) lines.push(`! Title: ${title}`);
  if (homepage !== null) lines.push(`! Homepage: ${homepage}`);
  if (version !== null) lines.push(`! Version: ${version}`);
  if (expiresMinutes !== null) lines.push(`! Expires: ${expiresMinutes} minutes`);
  for (const r of content.rules) {
    switch (r.kind) {
      case 'account':
        lines.push(r.value.startsWith('did:') ? r.value : `account ${r.value}`);
        break;
      case 'tag':
        lines.push(`#${r.value}`);
        break;
      default:
        lines.push(`${r.kind} ${r.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
