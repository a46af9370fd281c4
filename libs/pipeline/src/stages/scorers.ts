import type { BuiltinStageConfig } from '../spec.js';
import type { CompiledStage } from './stage.js';
import { addScore, authorIn, authorSet, perPostStage } from './stage.js';

// Score contributions are in rank-key units (see rank-key.ts): +1 is worth one recency half-life.

/**
 * Engagement: `weight × log2(1 + likes + 2·reposts + 2·quotes + replies)`. Logarithmic so that a
 * post with 10× the engagement gains a fixed step, not 10×; counts are those known at ingest time
 * (the rank key is never rescored).
 */
export function engagement(index: number, weight: number): CompiledStage {
  return perPostStage('score/engagement', index, 'score', ({ explain }) => (item) => {
    const c = item.post.counts;
    const raw = c.likes + 2 * c.reposts + 2 * c.quotes + c.replies;
    if (raw > 0) addScore(item, 'score/engagement', index, weight * Math.log2(1 + raw), 'engagement');
    else if (explain) addScore(item, 'score/engagement', index, 0, 'no engagement', true);
  });
}

export function boostAuthors(
  index: number,
  cfg: BuiltinStageConfig<'score/boost-authors'>,
  weight: number,
): CompiledStage {
  const set = authorSet(cfg.authors);
  const amount = cfg.amount * weight;
  return perPostStage('score/boost-authors', index, 'score', ({ explain }) => (item) => {
    const a = item.post.author;
    if (authorIn(set, a.networkId, a.handle))
      addScore(item, 'score/boost-authors', index, amount, 'boosted author', explain);
    else if (explain) addScore(item, 'score/boost-authors', index, 0, 'author not boosted', true);
  });
}

/**
 * The recency stage only sets the rank key's time scale τ (its half-life); it adds no per-post
 * score. An explained run still lists it, so a preview shows what ranks the posts.
 */
export function recency(index: number, halfLifeHours: number): CompiledStage {
  const reason = `ranked by time: one unit per ${halfLifeHours} h half-life`;
  return perPostStage('score/recency', index, 'score', ({ explain }) =>
    explain ? (item) => addScore(item, 'score/recency', index, 0, reason, true) : null,
  );
}
