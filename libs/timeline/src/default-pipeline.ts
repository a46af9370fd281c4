import type { DbClient, Pipeline } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';

/**
 * Creates a new user's default pipeline (version 1, with its PipelineVersion row). Call it inside
 * the sign-up transaction so a user never exists without one.
 */
export async function createDefaultPipeline(db: DbClient, userId: string): Promise<Pipeline> {
  const spec = JSON.parse(JSON.stringify(DEFAULT_PIPELINE_SPEC)) as object;
  return db.pipeline.create({
    data: {
      userId,
      name: DEFAULT_PIPELINE_SPEC.name,
      isDefault: true,
      version: 1,
      spec,
      versions: { create: { version: 1, spec } },
    },
  });
}
