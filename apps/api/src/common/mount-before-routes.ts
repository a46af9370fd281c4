// Express tries its layers in the order they were added; Nest mounts GraphQL last.

/** What this module reads of an Express router's layer (the `router` package's Layer). */
interface RouterLayer {
  /** A route's (a controller's handler, or a Nest middleware bound to paths). */
  route?: { path?: unknown };
  /** Where a middleware is mounted (`app.use(path, …)`); `slash` when it is mounted at the root. */
  rawPath?: unknown;
  slash?: boolean;
}

/**
 * Whether a layer may handle a request under `/<segment>`: the first segment of its path is that
 * one or not a plain word (a parameter, a wildcard, a pattern), or it has no path of one string
 * (a RegExp, a list, mounted at the root).
 */
function mayHandleUnder(layer: RouterLayer, segment: string): boolean {
  const path = layer.route ? layer.route.path : layer.slash ? null : layer.rawPath;
  if (typeof path !== 'string') return true;
  const first = path.split('/')[1] ?? '';
  return first === segment || /[^\w.-]/.test(first);
}

/**
 * Moves what is mounted at `path` (one segment: `/graphql`) back past every layer that cannot
 * handle a request under it, that is up to the last middleware that may: Nest mounts Apollo after
 * every controller's route, and each GraphQL request was first matched against the ~100 routes of
 * the Mastodon API, the feed generator and the others (~2% of the API's CPU per timeline page,
 * tools/bench/timeline-read.bench.ts). Every request goes through the same layers in the same
 * order as before; a layer whose path cannot be read stays in front (see `mayHandleUnder`).
 */
export function mountBeforeRoutes(app: { router: { stack: RouterLayer[] } }, path: `/${string}`): void {
  const stack = app.router.stack;
  const segment = path.slice(1);
  if (segment === '' || segment.includes('/')) return;
  const mounted = stack.filter((layer) => !layer.route && !layer.slash && layer.rawPath === path);
  for (const layer of mounted) {
    const from = stack.indexOf(layer);
    let to = from;
    while (to > 0 && !mayHandleUnder(stack[to - 1]!, segment)) to--;
    stack.splice(from, 1);
    stack.splice(to, 0, layer);
  }
}
