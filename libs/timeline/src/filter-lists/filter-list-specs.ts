// Where pipeline specs name filter lists: the `filter-list` stages' `with.lists[].id`.

interface StageLike {
  use?: unknown;
  enabled?: unknown;
  with?: { lists?: unknown } | null;
}

/** The list ids a spec's filter-list stages name (enabled or not), each once. */
export function filterListIdsOf(spec: unknown): string[] {
  const stages = (spec as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) return [];
  const ids = new Set<string>();
  for (const stage of stages as StageLike[]) {
    if (stage?.use !== 'filter-list' || !Array.isArray(stage.with?.lists)) continue;
    for (const entry of stage.with.lists as { id?: unknown }[])
      if (typeof entry?.id === 'string') ids.add(entry.id.toLowerCase());
  }
  return [...ids];
}

/** `{ listId: version }`: the stored list versions a pipeline version runs with. */
export type FilterListPins = Record<string, number>;
