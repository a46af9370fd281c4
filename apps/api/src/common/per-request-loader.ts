import DataLoader from 'dataloader';

/**
 * One DataLoader per GraphQL request context (an HTTP request, or one graphql-ws operation): the
 * fields of one response are read in one batch per tick, and nothing is shared between requests.
 * A loader's batch function is the one given on that context's first use, so it may close over
 * the request's caller: another request (another member's) never reaches it, it gets its own.
 * Loaders do not cache, so a long-lived subscription never reads stale rows.
 */
export class PerRequestLoaders<K, V> {
  private readonly loaders = new WeakMap<object, DataLoader<K, V>>();

  /** The loader of `ctx`, made with `batch` on first use (later calls' `batch` is not used). */
  of(ctx: object, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V> {
    let loader = this.loaders.get(ctx);
    if (!loader) {
      loader = new DataLoader(batch, { cache: false });
      this.loaders.set(ctx, loader);
    }
    return loader;
  }
}
