/**
 * A push-fed async iterator. Written by hand rather than as an async generator: a generator
 * suspended in `await` only runs `return()` after its next value, so a subscription whose client
 * left would stay registered until an event happened to arrive. Here `return()` ends it at once.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private closed = false;

  /**
   * @param onClose runs once, when the consumer returns or the stream is closed.
   * @param maxBuffered events kept for a consumer that does not read; older ones are dropped (events
   *   only carry ids, and a client that fell that far behind reloads with a query anyway).
   */
  constructor(
    private readonly onClose: () => void,
    private readonly maxBuffered = 1000,
  ) {}

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    this.buffer.push(value);
    if (this.buffer.length > this.maxBuffered) this.buffer.shift();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the stream: a pending `next()` resolves as done, buffered events are discarded. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    this.onClose();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * Maps a stream through an async function that may drop a value (returns null), keeping
 * `return()` immediate: it ends the source, which resolves a pending `next()` as done.
 */
export function mapStream<T, R>(
  source: AsyncIterator<T>,
  map: (value: T) => Promise<R | null>,
): AsyncIterableIterator<R> {
  const mapped: AsyncIterableIterator<R> = {
    async next(): Promise<IteratorResult<R>> {
      for (;;) {
        const item = await source.next();
        if (item.done) return { value: undefined, done: true };
        let value: R | null;
        try {
          value = await map(item.value);
        } catch (error) {
          // The subscription ends with this error: release what the source holds.
          await source.return?.();
          throw error;
        }
        if (value !== null) return { value, done: false };
      }
    },
    async return(): Promise<IteratorResult<R>> {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

/** Several streams as one: closing it closes them all, and it ends when any of them ends. */
export function mergeStreams<T>(sources: readonly EventStream<T>[]): EventStream<T> {
  const merged = new EventStream<T>(() => {
    for (const source of sources) source.close();
  });
  for (const source of sources)
    void (async () => {
      for await (const value of source) merged.push(value);
      merged.close();
    })();
  return merged;
}
