// Some stages of a member's pipeline, run by the same engine outside the timeline (notifications,
// search results): their decisions name each stage's position in the member's spec, so "why" reads
// the same as on a timeline entry.
import { compilePipeline } from './engine.js';
import { parsePipelineSpec } from './spec.js';
import type { StageSpec } from './spec.js';
import type { Candidate, PipelineResult, RunOptions } from './types.js';

/** A decision's index for a stage the caller added (it is not in the member's spec). */
export const ADDED_STAGE_INDEX = -1;

export interface StageSubset {
  /** One result per candidate, in input order; decision indexes are positions in the member's spec. */
  run(candidates: readonly Candidate[], options?: RunOptions): Promise<PipelineResult[]>;
  /** No stage applies: every candidate passes untouched. */
  readonly empty: boolean;
}

/**
 * The enabled stages of `specInput` (a stored, valid pipeline spec) whose `use` is in `uses`, in
 * spec order, compiled once. `fallback` stages run too when the spec has no enabled stage of their
 * kind (their decisions carry {@link ADDED_STAGE_INDEX}).
 */
export function compileStageSubset(
  specInput: unknown,
  uses: readonly string[],
  fallback: readonly StageSpec[] = [],
): StageSubset {
  const spec = parsePipelineSpec(specInput);
  const positions: number[] = [];
  const stages = spec.stages.filter((stage, index) => {
    const applies = stage.enabled && uses.includes(stage.use);
    if (applies) positions.push(index);
    return applies;
  });
  for (const stage of fallback) {
    if (stages.some((s) => s.use === stage.use)) continue;
    stages.push(stage);
    positions.push(ADDED_STAGE_INDEX);
  }
  if (stages.length === 0) {
    return {
      empty: true,
      run: async (candidates) =>
        candidates.map((c) => ({
          uri: c.post.uri,
          hidden: false,
          hiddenReason: null,
          warn: [],
          blur: [],
          rankKey: 0,
          decisions: [],
          seenIn: c.seenIn,
          reason: c.reason,
          duplicateOf: null,
        })),
    };
  }
  const pipeline = compilePipeline({ name: spec.name, sources: [], stages });
  return {
    empty: false,
    async run(candidates, options) {
      const results = await pipeline.run(candidates, options);
      return results.map((r) => ({
        ...r,
        decisions: r.decisions.map((d) => ({ ...d, index: d.index >= 0 ? positions[d.index]! : d.index })),
      }));
    },
  };
}
