import { describe, expect, it } from '@jest/globals';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';
import { OwnerSlots } from './owner-slots.js';

/** A pipeline job of `userId` that records being parked and promoted. */
function job(userId: string, log: string[], name: string): Job {
  return {
    name: 'run-pipelines',
    data: { userId, postIds: [] },
    moveToDelayed: async () => void log.push(`park ${name}`),
    promote: async () => void log.push(`promote ${name}`),
  } as unknown as Job;
}

/** Work that runs until `finish` is called. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OwnerSlots', () => {
  it('gives a member half the slots alone, one while another member runs, and half again after', async () => {
    const slots = new OwnerSlots(4);
    const log: string[] = [];
    const a1 = held();
    const a2 = held();
    const running = [
      slots.run(job('a', log, 'a1'), 't', a1.work),
      slots.run(job('a', log, 'a2'), 't', a2.work),
    ];
    // Alone, the member holds half of the four slots; a third job of theirs waits for one of them.
    await expect(slots.run(job('a', log, 'a3'), 't', async () => 'ran')).rejects.toBeInstanceOf(DelayedError);
    expect(log).toEqual(['park a3']);

    // Another member's job takes a free slot at once.
    const b1 = held();
    const other = slots.run(job('b', log, 'b1'), 't', b1.work);
    // One of the first member's jobs ends: their parked job comes back, but while the other member's
    // job runs, one slot is all theirs, which they still hold.
    a1.finish();
    await running[0];
    await settle();
    expect(log).toEqual(['park a3', 'promote a3']);
    await expect(slots.run(job('a', log, 'a3'), 't', async () => 'ran')).rejects.toBeInstanceOf(DelayedError);
    expect(log.at(-1)).toBe('park a3');

    // The other member is done: the parked job comes back and may run beside the one still running.
    b1.finish();
    await other;
    await settle();
    expect(log.at(-1)).toBe('promote a3');
    await expect(slots.run(job('a', log, 'a3'), 't', async () => 'ran')).resolves.toBe('ran');
    a2.finish();
    await running[1];
  });
});
