import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import {
  InvalidCursorError,
  cursorEncoder,
  decodeCursor,
  encodeCursor,
  readCursor,
} from './timeline-cursor.js';

const PIPELINE = '6f1c2a8e-5b7d-4c1e-9a3f-2d4b6c8e0f12';
const OTHER = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';

describe('timeline cursors', () => {
  it('round-trip positions exactly, including rank keys that print with many digits', () => {
    for (const rankKey of [0.1 + 0.2, 83124.65102946172, -1.5e-300, 2 ** 53 + 2, 0]) {
      const position = { pipelineId: PIPELINE, rankKey, entryId: 9_223_372_036_854_775_807n };
      expect(decodeCursor(encodeCursor(position), PIPELINE)).toEqual(position);
    }
  });

  it('are the same from cursorEncoder (a page encodes its pipeline once), whatever the pipeline id', () => {
    // 39, 40 and 41 bytes of `v1:<id>` (every split of base64's groups of 3), and one of other than ASCII.
    for (const pipelineId of [PIPELINE, `${PIPELINE}x`, `${PIPELINE}xy`, 'pipeline-é', '']) {
      const encode = cursorEncoder(pipelineId);
      for (const rankKey of [0.1 + 0.2, -1.5e-300, 1796645112.6, 0]) {
        for (const entryId of [1n, 42n, 9_223_372_036_854_775_807n]) {
          const cursor = encodeCursor({ pipelineId, rankKey, entryId });
          expect(encode(rankKey, entryId)).toBe(cursor);
          expect(encode(rankKey, String(entryId))).toBe(cursor);
        }
      }
    }
  });

  it('are opaque to clients: URL-safe text that does not show the position', () => {
    const cursor = encodeCursor({ pipelineId: PIPELINE, rankKey: 1.25, entryId: 42n });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(PIPELINE);
  });

  it("refuse another pipeline's cursors and malformed ones", () => {
    const cursor = encodeCursor({ pipelineId: PIPELINE, rankKey: 1.25, entryId: 42n });
    expect(() => decodeCursor(cursor, OTHER)).toThrow(
      new InvalidCursorError('cursor belongs to another pipeline'),
    );
    const payload = (text: string) => Buffer.from(text).toString('base64url');
    for (const bad of [
      '',
      'x',
      'x.y',
      '.'.repeat(3),
      'a'.repeat(500),
      payload(`v2:${PIPELINE}:1.25:42`), // unknown version
      payload(`v1:${PIPELINE}:1.25:42:7`), // extra part
      payload(`v1:${PIPELINE}:NaN:42`),
      payload(`v1:${PIPELINE}:1.25:042`),
      payload(`v1:${PIPELINE}:1.25:-1`),
      payload(`v1:${PIPELINE}:1.25:9223372036854775808`), // beyond the bigint column
      payload(`v1::1.25:42`),
    ]) {
      expect(() => decodeCursor(bad, PIPELINE)).toThrow(new InvalidCursorError('malformed cursor'));
    }
  });

  it('read the pipeline a cursor names with readCursor()', () => {
    const position = { pipelineId: OTHER, rankKey: 7.5, entryId: 3n };
    expect(readCursor(encodeCursor(position))).toEqual(position);
    expect(() => readCursor('nonsense')).toThrow(InvalidCursorError);
  });

  it('still read cursors issued signed (payload, then `.` and a MAC), as stored read positions are', () => {
    const body = Buffer.from(`v1:${PIPELINE}:1.25:42`).toString('base64url');
    const mac = createHmac('sha256', 'an earlier key').update(body).digest().subarray(0, 16);
    expect(decodeCursor(`${body}.${mac.toString('base64url')}`, PIPELINE)).toEqual({
      pipelineId: PIPELINE,
      rankKey: 1.25,
      entryId: 42n,
    });
  });
});
