import type { Post } from '@tributary/core';
import type { PluginBatchOutcome, PluginRunner } from '../plugin-runner.js';
import type { CompiledStage, ItemState, Phase, RunContext } from './stage.js';
import { addScore, applyVerdict, record, recordPass } from './stage.js';

export interface PluginStageOptions {
  use: string;
  index: number;
  /** Undefined when the plugin is not installed: every batch then fails with `not installed`. */
  runner: PluginRunner | undefined;
  config: unknown;
  weight: number;
  onError: 'skip' | 'hide';
}

/** Records a failed plugin batch on each affected item, hiding them when `onError` is `hide`. */
export function recordPluginError(
  items: readonly ItemState[],
  use: string,
  index: number,
  onError: 'skip' | 'hide',
  error: string,
): void {
  const reason = `plugin error: ${error}`;
  for (const item of items) {
    if (onError === 'hide') applyVerdict(item, use, index, { verdict: 'hide', reason });
    else record(item, { stage: use, index, verdict: 'error', reason, score: 0 });
  }
}

/**
 * Runs a plugin over the batch within the run's plugin budget, and charges its time to it. Once the
 * budget is spent, `null` for a stage after the first one refused (nothing more to record for a
 * `skip` stage: that first decision says why the later plugin stages did not run).
 */
export async function runWithinBudget(
  runner: PluginRunner,
  posts: readonly Post[],
  config: unknown,
  context: RunContext,
  index: number,
): Promise<PluginBatchOutcome | null> {
  const budget = context.pluginBudget;
  if (budget.leftMs <= 0) {
    if (budget.spentAt !== null && budget.spentAt !== index) return null;
    budget.spentAt = index;
    return { ok: false, error: 'plugin time budget of the batch spent; later plugin stages not run' };
  }
  const usage = { ms: 0 };
  const outcome = await runner.run(posts, config, { now: context.nowIso }, usage);
  budget.leftMs -= usage.ms;
  return outcome;
}

const BUDGET_SPENT = 'plugin time budget of the batch spent';

/** Visible items and their posts, collected once per stage. */
export function visible(items: readonly ItemState[]): { live: ItemState[]; posts: Post[] } {
  const live: ItemState[] = [];
  const posts: Post[] = [];
  for (const item of items) {
    if (item.hidden) continue;
    live.push(item);
    posts.push(item.post);
  }
  return { live, posts };
}

export function pluginStage(options: PluginStageOptions): CompiledStage {
  const { use, index, runner, config, weight, onError } = options;
  // A plugin with only a score hook runs with the scorers; one with a filter runs with the filters.
  const phase: Phase = runner !== undefined && !runner.hooks.filter ? 'score' : 'filter';
  return {
    use,
    index,
    phase,
    async run(items, context) {
      const { live, posts } = visible(items);
      if (live.length === 0) return;
      if (runner === undefined) return recordPluginError(live, use, index, onError, 'not installed');
      const outcome = await runWithinBudget(runner, posts, config, context, index);
      if (outcome === null)
        return onError === 'hide' ? recordPluginError(live, use, index, onError, BUDGET_SPENT) : undefined;
      if (!outcome.ok) return recordPluginError(live, use, index, onError, outcome.error);
      for (let i = 0; i < live.length; i++) {
        const item = live[i]!;
        const verdict = outcome.verdicts?.[i] ?? null;
        if (verdict !== null)
          applyVerdict(item, use, index, { verdict: verdict.action, reason: verdict.reason });
        else if (context.explain && runner.hooks.filter) recordPass(item, use, index);
        const score = outcome.scores?.[i];
        if (score !== undefined && !item.hidden) addScore(item, use, index, weight * score, 'plugin score', context.explain);
      }
    },
  };
}
