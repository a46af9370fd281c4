// Small display helpers shared by the screens.
import type { Network } from './gql/graphql';

export const NETWORK_NAMES: Record<Network, string> = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' };

/** Only http(s) links are ever put in an href (a post could carry `javascript:`). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
];

/** "5 minutes ago", then the date for anything older than a week. */
export function timeAgo(iso: string, now = Date.now()): string {
  let value = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return new Date(iso).toLocaleDateString();
}

export function fullDate(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function authorName(author: { displayName: string | null; handle: string }): string {
  return author.displayName?.trim() || author.handle;
}
