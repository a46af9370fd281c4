import { describe, expect, it } from '@jest/globals';
import { isSnowflake, snowflake, snowflakeTime } from './snowflake.js';

describe('snowflake ids', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');

  it('have 19 digits from 1970 to far ahead, and order as their times do, as strings too', () => {
    const times = [0, Date.parse('2006-03-21T00:00:00Z'), Date.parse('2016-11-01T00:00:00Z'), now - 1, now];
    const ids = times.map((t, i) => String(snowflake(t, i, now)));
    for (const id of ids) expect(id).toMatch(/^1\d{18}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map((id) => snowflakeTime(id))).toEqual(times);
  });

  it('clamp a time in the future to now, and keep the sequence apart', () => {
    expect(snowflakeTime(String(snowflake(now + 86_400_000, 7, now)))).toBe(now);
    expect(snowflake(now, 1, now)).not.toBe(snowflake(now, 2, now));
    expect(snowflake(now, 0x1ffff, now)).toBe(snowflake(now, 0xffff, now));
  });

  it('tell our ids from anything else', () => {
    expect(isSnowflake('1000000000000000000')).toBe(true);
    for (const other of ['123', '2000000000000000000', '01000000000000000000', 'abc', '']) {
      expect(isSnowflake(other)).toBe(false);
      expect(snowflakeTime(other)).toBeNull();
    }
  });
});
