// The rank key is the "hot" form: rankKey = createdAtSeconds / τ + Σ contributions, with
// τ = the recency half-life in seconds (score/recency, 6 h by default).
//
// - Time-monotone: the time term depends only on when the post was created, never on "now", so
//   an entry's key is computed once, when it is written, and never needs rescoring as time passes.
//   Ordering by the key is ordering by recency, shifted by how much each post earned.
// - Units: one unit is one half-life. A contribution of +1 makes a post rank like one posted a
//   half-life later; engagement is log2-scaled, so doubling engagement is worth a fixed step.
// - Values are ~10^5 (seconds since 1970 / 21,600), far inside a float64's exact range, so the
//   DB's `rankKey Float` with an `id` tie-breaker gives stable keyset pages.

export const DEFAULT_HALF_LIFE_HOURS = 6;

/** The rank key for a post created at `createdAtMs` with total contribution `score`. */
export function rankKey(
  createdAtMs: number,
  score: number,
  halfLifeHours: number = DEFAULT_HALF_LIFE_HOURS,
): number {
  return createdAtMs / 1000 / (halfLifeHours * 3600) + score;
}

const D0 = 48; // '0'

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - D0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Milliseconds since the epoch of an ISO-8601 UTC timestamp (`2026-11-23T12:00:00.000Z`, the form
 * connectors store), parsed by hand because `Date.parse` is a large share of the engine's per-post
 * cost; anything else falls back to `Date.parse` (NaN when unparseable).
 */
export function parseIsoMs(iso: string): number {
  const n = iso.length;
  if ((n === 20 || n === 24) && iso.charCodeAt(n - 1) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */) {
    const year = digits(iso, 0, 4);
    const month = digits(iso, 5, 2);
    const day = digits(iso, 8, 2);
    const hour = digits(iso, 11, 2);
    const minute = digits(iso, 14, 2);
    const second = digits(iso, 17, 2);
    const ms = n === 24 ? digits(iso, 20, 3) : 0;
    if (
      year >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      ms >= 0
    ) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return Date.parse(iso);
}
