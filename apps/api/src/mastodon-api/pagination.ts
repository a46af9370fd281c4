// Mastodon's paging (INTEROP.md §4): `max_id` (older than), `since_id` (the newest above), `min_id`
// (immediately above, for paging forward), newest first either way; `Link` with next and prev;
// `[]` and no Link at the end.

export interface PageParams {
  max_id?: unknown;
  since_id?: unknown;
  min_id?: unknown;
  limit?: unknown;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 40;

/** `limit` as Mastodon reads it: a number, clamped to 1–40; anything else is the default. */
export function pageLimit(value: unknown, max = MAX_LIMIT): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : DEFAULT_LIMIT;
  return Math.max(1, Math.min(n, max));
}

/** One string parameter; repeated or empty parameters count as absent. */
export function param(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 300 ? value : null;
}

/**
 * The `Link` header of a page: `next` continues below the last item, `prev` above the first;
 * `ids` are what each position is called in a `max_id`/`min_id` (a status id or a cursor).
 */
export function linkHeader(
  url: string,
  limit: number,
  first: string | undefined,
  last: string | undefined,
): string | null {
  if (first === undefined || last === undefined) return null;
  const link = (key: string, value: string) => {
    const target = new URL(url);
    target.search = '';
    target.searchParams.set('limit', String(limit));
    target.searchParams.set(key, value);
    return target.href;
  };
  return `<${link('max_id', last)}>; rel="next", <${link('min_id', first)}>; rel="prev"`;
}
