import { contribution, rankKey } from '../rank-key.js';
import type { BuiltinStageConfig } from '../spec.js';
import type { CompiledStage, ItemState } from './stage.js';
import { placedMs, record } from './stage.js';

/**
 * Author cap: among any `per` consecutive visible items of the batch (ordered by rank), an author
 * keeps at most `max` at their rank; each further one is demoted by `penalty` rank-key units per
 * excess. Works on the batch being ranked (the timeline is written batch by batch), and changes
 * rank keys rather than positions because the timeline is read in rank-key order.
 */
export function authorCap(
  index: number,
  cfg: BuiltinStageConfig<'diversify/author-cap'>,
  halfLifeHours: number,
): CompiledStage {
  return {
    use: 'diversify/author-cap',
    index,
    phase: 'diversify',
    run(items) {
      const live: ItemState[] = items.filter((i) => !i.hidden);
      const key = (i: ItemState): number => rankKey(placedMs(i), i.score, halfLifeHours);
      live.sort((a, b) => key(b) - key(a));
      const recent = new Map<string, number[]>(); // author → positions of their recent kept items
      for (let pos = 0; pos < live.length; pos++) {
        const item = live[pos]!;
        const author = item.post.author.networkId;
        let positions = recent.get(author);
        if (positions === undefined) recent.set(author, (positions = []));
        while (positions.length > 0 && positions[0]! <= pos - cfg.per) positions.shift();
        if (positions.length >= cfg.max) {
          const excess = positions.length - cfg.max + 1;
          const penalty = contribution(-cfg.penalty * excess);
          item.score += penalty;
          record(item, {
            stage: 'diversify/author-cap',
            index,
            verdict: 'demote',
            reason: `more than ${cfg.max} posts by this author in ${cfg.per}`,
            score: penalty,
          });
        }
        positions.push(pos);
      }
    },
  };
}
