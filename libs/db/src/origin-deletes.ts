// Records their authors deleted on the network (Bluesky posts and reposts), as the stream reports
// them: the posts are marked (their timeline entries are hidden, kept in the audit), the sources a
// deleted repost brought a post into let it go, and a tombstone stops a fan-out racing the delete
// from bringing either back.
import { Network } from '@tributary/core';
import { withDbErrors } from './db-error.js';
import type { DbClient } from './prisma-client.js';

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

/** Remembers these records as deleted (idempotent). */
export async function addTombstones(prisma: DbClient, uris: readonly string[]): Promise<void> {
  if (uris.length === 0) return;
  await withDbErrors(() =>
    prisma.$executeRawUnsafe(
      `INSERT INTO "RecordTombstone" ("uri") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [...uris],
    ),
  );
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

/** Marks the stored Bluesky posts with these URIs (every trust domain's copy) deleted; their ids. */
export async function markPostsDeleted(prisma: DbClient, uris: readonly string[]): Promise<bigint[]> {
  if (uris.length === 0) return [];
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ id: bigint }[]>(
      `UPDATE "Post" SET "deletedAt" = coalesce("deletedAt", now())
       WHERE "network" = $1::"Network" AND "uri" = ANY($2::text[]) RETURNING "id"`,
      Network.Bluesky,
      [...uris],
    ),
  );
  return rows.map((r) => r.id);
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
        `UPDATE "SourcePost" sp SET "reason" = NULL, "reasonUri" = NULL
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
