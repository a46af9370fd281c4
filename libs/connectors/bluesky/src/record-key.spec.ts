import { describe, expect, it } from '@jest/globals';
import { recordKeyFor } from './record-key.js';

// The TID syntax of the atproto spec: 13 base32-sortable characters, the first with the top bit 0.
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

describe('recordKeyFor', () => {
  const at = new Date('2026-11-23T23:00:00.000Z');

  it('is a valid TID, the same for the same key and different for another', () => {
    const key = recordKeyFor('action-1', at);
    expect(key).toMatch(TID);
    expect(recordKeyFor('action-1', at)).toBe(key);
    expect(recordKeyFor('action-2', at)).not.toBe(key);
  });

  it('sorts by request time like the keys the PDS makes', () => {
    const later = new Date(at.getTime() + 1);
    const keys = Array.from(
      { length: 50 },
      (_, n) => [recordKeyFor(`a${n}`, at), recordKeyFor(`b${n}`, later)] as const,
    );
    for (const [early, late] of keys) expect(early < late).toBe(true);
  });
});
