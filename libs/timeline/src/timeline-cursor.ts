// Keyset cursors over (rankKey desc, id desc), signed so a client can neither forge a position nor
// reuse one of another pipeline: anything that does not verify is the client's bad input.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** A position in one pipeline's timeline: the entry at (rankKey, id); a page continues below it. */
export interface TimelinePosition {
  pipelineId: string;
  rankKey: number;
  entryId: bigint;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

const VERSION = 'v1';
const MAC_BYTES = 16;
const ENTRY_ID = /^[1-9][0-9]{0,18}$/;

export class TimelineCursorCodec {
  // A KeyObject, not bytes: importing raw key bytes on every HMAC showed up in page profiles.
  private readonly key: KeyObject;

  /** @param secret the instance's ENCRYPTION_KEY bytes; a purpose-bound key is derived from it. */
  constructor(secret: Buffer) {
    this.key = createSecretKey(createHmac('sha256', secret).update('tributary/timeline-cursor').digest());
  }

  encode(position: TimelinePosition): string {
    // String(number) is the shortest text that parses back to the same double: the key is exact.
    const payload = [VERSION, position.pipelineId, String(position.rankKey), String(position.entryId)].join(
      ':',
    );
    return `${Buffer.from(payload).toString('base64url')}.${this.mac(payload).toString('base64url')}`;
  }

  /** The position of a cursor this instance issued for `pipelineId`; throws InvalidCursorError otherwise. */
  decode(cursor: string, pipelineId: string): TimelinePosition {
    return checkPipeline(this.verify(cursor), pipelineId);
  }

  /**
   * The position of a cursor this instance issued, for whichever pipeline it names; throws
   * InvalidCursorError otherwise. The caller must still check that pipeline is the one it reads.
   */
  verify(cursor: string): TimelinePosition {
    const [body, mac, extra] = cursor.split('.');
    if (!body || !mac || extra !== undefined || cursor.length > 200)
      throw new InvalidCursorError('malformed cursor');
    const payload = Buffer.from(body, 'base64url').toString();
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError('cursor was not issued by this instance or was altered');
    }
    const [version, pipelineId, rank, id, ...rest] = payload.split(':');
    const rankKey = Number(rank);
    if (
      version !== VERSION ||
      rest.length > 0 ||
      !pipelineId ||
      !id ||
      !ENTRY_ID.test(id) ||
      !rank ||
      !Number.isFinite(rankKey)
    ) {
      throw new InvalidCursorError('malformed cursor');
    }
    return { pipelineId, rankKey, entryId: BigInt(id) };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}

/** `position` when it is in `pipelineId`'s timeline; throws InvalidCursorError otherwise. */
export function checkPipeline(position: TimelinePosition, pipelineId: string): TimelinePosition {
  if (position.pipelineId !== pipelineId) throw new InvalidCursorError('cursor belongs to another pipeline');
  return position;
}
