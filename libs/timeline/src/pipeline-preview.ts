// A dry run of a pipeline spec over the user's recent posts: what it would keep, hide and why,
// without writing anything (no entries, no progress, no events).
import type { Post } from '@tributary/core';
import type { Sql } from '@tributary/db';
import { compilePipeline } from '@tributary/pipeline';
import type { FilterListResolver, PipelineResult, PluginResolver } from '@tributary/pipeline';
import { loadRecentCandidates } from './entry-store.js';

export interface PreviewOptions {
  /** How many of the newest posts to run over. */
  limit: number;
  /** How far back to look, in days. */
  days: number;
  now?: Date;
  /** Plugin time the preview may spend (RunOptions.pluginBudgetMs). */
  pluginBudgetMs?: number;
  /** The filter lists the spec names, at their current versions. */
  filterLists?: FilterListResolver;
}

export interface PreviewResult {
  postId: bigint;
  post: Omit<Post, 'raw'>;
  result: PipelineResult;
}

/**
 * Runs `spec` over the user's `limit` newest posts of the last `days` days, as one batch, with every
 * decision explained (`keep` for each filter passed). Ordered as a timeline shows them: rank key,
 * highest first. Reads only. Throws `PipelineSpecError` for an invalid spec.
 */
export async function previewPipeline(
  sql: Sql,
  userId: string,
  spec: unknown,
  plugins: PluginResolver,
  options: PreviewOptions,
): Promise<PreviewResult[]> {
  const compiled = compilePipeline(spec, { plugins, filterLists: options.filterLists });
  const candidates = await loadRecentCandidates(sql, userId, options.days, options.limit);
  // Cross-batch dedupe history is the pipeline's own stored entries; a spec being tried has none,
  // so duplicates are merged within the previewed posts only.
  const results = await compiled.run(candidates, {
    now: options.now ?? new Date(),
    explain: true,
    pluginBudgetMs: options.pluginBudgetMs,
  });
  return results
    .map((result, i) => {
      const { raw: _raw, ...post } = candidates[i]!.post;
      return { postId: candidates[i]!.postId, post, result };
    })
    .sort((a, b) => b.result.rankKey - a.result.rankKey || (a.postId < b.postId ? 1 : -1));
}
