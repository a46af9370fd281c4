// Mastodon-style ids that clients can order: the time in milliseconds in the high bits, a sequence
// in the low 16, offset by 10^18 so every id has exactly 19 digits (Tusky orders ids by length, then
// by character; Ice Cubes compares them as strings) and fits PostgreSQL's bigint.

const OFFSET = 10n ** 18n;
const SEQUENCE_BITS = 16n;
/** The largest time an id can hold: ((2^63 - 1) - 10^18) >> 16 ms, in the year 5908. */
const MAX_MS = Number(((2n ** 63n - 1n - OFFSET) >> SEQUENCE_BITS) - 1n);
const ID = /^1[0-9]{18}$/;

/** An id for something that happened at `ms` (clamped to [0, now]: a post dated ahead stays in order). */
export function snowflake(ms: number, sequence: number, now = Date.now()): bigint {
  const at = Math.max(0, Math.min(Number.isFinite(ms) ? Math.floor(ms) : now, now, MAX_MS));
  return OFFSET + (BigInt(at) << SEQUENCE_BITS) + BigInt(sequence & 0xffff);
}

/** Whether `value` is shaped like an id this API hands out. */
export function isSnowflake(value: string): boolean {
  return ID.test(value);
}

/** The time (ms since the epoch) an id was made for; null when `value` is not one of ours. */
export function snowflakeTime(value: string): number | null {
  return isSnowflake(value) ? Number((BigInt(value) - OFFSET) >> SEQUENCE_BITS) : null;
}
