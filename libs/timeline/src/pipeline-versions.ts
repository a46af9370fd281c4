import type { DbClient } from '@tributary/db';

/**
 * Keeps a pipeline's `kept` newest saved versions (PIPELINE_VERSIONS_KEPT) once version `newest` is
 * saved, in the transaction that saved it; only the current version is ever run, the others are
 * history to go back to. Without a bound, every edit and every new version of a subscribed filter
 * list added a row of up to PIPELINE_SPEC_MAX_KB for good, and `versions` read them all.
 */
export async function pruneVersions(
  tx: DbClient,
  pipelineId: string,
  newest: number,
  kept: number,
): Promise<void> {
  await tx.pipelineVersion.deleteMany({ where: { pipelineId, version: { lte: newest - kept } } });
}
