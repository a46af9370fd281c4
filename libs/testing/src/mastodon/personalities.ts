// Servers that speak the Mastodon API are not all Mastodon. A personality is how the fake Mastodon
// behaves where real servers differ; every one is still held to the contract
// (mastodon-contract.json). The connector's integration suites run under each of them.
import { createHash } from 'node:crypto';

export interface ServerPersonality {
  name: string;
  /** `version` in `/api/v2/instance`, and `api_versions.mastodon`. */
  version: string;
  apiVersion: number;
  /** How status ids look: Mastodon's numeric snowflakes, UUIDv7 or ULID (both sort as strings). */
  ids: 'snowflake' | 'uuidv7' | 'ulid';
  /** `min_id` answered as Mastodon does (the page just above it) or like `since_id` (the newest page). */
  minId: 'forward' | 'like-since-id';
  /** `Link` with `next` and `prev` on every non-empty page, or `next` only, on full pages. */
  link: 'next-and-prev' | 'next-on-full-pages';
  /** `X-RateLimit-Reset` as an ISO date (Mastodon), a Unix timestamp (GoToSocial), or no headers at all. */
  rateLimitHeaders: 'iso' | 'unix' | 'none';
  /** A streaming API at `/api/v1/streaming`, announced in the instance's `urls.streaming`. */
  streaming: boolean;
  /** HTML as Mastodon renders it, or with newlines between and after tags. */
  html: 'mastodon' | 'newlines';
  /** Quotes as Mastodon ≥ 4.4 sends them (`state` + `quoted_status`), or the quoted status + `quote_id`. */
  quotes: 'quote-entity' | 'status-and-quote-id';
  /** Accounts with every field the description requires, or without `uri`, `group`, `indexable`. */
  accounts: 'full' | 'minimal';
}

/** Mastodon 4.5 as the description has it. */
export const MASTODON_4_5: ServerPersonality = {
  name: 'Mastodon 4.5',
  version: '4.5.0',
  apiVersion: 7,
  ids: 'snowflake',
  minId: 'forward',
  link: 'next-and-prev',
  rateLimitHeaders: 'iso',
  streaming: true,
  html: 'mastodon',
  quotes: 'quote-entity',
  accounts: 'full',
};

/**
 * A single-user Mastodon-API server of the kind Tributary was tried against (issue 18): UUIDv7 ids,
 * `Link` with `next` only on full pages, `min_id` answered like `since_id`, no rate-limit headers,
 * no streaming API, HTML with newlines between tags, quotes as a plain status plus `quote_id`,
 * Accounts without `uri`/`group`/`indexable`. Tokens are scoped as on every server (Mastodon
 * enforces scopes too).
 */
export const SINGLE_USER_SERVER: ServerPersonality = {
  name: 'single-user server (UUIDv7, no streaming)',
  version: '4.0.0 (compatible; a single-user server)',
  apiVersion: 2,
  ids: 'uuidv7',
  minId: 'like-since-id',
  link: 'next-on-full-pages',
  rateLimitHeaders: 'none',
  streaming: false,
  html: 'newlines',
  quotes: 'status-and-quote-id',
  accounts: 'minimal',
};

/**
 * GoToSocial's documented differences: ULID ids (its API docs' examples), `X-Ratelimit-Reset` as a
 * Unix timestamp (docs/api/ratelimiting.md), scoped tokens since 0.19 (docs/api/authentication.md).
 */
export const GOTOSOCIAL: ServerPersonality = {
  name: 'GoToSocial',
  version: '0.19.0',
  apiVersion: 2,
  ids: 'ulid',
  minId: 'forward',
  link: 'next-and-prev',
  rateLimitHeaders: 'unix',
  streaming: true,
  html: 'mastodon',
  quotes: 'quote-entity',
  accounts: 'full',
};

export const PERSONALITIES: readonly ServerPersonality[] = [MASTODON_4_5, SINGLE_USER_SERVER, GOTOSOCIAL];

/** Milliseconds of the first id: ids of later statuses are later, one millisecond apart. */
const EPOCH = Date.UTC(2026, 0, 1);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const noise = (n: number): Buffer => createHash('sha256').update(`id:${n}`).digest();

/** The id the personality gives the `n`th object; later objects sort after earlier ones. */
export function externalId(personality: ServerPersonality, n: number): string {
  const time = EPOCH + n;
  if (personality.ids === 'snowflake') return String(n);
  if (personality.ids === 'uuidv7') {
    const r = noise(n).toString('hex');
    const h = `${time.toString(16).padStart(12, '0')}7${r.slice(0, 3)}${((parseInt(r[3] ?? '0', 16) & 3) | 8).toString(16)}${r.slice(4, 19)}`;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }
  let t = '';
  for (let v = time, i = 0; i < 10; i++, v = Math.floor(v / 32)) t = CROCKFORD[v % 32] + t;
  const bytes = noise(n);
  let r = '';
  for (let i = 0; i < 16; i++) r += CROCKFORD[(bytes[i] ?? 0) % 32];
  return t + r;
}

/** Orders two ids as the personality's server does (numbers for snowflakes, strings otherwise). */
export function compareIds(personality: ServerPersonality, a: string, b: string): number {
  if (personality.ids === 'snowflake') {
    if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return NaN;
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
