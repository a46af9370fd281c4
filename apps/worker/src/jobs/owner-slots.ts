import { jobOwner } from '@tributary/queue';
import type { JobOf } from '@tributary/queue';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';

/**
 * How long a job put back for its owner's share stays out of the queue at most. It comes back
 * sooner, as soon as one of its owner's slots in this process frees (see `run`); this bound only
 * serves when that never happens here (the process stopped). Put back for a short while instead,
 * a member's flood went round the free slots without pause: every waiting job of theirs fetched
 * and put back again twice a second, which cost the process a tenth of its main thread in Redis
 * round trips while other members' jobs ran beside it.
 */
export const PARK_MS = 15_000;

/**
 * A member's share of one queue's worker slots in this process: at most half of them (at least
 * one), so the others always find a free slot for their jobs, however many jobs one member queued
 * and however long each runs; and only one while another member's jobs run here, so that member's
 * job does not share the machine with several of a flood's at once (slots are equal, the CPU and
 * database time behind them are not: a member's rebuilds slowed another's threefold with two).
 * Priorities (FairShare) decide the order; this bounds the occupancy.
 */
export class OwnerSlots {
  private readonly active = new Map<string, number>();
  /** Jobs put back for their owner's share, by owner, first put back first. */
  private readonly parked = new Map<string, Job[]>();
  private readonly share: number;

  constructor(concurrency: number) {
    this.share = Math.max(1, Math.floor(concurrency / 2));
  }

  /**
   * Runs `work` in one of the owner's slots; when they hold their share, parks the job out of the
   * queue instead (no attempt used; it keeps its priority) until one of their slots frees.
   */
  async run<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
    const owner = jobOwner(job as unknown as JobOf);
    if (owner === null) return work();
    const held = this.active.get(owner) ?? 0;
    if (held >= this.allowed(owner)) {
      await job.moveToDelayed(Date.now() + PARK_MS, token);
      this.parked.set(owner, [...(this.parked.get(owner) ?? []), job]);
      throw new DelayedError();
    }
    this.active.set(owner, held + 1);
    try {
      return await work();
    } finally {
      const left = (this.active.get(owner) ?? 1) - 1;
      if (left === 0) this.active.delete(owner);
      else this.active.set(owner, left);
      // Not awaited: the slot is free now, whatever Redis answers.
      void this.unpark(owner);
      // The last of their jobs here ended: others may hold their whole share again.
      if (left === 0)
        for (const other of [...this.parked.keys()]) if (other !== owner) void this.unpark(other);
    }
  }

  /** The slots `owner` may hold now: their share, or one while someone else's job runs here. */
  private allowed(owner: string): number {
    for (const other of this.active.keys()) if (other !== owner) return 1;
    return this.share;
  }

  /**
   * The owner's slot freed: their job parked first goes back to the queue, at its priority. Jobs
   * already back (their park ended, or they were removed) are skipped.
   */
  private async unpark(owner: string): Promise<void> {
    const waiting = this.parked.get(owner);
    while (waiting !== undefined && waiting.length > 0) {
      const next = waiting.shift()!;
      if (waiting.length === 0) this.parked.delete(owner);
      if (
        await next.promote().then(
          () => true,
          () => false,
        )
      )
        return;
    }
  }
}
