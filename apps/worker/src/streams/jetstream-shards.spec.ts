import { describe, expect, it } from '@jest/globals';
import { planShards } from './jetstream-shards.js';

const did = (i: number) => `did:plc:${String(i).padStart(4, '0')}`;
const dids = (...is: number[]) => new Set(is.map(did));
const layout = (plan: ReturnType<typeof planShards>) =>
  Object.fromEntries([...plan.filters].map(([id, set]) => [id, [...set].sort()]));

describe('planShards', () => {
  it('spreads the wanted repos over connections of at most `limit`', () => {
    const plan = planShards(new Map(), dids(1, 2, 3, 4, 5), 2, 20);
    expect(layout(plan)).toEqual({
      0: [did(1), did(2)],
      1: [did(3), did(4)],
      2: [did(5)],
    });
    expect(plan).toMatchObject({ opened: [0, 1, 2], closed: [], changed: [] });
  });

  it('changes only the connection a follow or an unfollow concerns, never moving other repos', () => {
    const current = new Map([
      [0, dids(1, 2)],
      [1, dids(3, 4)],
      [2, dids(5)],
    ]);
    // did 3 unfollowed, did 9 followed: 9 fills the first hole.
    const plan = planShards(current, dids(1, 2, 4, 5, 9), 2, 20);
    expect(layout(plan)).toEqual({ 0: [did(1), did(2)], 1: [did(4), did(9)], 2: [did(5)] });
    expect(plan).toMatchObject({ opened: [], closed: [], changed: [1] });

    // A connection left without repos is closed: an empty filter would be the whole network.
    const after = planShards(plan.filters, dids(1, 2, 4, 9), 2, 20);
    expect(after).toMatchObject({ opened: [], closed: [2], changed: [] });
    // A new connection only when every one is full, with the lowest free id.
    const grown = planShards(after.filters, dids(1, 2, 4, 9, 7), 2, 20);
    expect(grown).toMatchObject({ opened: [2], closed: [], changed: [] });
    expect(layout(grown)[2]).toEqual([did(7)]);
  });

  it('nothing wanted: no connection', () => {
    const plan = planShards(new Map([[0, dids(1)]]), new Set(), 2, 20);
    expect(plan).toMatchObject({ opened: [], closed: [0], changed: [] });
    expect(plan.filters.size).toBe(0);
  });

  it('past maxConnections full connections, one unfiltered connection; back to filters below it', () => {
    const many = dids(1, 2, 3, 4, 5);
    const current = planShards(new Map(), dids(1, 2, 3, 4), 2, 2).filters;
    const wide = planShards(current, many, 2, 2);
    expect(wide).toMatchObject({ opened: [0], closed: [0, 1] });
    expect(layout(wide)).toEqual({ 0: [] });
    expect(planShards(wide.filters, many, 2, 2)).toMatchObject({ opened: [], closed: [], changed: [] });
    const narrow = planShards(wide.filters, dids(1, 2), 2, 2);
    expect(narrow).toMatchObject({ opened: [1], closed: [0] });
    expect(layout(narrow)).toEqual({ 1: [did(1), did(2)] });
  });
});
