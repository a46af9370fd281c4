// Records their authors deleted on the network, for both networks: `Post.deletedAt` is the one
// record of it. Ingest never writes that column, so a post re-seen by a later sync (a page read
// just before the delete, another source's backfill) stays deleted; the readers and the pipelines'
// candidates get it as the post's `deletedAt` (postDataSql). A Bluesky delete also leaves a
// tombstone, so a fan-out racing it does not bring the post back, and lets go of the sources a
// deleted repost brought a post into.
import { Network } from '@tributary/core';
import type { TrustDomain } from '@tributary/core';
import { withDbErrors } from './db-error.js';
import type { DbClient } from './prisma-client.js';

/** Posts deleted at origin, as each network names them. */
export type OriginDeletion =
  /** Bluesky records by at:// URI: every trust domain's copy (a URI names the record anywhere). */
  | { network: typeof Network.Bluesky; uris: readonly string[] }
  /** Mastodon statuses by the instance's own ids: that instance's rows only (it speaks for its copy). */
  | { network: typeof Network.Mastodon; trustDomain: TrustDomain; nativeIds: readonly string[] };

/**
 * Marks the posts deleted at origin (`deletedAt`, kept from the first time) and returns the ids of
 * all that are stored, marked now or before: hiding their entries is idempotent. Rows are kept, for
 * the audit.
 */
export async function markDeletedAtOrigin(prisma: DbClient, deletion: OriginDeletion): Promise<bigint[]> {
  const bluesky = deletion.network === Network.Bluesky;
  const keys = bluesky ? deletion.uris : deletion.nativeIds;
  if (keys.length === 0) return [];
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ id: bigint }[]>(
      // A UTC wall-clock time, as the column holds (Prisma's convention), whatever the session's zone.
      `UPDATE "Post" SET "deletedAt" = coalesce("deletedAt", now() AT TIME ZONE 'UTC')
       WHERE "network" = $1::"Network"
         AND ${bluesky ? `"uri" = ANY($2::text[])` : `"nativeId" = ANY($2::text[]) AND "trustDomain" = $3`}
       RETURNING "id"`,
      deletion.network,
      [...keys],
      ...(bluesky ? [] : [deletion.trustDomain]),
    ),
  );
  return rows.map((r) => r.id);
}

/**
 * The SQL of a stored post's data as every reader gets it (`alias` names the "Post" row): `data`
 * with the `deletedAt` column as an ISO-8601 string when the post was deleted at origin.
 */
export function postDataSql(alias: string): string {
  return `CASE WHEN ${alias}."deletedAt" IS NULL THEN ${alias}.data
    ELSE ${alias}.data || jsonb_build_object('deletedAt', to_char(${alias}."deletedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END`;
}

/** A post a repost (or, where `repostUri` is null, its author) brought into a source. */
export interface RepostAttachment {
  sourceId: string;
  postId: bigint;
  postUri: string;
  /** The source's account (a DID) and user. */
  memberDid: string;
  userId: string;
  repostUri: string | null;
}

/**
 * Remembers these posts (and Bluesky reposts) as deleted at origin, idempotently, whether stored
 * or not: a sync or fan-out that read one before its delete was applied checks them after storing
 * it ({@link markTombstoned}, {@link tombstoned}). Kept for TOMBSTONE_RETENTION_DAYS (housekeeping):
 * those races last seconds, and a hostile server's deletes must not pile up for ever.
 */
export async function addTombstones(prisma: DbClient, deletion: OriginDeletion): Promise<void> {
  if (deletion.network === Network.Bluesky) {
    if (deletion.uris.length === 0) return;
    await withDbErrors(() =>
      prisma.$executeRawUnsafe(
        `INSERT INTO "RecordTombstone" ("uri") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
        [...deletion.uris],
      ),
    );
    return;
  }
  if (deletion.nativeIds.length === 0) return;
  await withDbErrors(() =>
    prisma.$executeRawUnsafe(
      `INSERT INTO "StatusTombstone" ("trustDomain", "nativeId")
       SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      deletion.trustDomain,
      [...deletion.nativeIds],
    ),
  );
}

/**
 * Marks deleted at origin those of these just-stored posts that a tombstone names (a delete that
 * came before they were stored) and returns their ids. Called after storing: a delete either
 * finds the post stored, or its tombstone is committed before this reads it.
 */
export async function markTombstoned(prisma: DbClient, postIds: readonly bigint[]): Promise<bigint[]> {
  if (postIds.length === 0) return [];
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ id: bigint }[]>(
      `UPDATE "Post" p SET "deletedAt" = now() AT TIME ZONE 'UTC'
       WHERE p.id = ANY($1::bigint[]) AND p."deletedAt" IS NULL
         AND CASE p.network
           WHEN 'BLUESKY' THEN EXISTS (SELECT 1 FROM "RecordTombstone" t WHERE t.uri = p.uri)
           ELSE EXISTS (SELECT 1 FROM "StatusTombstone" t
                         WHERE t."trustDomain" = p."trustDomain" AND t."nativeId" = p."nativeId")
         END
       RETURNING p.id`,
      postIds.map(String),
    ),
  );
  return rows.map((r) => r.id);
}

/** Which of these records were deleted at origin. */
export async function tombstoned(prisma: DbClient, uris: readonly string[]): Promise<Set<string>> {
  if (uris.length === 0) return new Set();
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ uri: string }[]>(
      `SELECT "uri" FROM "RecordTombstone" WHERE "uri" = ANY($1::text[])`,
      [...uris],
    ),
  );
  return new Set(rows.map((r) => r.uri));
}

/** The posts these (deleted) reposts brought into sources, with whose sources they are. */
export async function repostAttachments(
  prisma: DbClient,
  repostUris: readonly string[],
): Promise<RepostAttachment[]> {
  if (repostUris.length === 0) return [];
  return withDbErrors(() =>
    prisma.$queryRawUnsafe<RepostAttachment[]>(
      `SELECT sp."sourceId"::text AS "sourceId", sp."postId", p."uri" AS "postUri",
              la."networkAccountId" AS "memberDid", la."userId"::text AS "userId", sp."reasonUri" AS "repostUri"
       FROM "SourcePost" sp
       JOIN "Post" p ON p."id" = sp."postId"
       JOIN "Source" s ON s."id" = sp."sourceId"
       JOIN "LinkedAccount" la ON la."id" = s."linkedAccountId"
       WHERE sp."reasonUri" = ANY($1::text[])`,
      [...repostUris],
    ),
  );
}

/**
 * What `author` brought into these (HOME) sources: its own posts that no repost re-placed, and the
 * posts it reposted (by the repost kept as the reason). An unfollow lets them go.
 */
export async function authorAttachments(
  prisma: DbClient,
  sourceIds: readonly string[],
  author: string,
): Promise<RepostAttachment[]> {
  if (sourceIds.length === 0) return [];
  return withDbErrors(() =>
    prisma.$queryRawUnsafe<RepostAttachment[]>(
      `SELECT sp."sourceId"::text AS "sourceId", sp."postId", p."uri" AS "postUri",
              la."networkAccountId" AS "memberDid", la."userId"::text AS "userId", sp."reasonUri" AS "repostUri"
       FROM "SourcePost" sp
       JOIN "Post" p ON p."id" = sp."postId"
       JOIN "Source" s ON s."id" = sp."sourceId"
       JOIN "LinkedAccount" la ON la."id" = s."linkedAccountId"
       WHERE sp."sourceId" = ANY($1::uuid[])
         AND CASE WHEN sp."reasonUri" IS NULL THEN split_part(p."uri", '/', 3)
                  ELSE split_part(sp."reasonUri", '/', 3) END = $2`,
      [...sourceIds],
      author,
    ),
  );
}

/**
 * Attachments a member no longer gets as they came (a deleted repost, an unfollow): `keep` ones
 * stay in their source with no reason (the member also gets the post from its author), the others
 * leave it. A row re-placed by another repost meanwhile is left alone.
 */
export async function releaseRepostAttachments(
  prisma: DbClient,
  keep: readonly RepostAttachment[],
  remove: readonly RepostAttachment[],
): Promise<void> {
  const keys = (rows: readonly RepostAttachment[]) => [
    rows.map((r) => r.sourceId),
    rows.map((r) => String(r.postId)),
    rows.map((r) => r.repostUri),
  ];
  await withDbErrors(async () => {
    if (keep.length > 0)
      await prisma.$executeRawUnsafe(
        `UPDATE "SourcePost" sp SET "reason" = NULL, "reasonUri" = NULL, "original" = true
         FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS k("sourceId", "postId", "repostUri")
         WHERE sp."sourceId" = k."sourceId" AND sp."postId" = k."postId" AND sp."reasonUri" = k."repostUri"`,
        ...keys(keep.filter((r) => r.repostUri !== null)),
      );
    if (remove.length > 0)
      await prisma.$executeRawUnsafe(
        `DELETE FROM "SourcePost" sp
         USING unnest($1::uuid[], $2::bigint[], $3::text[]) AS k("sourceId", "postId", "repostUri")
         WHERE sp."sourceId" = k."sourceId" AND sp."postId" = k."postId"
           AND sp."reasonUri" IS NOT DISTINCT FROM k."repostUri"`,
        ...keys(remove),
      );
  });
}
