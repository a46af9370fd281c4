// Mastodon's CSV exports as filter lists:
// - domain blocks: a member's export (`blocked_domains.csv`, one domain a line, no header) or an
//   admin's (`#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`; rows of
//   severity `noop` block nothing and are skipped);
// - account blocks and mutes: `blocked_accounts.csv` (one `user@instance` a line) or
//   `muted_accounts.csv` / `following_accounts.csv` (header `Account address,…`).
import type { FilterListContent, FilterRule, ListProblem } from './rules.js';
import { canonicalAddress, canonicalDomain, FilterListFormatError, NO_META } from './rules.js';

export type MastodonCsvKind = 'domains' | 'accounts';

/** Splits one CSV line (RFC 4180 quoting; a quoted field does not span lines in these exports). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out.map((s) => s.trim());
}

/** Reads a Mastodon domain-block or account-block export. Throws FilterListFormatError (line-numbered). */
export function parseMastodonCsv(
  text: string,
  kind: MastodonCsvKind,
  maxRules = Infinity,
): FilterListContent {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const problems: ListProblem[] = [];
  const rules: FilterRule[] = [];
  const seen = new Set<string>();
  let column = 0;
  let severityColumn = -1;
  let start = 0;
  const header = cells(lines[0] ?? '').map((h) => h.toLowerCase());
  const named = kind === 'domains' ? header.indexOf('#domain') : header.indexOf('account address');
  if (named >= 0) {
    column = named;
    severityColumn = header.indexOf('#severity');
    start = 1;
  }
  for (let i = start; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const row = cells(lines[i]!);
    const value = row[column] ?? '';
    if (severityColumn >= 0 && (row[severityColumn] ?? '').toLowerCase() === 'noop') continue;
    const canonical = kind === 'domains' ? canonicalDomain(value) : canonicalAddress(value);
    if (canonical === null) {
      problems.push({
        line: i + 1,
        message: `not a ${kind === 'domains' ? 'domain' : 'fediverse address (user@instance)'}: "${value.slice(0, 80)}"`,
      });
      continue;
    }
    if (seen.has(canonical)) continue;
    seen.add(canonical);
    rules.push({ kind: kind === 'domains' ? 'domain' : 'account', value: canonical });
    if (rules.length > maxRules) {
      problems.push({ line: i + 1, message: `too many rules (at most ${maxRules})` });
      break;
    }
  }
  if (problems.length > 0) throw new FilterListFormatError(problems);
  return { meta: { ...NO_META }, rules };
}
