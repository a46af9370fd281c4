import type { BuiltinStageConfig } from '../spec.js';
import type { CompiledStage } from './stage.js';
import { addScore, applyVerdict, perPostStage, record } from './stage.js';
import { contribution } from '../rank-key.js';

/**
 * What the member told the feed's app about items they were shown (Bluesky's sendInteractions):
 * posts marked seen, and per author how often they asked for less or more like this. Input data of
 * a run (RunOptions.feedback), loaded by libs/timeline; the stage itself is pure.
 */
export interface MemberFeedback {
  /** URIs of posts the member has seen. */
  seen: ReadonlySet<string>;
  /** Author networkId → number of "show less like this" on their posts. */
  less: ReadonlyMap<string, number>;
  /** Author networkId → number of "show more like this" on their posts. */
  more: ReadonlyMap<string, number>;
}

export const NO_FEEDBACK: MemberFeedback = { seen: new Set(), less: new Map(), more: new Map() };

/** Requests counted per author at most: one author's ten taps are not ten times one. */
const MAX_REQUESTS = 3;

/**
 * `feedback`: seen posts are hidden, sunk by `sinkBy` rank-key units, or kept (`seen`); an author
 * gets `more × n(more) − less × n(less)` units (n capped at 3), times the stage's weight.
 */
export function feedback(index: number, cfg: BuiltinStageConfig<'feedback'>, weight: number): CompiledStage {
  const use = 'feedback';
  const seenVerdict = { verdict: 'hide' as const, reason: 'already seen' };
  return perPostStage(use, index, 'filter', (context) => {
    const fb = context.feedback;
    if (fb.seen.size === 0 && fb.less.size === 0 && fb.more.size === 0) return null;
    return (item) => {
      if (fb.seen.has(item.post.uri) && cfg.seen !== 'keep') {
        if (cfg.seen === 'hide') return applyVerdict(item, use, index, seenVerdict);
        const sink = contribution(-cfg.sinkBy);
        item.score += sink;
        record(item, { stage: use, index, verdict: 'demote', reason: 'already seen', score: sink });
      }
      const author = item.post.author.networkId;
      const less = Math.min(fb.less.get(author) ?? 0, MAX_REQUESTS);
      const more = Math.min(fb.more.get(author) ?? 0, MAX_REQUESTS);
      if (less > 0)
        addScore(item, use, index, -cfg.less * less * weight, 'you asked for less from this author');
      if (more > 0)
        addScore(item, use, index, cfg.more * more * weight, 'you asked for more from this author');
    };
  });
}
