import { jobOwner } from '@tributary/queue';
import type { JobOf } from '@tributary/queue';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';

/** How long a job waits when its owner already holds their share of this process's slots. */
const DEFER_MS = 500;

/**
 * A member's share of one queue's worker slots in this process: at most half of them (at least
 * one), so the others always find a free slot for their jobs, however many jobs one member queued
 * and however long each runs. Priorities (FairShare) decide the order; this bounds the occupancy.
 */
export class OwnerSlots {
  private readonly active = new Map<string, number>();
  private readonly share: number;

  constructor(concurrency: number) {
    this.share = Math.max(1, Math.floor(concurrency / 2));
  }

  /**
   * Runs `work` in one of the owner's slots; when they hold their share, puts the job back in the
   * queue for a moment instead (no attempt used; it keeps its priority).
   */
  async run<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
    const owner = jobOwner(job as unknown as JobOf);
    if (owner === null) return work();
    const held = this.active.get(owner) ?? 0;
    if (held >= this.share) {
      await job.moveToDelayed(Date.now() + DEFER_MS, token);
      throw new DelayedError();
    }
    this.active.set(owner, held + 1);
    try {
      return await work();
    } finally {
      const left = (this.active.get(owner) ?? 1) - 1;
      if (left === 0) this.active.delete(owner);
      else this.active.set(owner, left);
    }
  }
}
