// Search results through the member's own filters: what their default pipeline mutes (words,
// authors) is hidden with the same "why" as on a timeline entry, and a post found twice (on two
// networks, a Bridgy Fed copy and its original) is one result, as in the timeline.
import { compileStageSubset } from './stage-subset.js';
import type { Candidate, PipelineResult } from './types.js';

/** The stages of the member's pipeline that apply to search results. */
export const SEARCH_STAGES: readonly string[] = ['mute-words', 'mute-authors', 'dedupe-crossposts'];

/** Judges one page of search results, merged from every network searched. */
export interface SearchFilters {
  judge(candidates: readonly Candidate[], now?: Date): Promise<PipelineResult[]>;
}

/**
 * The search stages of `specInput` (a stored, valid pipeline spec), compiled once. Duplicates are
 * merged even when the pipeline has no dedupe stage (with its defaults): a result list never shows
 * one post twice.
 */
export function compileSearchFilters(specInput: unknown): SearchFilters {
  const stages = compileStageSubset(specInput, SEARCH_STAGES, [
    {
      use: 'dedupe-crossposts',
      with: { windowMinutes: 60, identities: [] },
      weight: 1,
      onError: 'skip',
      enabled: true,
    },
  ]);
  return { judge: (candidates, now = new Date()) => stages.run(candidates, { now }) };
}
