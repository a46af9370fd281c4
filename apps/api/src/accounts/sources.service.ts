import { Injectable } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { ConnectorError, ConnectorErrorCode, SourceKind } from '@tributary/core';
import type { NetworkConnector, SourceDescription } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { Source } from '@tributary/db';
import { EventPublisher } from '@tributary/queue';
import { SOURCE_REMOVED, publishOriginChanges, releaseEntries } from '@tributary/timeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';

/** Released entries per statement, so a feed of many thousand posts is not one huge array. */
const RELEASE_BATCH = 2000;

const notFound = () => new AppException(AppErrorCode.NotFound, 'linked account not found');

/**
 * A linked account's sources beyond its home timeline: feeds, lists, authors, hashtags. A feed or
 * list is checked on its network when added (a mistyped or deleted one is refused at once instead
 * of failing every poll) and takes the network's name for it, as is a kind the network has none of
 * (a Bluesky hashtag); a removed source takes its posts off the member's timelines.
 */
@Injectable()
export class SourcesService {
  constructor(
    private readonly db: PrismaService,
    private readonly linking: AccountsService,
    private readonly events: EventPublisher,
  ) {}

  async add(
    userId: string,
    accountId: string,
    kind: SourceKind,
    externalId: string,
    displayName: string | null,
  ): Promise<Source> {
    if (!isUuid(accountId)) throw notFound();
    const account = await this.db.client.linkedAccount.findFirst({ where: { id: accountId, userId } });
    if (!account) throw notFound();
    // Asks the network about feeds and lists; refuses a kind the network has none of at once.
    const described = await this.describe(await this.linking.connectorFor(account), kind, externalId);
    return this.linking.addSource(
      userId,
      accountId,
      kind,
      externalId,
      displayName ?? described.displayName ?? undefined,
    );
  }

  /**
   * Removes one of the member's sources (not a home timeline: that goes with its account). Its
   * posts leave the member's timelines as the network's would: an entry whose post no other source
   * of theirs has is hidden with "source removed" (kept in the audit, `includeHidden`, until a
   * rebuild, which starts from the sources; live readers are told); one another source still has
   * stays, without the removed source's repost as its reason.
   */
  async remove(userId: string, sourceId: string): Promise<boolean> {
    const gone = () => new AppException(AppErrorCode.NotFound, 'source not found');
    if (!isUuid(sourceId)) throw gone();
    const source = await this.db.client.source.findFirst({
      where: { id: sourceId, linkedAccount: { userId } },
      select: { id: true, kind: true },
    });
    if (!source) throw gone();
    if (source.kind === SourceKind.Home)
      throw new AppException(
        AppErrorCode.BadUserInput,
        'id: a home timeline goes with its account (unlinkAccount removes both)',
        { field: 'id' },
      );
    const held = await this.db.sql.query<{ postId: string; reasonUri: string | null }>(
      `SELECT "postId"::text AS "postId", "reasonUri" FROM "SourcePost" WHERE "sourceId" = $1::uuid`,
      [source.id],
    );
    // Its SourcePost rows go with it (cascade); queued syncs of it find nothing and stop.
    const deleted = await this.db.client.source.deleteMany({ where: { id: source.id } });
    if (deleted.count === 0) throw gone();
    for (let i = 0; i < held.length; i += RELEASE_BATCH) {
      const batch = held.slice(i, i + RELEASE_BATCH);
      const changed = await releaseEntries(
        this.db.sql,
        await this.repostsReleased(userId, batch),
        SOURCE_REMOVED,
      );
      // Live readers (the Mastodon streaming API) drop the statuses that left.
      await publishOriginChanges(this.events, 'removed', changed);
    }
    return true;
  }

  /** The removed source's reposts no other source of the member still has (they stay the reason). */
  private async repostsReleased(
    userId: string,
    held: readonly { postId: string; reasonUri: string | null }[],
  ): Promise<{ userId: string; postId: bigint; repostUri: string | null }[]> {
    const rows = await this.db.sql.query<{ postId: string; repostUri: string | null }>(
      `SELECT h."postId"::text AS "postId",
              CASE WHEN EXISTS (
                SELECT 1 FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
                JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
                WHERE sp."postId" = h."postId" AND sp."reasonUri" = h."reasonUri" AND la."userId" = $1::uuid)
              THEN NULL ELSE h."reasonUri" END AS "repostUri"
       FROM unnest($2::bigint[], $3::text[]) AS h("postId", "reasonUri")`,
      [userId, held.map((h) => h.postId), held.map((h) => h.reasonUri)],
    );
    return rows.map((r) => ({ userId, postId: BigInt(r.postId), repostUri: r.repostUri }));
  }

  /** The network's word on a feed or list: refused as the member's input when it has no such thing. */
  private async describe(
    connector: NetworkConnector,
    kind: SourceKind,
    externalId: string,
  ): Promise<SourceDescription> {
    try {
      return await connector.describeSource({ kind, externalId });
    } catch (error) {
      if (
        error instanceof ConnectorError &&
        (error.code === ConnectorErrorCode.BadInput || error.code === ConnectorErrorCode.NotFound)
      ) {
        throw new AppException(
          AppErrorCode.BadUserInput,
          `externalId: cannot add this ${kind.toLowerCase()}: ${error.message}`,
          { field: 'externalId' },
        );
      }
      throw error;
    }
  }
}
