import { Injectable, Logger } from '@nestjs/common';
import { JobQueue } from '@tributary/queue';
import { FilterListService } from '@tributary/timeline';

/** Who owns the subscribed Bluesky lists is read again this often (by the stream's reconcile). */
const OWNERS_TTL_MS = 5_000;
/**
 * A list is read this long after an event changed one of its owner's list items (the AppView
 * indexes the record a moment after the stream carries it), and once more after the second delay
 * for a slow AppView. A refresh that finds the same members stores nothing.
 */
const REFRESH_DELAYS_MS = [2_000, 30_000] as const;

/**
 * Bluesky moderation and curate lists subscribed as filter lists, kept current from the stream the
 * worker already consumes: the stream services watch their owners' repos, and when an owner's
 * list-item record comes or goes their subscribed lists are refreshed shortly after, instead of
 * waiting for the lists' next check (a day by default). Used by the stream leader only.
 */
@Injectable()
export class BlueskyListWatch {
  private readonly logger = new Logger(BlueskyListWatch.name);
  private byOwner = new Map<string, string[]>();
  private loadedAt = 0;
  /** Per owner, the follow-up refresh still to come (a burst of edits moves it). */
  private readonly followUps = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly lists: FilterListService,
    private readonly jobs: JobQueue,
  ) {}

  /** The owners' DIDs, read again when due; a failed read keeps the last ones. Never throws. */
  async owners(now = Date.now()): Promise<ReadonlySet<string>> {
    if (now - this.loadedAt >= OWNERS_TTL_MS) {
      try {
        this.byOwner = await this.lists.blueskyListsByOwner();
        this.loadedAt = now;
      } catch (err) {
        this.logger.warn(
          `Bluesky filter lists not read: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    return new Set(this.byOwner.keys());
  }

  /** Whether `did` owns a subscribed list (as last read). */
  owns(did: string): boolean {
    return this.byOwner.has(did);
  }

  /** One of `did`'s list-item records came or went: their subscribed lists are read again soon. */
  async listItemsChanged(did: string): Promise<void> {
    const ids = this.byOwner.get(did) ?? [];
    if (ids.length === 0) return;
    // Queued once while waiting (the refresh job's dedupe id): a burst of edits is one read.
    for (const listId of ids)
      await this.jobs.enqueue('refresh-filter-list', { listId }, REFRESH_DELAYS_MS[0]);
    clearTimeout(this.followUps.get(did));
    const timer = setTimeout(() => {
      this.followUps.delete(did);
      void Promise.all(ids.map((listId) => this.jobs.enqueue('refresh-filter-list', { listId }))).catch(
        (err: unknown) =>
          this.logger.warn(
            `filter list refresh not queued: ${err instanceof Error ? err.message : String(err)}`,
          ),
      );
    }, REFRESH_DELAYS_MS[1]).unref();
    this.followUps.set(did, timer);
  }

  /** Forgets the follow-up refreshes (the process stops leading). */
  stop(): void {
    for (const timer of this.followUps.values()) clearTimeout(timer);
    this.followUps.clear();
  }
}
