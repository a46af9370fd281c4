// Entries of posts that left a member's sources at origin (their author deleted the post, or the
// repost that brought it; the member unfollowed whoever brought it, or removed the source): hidden,
// never removed, so the audit (`includeHidden`) still shows them and why. A post deleted at origin is
// the engine's rule (libs/pipeline: a candidate with `deletedAt` is hidden before any stage); entries
// written before the delete are hidden here in place with the engine's own decision, as a run would. A
// released post is no longer in the member's sources, so a rebuild leaves it out, as the network's
// timeline.
import { DELETED_AT_ORIGIN, DELETED_AT_ORIGIN_DECISION } from '@tributary/pipeline';
import type { Decision } from '@tributary/pipeline';
import type { Sql } from '@tributary/db';

/** The member unfollowed the account that brought the post (its author, or the reposter). */
export const NO_LONGER_FOLLOWED = 'no longer followed';

/** The member removed the source (a feed, list, author or hashtag) that brought the post. */
export const SOURCE_REMOVED = 'source removed';

/**
 * Hides every entry of these posts (`Post.deletedAt` set: libs/db markDeletedAtOrigin), in the
 * pipelines of every user whose sources have them, with the decisions the engine gives such a post.
 * Idempotent: an entry hidden for this reason already is left alone. Returns how many changed.
 */
export async function hideDeletedPosts(sql: Sql, postIds: readonly bigint[]): Promise<number> {
  if (postIds.length === 0) return 0;
  const rows = await sql.query<{ id: string }>(
    `UPDATE "TimelineEntry" t SET hidden = true, "hiddenReason" = $2::text, decisions = $3::jsonb
     FROM (SELECT DISTINCT pl.id AS "pipelineId", sp."postId"
           FROM "SourcePost" sp
           JOIN "Source" s ON s.id = sp."sourceId"
           JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
           JOIN "Pipeline" pl ON pl."userId" = la."userId"
           WHERE sp."postId" = ANY($1::bigint[])) x
     WHERE t."pipelineId" = x."pipelineId" AND t."postId" = x."postId"
       AND t."hiddenReason" IS DISTINCT FROM $2::text
     RETURNING t.id`,
    [postIds.map(String), DELETED_AT_ORIGIN, JSON.stringify([DELETED_AT_ORIGIN_DECISION])],
  );
  return rows.length;
}

/**
 * These posts left users' sources (`why`: DELETED_AT_ORIGIN, NO_LONGER_FOLLOWED, SOURCE_REMOVED): an entry whose
 * post no source of its user still has is hidden for that reason; one still reached another way
 * only loses the released repost (`repostUri`; null: the post came by its author) as its reason.
 */
export async function releaseEntries(
  sql: Sql,
  released: readonly { userId: string; postId: bigint; repostUri: string | null }[],
  why: string,
): Promise<number> {
  if (released.length === 0) return 0;
  const decision: Decision = { ...DELETED_AT_ORIGIN_DECISION, reason: why };
  const rows = await sql.query<{ id: string }>(
    `WITH k AS (
       SELECT * FROM unnest($3::uuid[], $4::bigint[], $5::text[]) AS k("userId", "postId", "repostUri")),
     e AS (
       SELECT t.id, k."repostUri", EXISTS (
         SELECT 1 FROM "SourcePost" sp
         JOIN "Source" s ON s.id = sp."sourceId"
         JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
         WHERE sp."postId" = k."postId" AND la."userId" = k."userId") AS still
       FROM k JOIN "Pipeline" pl ON pl."userId" = k."userId"
       JOIN "TimelineEntry" t ON t."pipelineId" = pl.id AND t."postId" = k."postId")
     UPDATE "TimelineEntry" t SET
       hidden = t.hidden OR NOT e.still,
       "hiddenReason" = CASE WHEN e.still THEN t."hiddenReason" ELSE $1::text END,
       decisions = CASE WHEN e.still OR t."hiddenReason" IS NOT DISTINCT FROM $1::text
                        THEN t.decisions ELSE t.decisions || $2::jsonb END,
       reason = CASE WHEN t.reason->>'uri' = e."repostUri" THEN NULL ELSE t.reason END
     FROM e WHERE t.id = e.id
     RETURNING t.id`,
    [
      why,
      JSON.stringify([decision]),
      released.map((r) => r.userId),
      released.map((r) => String(r.postId)),
      released.map((r) => r.repostUri),
    ],
  );
  return rows.length;
}
