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
export function rankKey(createdAtMs: number, score: number, halfLifeHours: number = DEFAULT_HALF_LIFE_HOURS): number {
  return createdAtMs / 1000 / (halfLifeHours * 3600) + score;
}
