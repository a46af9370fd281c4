import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { InvalidCursorError, TimelineCursorCodec } from './timeline-cursor.js';

const PIPELINE = '6f1c2a8e-5b7d-4c1e-9a3f-2d4b6c8e0f12';
const OTHER = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const codec = new TimelineCursorCodec(randomBytes(32));

describe('TimelineCursorCodec', () => {
  it('round-trips positions exactly, including rank keys that print with many digits', () => {
    for (const rankKey of [0.1 + 0.2, 83124.65102946172, -1.5e-300, 2 ** 53 + 2, 0]) {
      const position = { pipelineId: PIPELINE, rankKey, entryId: 9_223_372_036_854_775_807n };
      expect(codec.decode(codec.encode(position), PIPELINE)).toEqual(position);
    }
  });

  it('refuses cursors of another pipeline, another key, altered or malformed ones', () => {
    const cursor = codec.encode({ pipelineId: PIPELINE, rankKey: 1.25, entryId: 42n });
    const refuses =
      (c: string, pipeline = PIPELINE) =>
      () =>
        codec.decode(c, pipeline);
    expect(refuses(cursor, OTHER)).toThrow(new InvalidCursorError('cursor belongs to another pipeline'));
    expect(
      refuses(
        new TimelineCursorCodec(randomBytes(32)).encode({
          pipelineId: PIPELINE,
          rankKey: 1.25,
          entryId: 42n,
        }),
      ),
    ).toThrow('cursor was not issued by this instance or was altered');
    const [body, mac] = cursor.split('.') as [string, string];
    const altered = Buffer.from(Buffer.from(body, 'base64url').toString().replace(':42', ':41')).toString(
      'base64url',
    );
    expect(refuses(`${altered}.${mac}`)).toThrow(InvalidCursorError);
    for (const bad of ['', 'x', 'x.y', `${cursor}.z`, `${body}.`, '.'.repeat(3), 'a'.repeat(500)]) {
      expect(refuses(bad)).toThrow(InvalidCursorError);
    }
  });

  it('verifies a cursor of any pipeline with verify(), naming the pipeline, and refuses forged ones', () => {
    const position = { pipelineId: OTHER, rankKey: 7.5, entryId: 3n };
    expect(codec.verify(codec.encode(position))).toEqual(position);
    const foreign = new TimelineCursorCodec(randomBytes(32)).encode(position);
    expect(() => codec.verify(foreign)).toThrow('cursor was not issued by this instance or was altered');
    expect(() => codec.verify('nonsense')).toThrow(InvalidCursorError);
  });
});
