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

/** The digit at `i` (0–9), or a negative number / more than 9 when it is not a digit. */
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

const STAMP_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const STAMP_MS_DIGITS = [...STAMP_DIGITS, 20, 21, 22];

function allDigits(s: string, positions: readonly number[]): boolean {
  for (let k = 0; k < positions.length; k++) {
    const d = digit(s, positions[k]!);
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Milliseconds since the epoch of an ISO-8601 UTC timestamp (`2026-11-23T12:00:00.000Z`, the form
 * connectors store), parsed by hand because `Date.parse` is a large share of the engine's per-post
 * cost; anything else falls back to `Date.parse` (NaN when unparseable).
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
    if (allDigits(iso, n === 24 ? STAMP_MS_DIGITS : STAMP_DIGITS)) {
      const year = two(iso, 0) * 100 + two(iso, 2);
      const month = two(iso, 5);
      const day = two(iso, 8);
      const hour = two(iso, 11);
      const minute = two(iso, 14);
      const second = two(iso, 17);
      if (
        month >= 1 &&
        month <= 12 &&
        day >= 1 &&
        day <= daysInMonth(year, month) &&
        hour <= 23 &&
        minute <= 59 &&
        second <= 59
      ) {
        const ms = n === 24 ? two(iso, 20) * 10 + digit(iso, 22) : 0;
        return (
          daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms
        );
      }
    }
  }
  return Date.parse(iso);
}
