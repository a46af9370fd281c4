import type { DbClient, Pipeline } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';

/**
 * Creates a new user's default pipeline (version 1, with its PipelineVersion row), subscribed to the
 * filter lists the admin offers (instance-wide defaults). Call it inside the sign-up transaction so a
 * user never exists without one.
 */
export async function createDefaultPipeline(db: DbClient, userId: string): Promise<Pipeline> {
  const spec = JSON.parse(JSON.stringify(DEFAULT_PIPELINE_SPEC)) as { stages: object[] };
  const offered = await db.filterList.findMany({
    where: { offered: true, version: { gt: 0 } },
    select: { id: true, version: true, offeredAction: true },
    orderBy: { createdAt: 'asc' },
  });
  const pins: Record<string, number> = {};
  if (offered.length > 0) {
    // After the pipeline's own filters, where subscribing adds lists.
    spec.stages.push({
      use: 'filter-list',
      with: { lists: offered.map((l) => ({ id: l.id, action: l.offeredAction ?? 'hide' })) },
    });
    for (const l of offered) pins[l.id] = l.version;
  }
  return db.pipeline.create({
    data: {
      userId,
      name: DEFAULT_PIPELINE_SPEC.name,
      isDefault: true,
      version: 1,
      spec,
      versions: { create: { version: 1, spec, filterLists: pins } },
    },
  });
}
