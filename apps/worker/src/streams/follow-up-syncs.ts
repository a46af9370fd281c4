/** Records awaited per source and check; a burst beyond this is caught by the checks of later events. */
const MAX_AWAITED = 50;

export interface FollowUpSyncsOptions {
  /** When to check, counted from the event (each later one only for what the previous missed). */
  checksMs: readonly number[];
  /** The announced records (at:// URIs) the source's last sync has not seen. */
  unseen: (sourceId: string, uris: string[]) => Promise<string[]>;
  /** Queues a sync of the source now. */
  sync: (sourceId: string) => Promise<void>;
  onError: (sourceId: string, error: unknown) => void;
}

/**
 * Second chances for a stream-triggered sync. The AppView indexes a post a moment after the PDS
 * sequenced it (80–860 ms on the reference network, sometimes seconds), so the first sync may
 * come too early; a check later asks again only for a source whose sync has not seen the record
 * the event announced. A sync that found it costs nothing more upstream.
 */
export class FollowUpSyncs {
  /** Pending checks by `<check index>:<source id>`: one timer per source and check, bursts share it. */
  private readonly pending = new Map<string, { uris: Set<string>; timer: NodeJS.Timeout }>();
  private stopped = false;

  constructor(private readonly options: FollowUpSyncsOptions) {}

  /** An event announced `uri` for the source, whose first sync the caller has queued. */
  expect(sourceId: string, uri: string): void {
    this.schedule(0, sourceId, [uri]);
  }

  /** For good: a check already running queues nothing more. */
  stop(): void {
    this.stopped = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private schedule(check: number, sourceId: string, uris: string[]): void {
    const at = this.options.checksMs[check];
    if (at === undefined || this.stopped) return; // past the last check: the poll is the backstop
    const key = `${check}:${sourceId}`;
    const entry = this.pending.get(key);
    if (entry) {
      for (const uri of uris) if (entry.uris.size < MAX_AWAITED) entry.uris.add(uri);
      return;
    }
    const wait = at - (check > 0 ? (this.options.checksMs[check - 1] ?? 0) : 0);
    this.pending.set(key, {
      uris: new Set(uris.slice(0, MAX_AWAITED)),
      timer: setTimeout(() => void this.check(check, sourceId), wait),
    });
  }

  private async check(check: number, sourceId: string): Promise<void> {
    const key = `${check}:${sourceId}`;
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    try {
      const unseen = await this.options.unseen(sourceId, [...entry.uris]);
      if (unseen.length === 0 || this.stopped) return;
      await this.options.sync(sourceId);
      this.schedule(check + 1, sourceId, unseen);
    } catch (error) {
      this.options.onError(sourceId, error);
    }
  }
}
