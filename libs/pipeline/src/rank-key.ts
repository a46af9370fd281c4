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
// - Always finite: a stage's contribution is clamped to ±MAX_CONTRIBUTION and the key to
//   ±MAX_RANK_KEY, whatever a plugin, a weight or a post's counts say. An infinite key could not
//   be sent as a GraphQL Float nor written into a cursor.

export const DEFAULT_HALF_LIFE_HOURS = 6;

/** Most one stage may add to or take from a post's rank key (a plugin's ±100 × the largest weight). */
export const MAX_CONTRIBUTION = 10_000;
/** Bound of every rank key: far beyond any time term (seconds since 1970 / a half-life of 1 s). */
export const MAX_RANK_KEY = 1e12;

/** `value` within ±`limit`; NaN (only ever from a bug upstream) counts as 0. */
export function clampFinite(value: number, limit: number): number {
  if (value > limit) return limit;
  if (value < -limit) return -limit;
  return value === value ? value : 0;
}

/** A stage's contribution as the rank key takes it: within ±{@link MAX_CONTRIBUTION}. */
export function contribution(score: number): number {
  return clampFinite(score, MAX_CONTRIBUTION);
}

/** The rank key for a post created at `createdAtMs` with total contribution `score`: always finite. */
export function rankKey(
  createdAtMs: number,
  score: number,
  halfLifeHours: number = DEFAULT_HALF_LIFE_HOURS,
): number {
  return clampFinite(createdAtMs / 1000 / (halfLifeHours * 3600) + score, MAX_RANK_KEY);
}

/** Days before the first of each month (1–12) in a common year. */
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** The two decimal digits at `i` as a number (0–99), or -1 when either is not a digit. */
function pair(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Milliseconds since the epoch of an ISO-8601 UTC timestamp (`2026-11-23T12:00:00.000Z`, the form
 * connectors store), parsed by hand because `Date.parse` is a large share of the engine's per-post
 * cost (each character is read once); anything else falls back to `Date.parse` (NaN when
 * unparseable).
 */
export function parseIsoMs(iso: string): number {
  const n = iso.length;
  if (
    (n === 24 || n === 20) &&
    iso.charCodeAt(n - 1) === 90 /* Z */ &&
    iso.charCodeAt(10) === 84 /* T */ &&
    iso.charCodeAt(4) === 45 /* - */ &&
    iso.charCodeAt(7) === 45 &&
    iso.charCodeAt(13) === 58 /* : */ &&
    iso.charCodeAt(16) === 58 &&
    (n === 20 || iso.charCodeAt(19) === 46) /* . */
  ) {
    const century = pair(iso, 0);
    const yy = pair(iso, 2);
    const month = pair(iso, 5);
    const day = pair(iso, 8);
    const hour = pair(iso, 11);
    const minute = pair(iso, 14);
    const second = pair(iso, 17);
    let ms = 0;
    if (n === 24) {
      const d = iso.charCodeAt(22) - 48;
      const hundreds = pair(iso, 20);
      ms = hundreds >= 0 && d >= 0 && d <= 9 ? hundreds * 10 + d : -1;
    }
    // Every field is -1 when malformed, so one sign test covers them all.
    if (
      (century | yy | day | hour | minute | second | ms) >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59
    ) {
      const year = century * 100 + yy;
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const monthDays =
        month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
      if (day <= monthDays) {
        // Leap days from 1 Jan 1970 to 1 Jan `year` (477 of them before 1970, counted from year 0).
        const y = year - 1;
        const leapDays = Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) - 477;
        const days =
          365 * (year - 1970) + leapDays + DAYS_BEFORE_MONTH[month]! + (leap && month > 2 ? 1 : 0) + day - 1;
        return days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
      }
    }
  }
  return Date.parse(iso);
}
