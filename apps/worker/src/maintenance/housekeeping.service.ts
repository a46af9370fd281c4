import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { JobHandler } from '../jobs/job-handler.decorator.js';

const DAY_MS = 24 * 3600 * 1000;
/** Revoked and expired tokens stay listable for a while so users can see what happened. */
export const TOKEN_RETENTION_DAYS = 30;
export const SKIPPED_RECORD_RETENTION_DAYS = 30;
/**
 * Deletes at origin are remembered for the races of a sync or fan-out that read a post just before
 * its delete (seconds) with a wide margin; a member's hostile server sending deletes without end
 * must not grow the tables for ever.
 */
export const TOMBSTONE_RETENTION_DAYS = 7;

/** Hourly (JOB_SCHEDULES). */
@Injectable()
export class HousekeepingService {
  constructor(private readonly db: PrismaService) {}

  /** Idempotent: deleting what is already gone deletes nothing. */
  @JobHandler('housekeeping')
  async run(): Promise<{ tokens: number; invites: number; skippedRecords: number; tombstones: number }> {
    const now = Date.now();
    const tokenCutoff = new Date(now - TOKEN_RETENTION_DAYS * DAY_MS);
    const tombstoneCutoff = new Date(now - TOMBSTONE_RETENTION_DAYS * DAY_MS);
    const [tokens, invites, skippedRecords, records, statuses] = await this.db.client.$transaction([
      this.db.client.apiToken.deleteMany({
        where: { OR: [{ revokedAt: { lt: tokenCutoff } }, { expiresAt: { lt: tokenCutoff } }] },
      }),
      this.db.client.invite.deleteMany({ where: { usedById: null, expiresAt: { lt: new Date(now) } } }),
      this.db.client.skippedRecord.deleteMany({
        where: { createdAt: { lt: new Date(now - SKIPPED_RECORD_RETENTION_DAYS * DAY_MS) } },
      }),
      this.db.client.recordTombstone.deleteMany({ where: { deletedAt: { lt: tombstoneCutoff } } }),
      this.db.client.statusTombstone.deleteMany({ where: { deletedAt: { lt: tombstoneCutoff } } }),
    ]);
    return {
      tokens: tokens.count,
      invites: invites.count,
      skippedRecords: skippedRecords.count,
      tombstones: records.count + statuses.count,
    };
  }
}
