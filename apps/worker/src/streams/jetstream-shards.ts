// How the repos the community watches are spread over Jetstream connections: a connection takes
// at most `limit` DIDs (Jetstream's cap is 10,000). A repo stays on its connection while it is
// watched, so a follow or an unfollow changes one connection's filter (one `options_update`) and
// never moves other repos between connections, where their events could be missed or doubled.

export interface ShardPlan {
  /** Every connection's repos after the change, by connection id; an empty set: the whole network. */
  filters: Map<number, Set<string>>;
  /** Connections to open, to close, and those kept whose filter changed (an options_update each). */
  opened: number[];
  closed: number[];
  changed: number[];
}

/**
 * The next layout for `wanted` given the current one. New repos go to the lowest connection with
 * room, a connection is opened only when every one is full, and one left without repos is closed
 * (an empty filter would let the whole network through). Past `maxConnections` full connections a
 * single unfiltered connection is cheaper than many, and the fan-out filters here instead.
 */
export function planShards(
  current: ReadonlyMap<number, ReadonlySet<string>>,
  wanted: ReadonlySet<string>,
  limit: number,
  maxConnections: number,
): ShardPlan {
  const plan: ShardPlan = { filters: new Map(), opened: [], closed: [], changed: [] };
  if (wanted.size > limit * maxConnections) {
    const [only] = [...current];
    if (current.size === 1 && only![1].size === 0) plan.filters.set(only![0], new Set());
    else {
      plan.closed = [...current.keys()];
      plan.filters.set(0, new Set());
      plan.opened = [0];
    }
    return plan;
  }
  const changed = new Set<number>();
  const placed = new Set<string>();
  for (const [id, dids] of current) {
    if (dids.size === 0) {
      plan.closed.push(id); // unfiltered: replaced by filtered connections
      continue;
    }
    const kept = new Set([...dids].filter((did) => wanted.has(did)));
    if (kept.size !== dids.size) changed.add(id);
    plan.filters.set(id, kept);
    for (const did of kept) placed.add(did);
  }
  const ids = () => [...plan.filters.keys()].sort((a, b) => a - b);
  let open = ids().filter((id) => plan.filters.get(id)!.size < limit);
  for (const did of [...wanted].filter((d) => !placed.has(d)).sort()) {
    if (open.length === 0) {
      let id = 0;
      while (plan.filters.has(id) || plan.closed.includes(id)) id++;
      plan.filters.set(id, new Set());
      plan.opened.push(id);
      open = [id];
    }
    const id = open[0]!;
    const dids = plan.filters.get(id)!;
    dids.add(did);
    if (!plan.opened.includes(id)) changed.add(id);
    if (dids.size >= limit) open.shift();
  }
  for (const [id, dids] of plan.filters) {
    if (dids.size > 0) continue;
    plan.filters.delete(id);
    plan.closed.push(id);
    changed.delete(id);
  }
  plan.changed = [...changed].sort((a, b) => a - b);
  return plan;
}
