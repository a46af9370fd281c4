// Keeps Mastodon's home marker in step with the read position a user saves in Tributary, so a
// Mastodon client on another device resumes reading about where they left off.
import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { MastodonConnector } from '@tributary/connector-mastodon';
import { AccountStatus, ConnectorError, ConnectorErrorCode } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import type { JobPayloads } from '@tributary/queue';
import { InvalidCursorError, decodeCursor } from '@tributary/timeline';
import type { TimelinePosition } from '@tributary/timeline';
import { UnrecoverableError } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';

export interface SavedMarker {
  linkedAccountId: string;
  lastReadId: string;
}

/**
 * The status id, on `account`'s instance, of the entry nearest at or above `position` (read before
 * reaching it) that came through the account's home timeline. Hidden entries count: the user went
 * past them. A boost is marked by the boost's own id (what Mastodon clients list), kept with the
 * home source's row. Otherwise only posts stored as the instance's word qualify (their `nativeId`
 * is its status id; a row copied by the trust_domains migration has none until the instance serves
 * it again). Each branch walks the entry index upwards from the position: ($1 pipeline, $2/$3
 * position, $4 account, $5 its instance).
 */
const LAST_READ_SQL = (() => {
  const branch = (hidden: boolean) => `(
    SELECT e."rankKey", e.id, coalesce(home.reason->>'nativeId', p."nativeId") AS "nativeId" FROM "TimelineEntry" e
    JOIN "Post" p ON p.id = e."postId"
    JOIN LATERAL (SELECT sp.reason FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
                  WHERE sp."postId" = e."postId" AND s."linkedAccountId" = $4::uuid AND s.kind = 'HOME'
                  LIMIT 1) home ON true
    WHERE e."pipelineId" = $1::uuid AND e.hidden = ${hidden} AND (e."rankKey", e.id) >= ($2::float8, $3::bigint)
      AND p.network = 'MASTODON' AND p."trustDomain" = $5
      AND (home.reason->>'nativeId' IS NOT NULL OR p."nativeId" <> '')
    ORDER BY e."rankKey" ASC, e.id ASC LIMIT 1)`;
  return `SELECT "nativeId" FROM (${branch(false)} UNION ALL ${branch(true)}) x ORDER BY "rankKey", id LIMIT 1`;
})();

@Injectable()
export class ReadMarkerService {
  private readonly logger = new Logger(ReadMarkerService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
  ) {}

  /**
   * Idempotent: it saves the position stored when it runs (setting a marker twice changes nothing).
   * An account that refuses its token is marked for re-linking and skipped; outages retry the job.
   */
  @JobHandler('save-read-marker')
  async save({ pipelineId }: JobPayloads['save-read-marker']): Promise<{ saved: SavedMarker[] }> {
    const pipeline = await this.db.client.pipeline.findUnique({
      where: { id: pipelineId },
      select: { id: true, userId: true, readPosition: true },
    });
    if (!pipeline?.readPosition) return { saved: [] };
    let position: TimelinePosition;
    try {
      position = decodeCursor(pipeline.readPosition, pipeline.id);
    } catch (error) {
      // Stored by the API after checking it; only a value altered in the database gets here.
      if (error instanceof InvalidCursorError)
        throw new UnrecoverableError(`read position: ${error.message}`);
      throw error;
    }
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { userId: pipeline.userId, network: 'MASTODON', status: { not: AccountStatus.NeedsReauth } },
      orderBy: { createdAt: 'asc' },
    });
    const saved: SavedMarker[] = [];
    for (const account of accounts) {
      const rows = await this.db.client.$queryRawUnsafe<{ nativeId: string }[]>(
        LAST_READ_SQL,
        pipeline.id,
        position.rankKey,
        String(position.entryId),
        account.id,
        // The connector's trust domain for the account (MastodonConnector.trustDomain).
        new URL(account.serviceUrl).origin,
      );
      const lastReadId = rows[0]?.nativeId;
      if (!lastReadId) continue; // none of this account's posts were read
      if (await this.saveMarker(account, lastReadId)) saved.push({ linkedAccountId: account.id, lastReadId });
    }
    return { saved };
  }

  private async saveMarker(account: LinkedAccount, lastReadId: string): Promise<boolean> {
    try {
      const connector = await this.accounts.connectorFor(account);
      if (!(connector instanceof MastodonConnector)) return false;
      await connector.saveHomeMarker(lastReadId);
      return true;
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      if (error.code === ConnectorErrorCode.Auth) {
        await this.accounts.markNeedsReauth(account.id, error.message);
        return false;
      }
      if (error.code === ConnectorErrorCode.BadInput || error.code === ConnectorErrorCode.NotFound) {
        this.logger.warn(`read marker of account ${account.id} not saved: ${error.message}`);
        return false;
      }
      throw error; // rate limited or unavailable: the job retries with backoff
    }
  }
}
