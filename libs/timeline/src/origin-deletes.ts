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
import type { EventPublisher, LostRepost } from '@tributary/queue';

/** The member unfollowed the account that brought the post (its author, or the reposter). */
export const NO_LONGER_FOLLOWED = 'no longer followed';

/** The member removed the source (a feed, list, author or hashtag) that brought the post. */
export const SOURCE_REMOVED = 'source removed';

/** An entry a change at origin touched, and whose pipeline it is in. */
export interface ChangedEntry {
  id: string;
  userId: string;
  pipelineId: string;
  /** Whether it is hidden now. */
  hidden: boolean;
  /** The repost it was shown as, released while it stays (releaseEntries): URI and time. */
  lostRepost?: Omit<LostRepost, 'entryId'> | null;
}

const CHANGED = `t.id::text AS id, t."userId"::text AS "userId", t."pipelineId"::text AS "pipelineId", t.hidden`;

/**
 * Hides every entry of these posts (`Post.deletedAt` set: libs/db markDeletedAtOrigin), in the
 * pipelines of every user whose sources have them, with the decisions the engine gives such a post.
 * Idempotent: an entry hidden for this reason already is left alone. Returns those that changed.
 */
export async function hideDeletedPosts(sql: Sql, postIds: readonly bigint[]): Promise<ChangedEntry[]> {
  if (postIds.length === 0) return [];
  return sql.query<ChangedEntry>(
    `UPDATE "TimelineEntry" t SET hidden = true, "hiddenReason" = $2::text, decisions = $3::jsonb
     FROM (SELECT DISTINCT pl.id AS "pipelineId", sp."postId"
           FROM "SourcePost" sp
           JOIN "Source" s ON s.id = sp."sourceId"
           JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
           JOIN "Pipeline" pl ON pl."userId" = la."userId"
           WHERE sp."postId" = ANY($1::bigint[])) x
     WHERE t."pipelineId" = x."pipelineId" AND t."postId" = x."postId"
       AND t."hiddenReason" IS DISTINCT FROM $2::text
     RETURNING ${CHANGED}`,
    [postIds.map(String), DELETED_AT_ORIGIN, JSON.stringify([DELETED_AT_ORIGIN_DECISION])],
  );
}

/**
 * These posts left users' sources (`why`: DELETED_AT_ORIGIN, NO_LONGER_FOLLOWED, SOURCE_REMOVED): an entry whose
 * post no source of its user still has is hidden for that reason, keeping the repost that brought
 * it (what it was shown as: the Mastodon API's status id of a boost, the audit's "reposted by");
 * one still reached another way only loses the released repost (`repostUri`; null: the post came
 * by its author) as its reason, told as `lostRepost` (the Mastodon API's boost status id goes).
 * Returns the entries it changed (for publishOriginChanges).
 */
export async function releaseEntries(
  sql: Sql,
  released: readonly { userId: string; postId: bigint; repostUri: string | null }[],
  why: string,
): Promise<ChangedEntry[]> {
  if (released.length === 0) return [];
  const decision: Decision = { ...DELETED_AT_ORIGIN_DECISION, reason: why };
  return sql.query<ChangedEntry>(
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
       reason = CASE WHEN e.still AND t.reason->>'uri' = e."repostUri" THEN NULL ELSE t.reason END
     FROM e JOIN "TimelineEntry" o ON o.id = e.id
     WHERE t.id = e.id
     -- o is the row as it was: the reason this statement clears.
     RETURNING ${CHANGED},
       CASE WHEN e.still AND o.reason->>'uri' = e."repostUri"
            THEN jsonb_build_object('uri', o.reason->>'uri', 'at', o.reason->>'at') END AS "lostRepost"`,
    [
      why,
      JSON.stringify([decision]),
      released.map((r) => r.userId),
      released.map((r) => String(r.postId)),
      released.map((r) => r.repostUri),
    ],
  );
}

/** The entries that show these posts (edited at origin: stored over), in every member's pipelines. */
export async function visibleEntriesOf(sql: Sql, postIds: readonly bigint[]): Promise<ChangedEntry[]> {
  if (postIds.length === 0) return [];
  return sql.query<ChangedEntry>(
    `SELECT ${CHANGED} FROM "TimelineEntry" t WHERE t."postId" = ANY($1::bigint[]) AND NOT t.hidden`,
    [postIds.map(String)],
  );
}

/**
 * Tells each pipeline's live readers (the Mastodon streaming API) about its entries a change at
 * origin touched: `removed` for those now hidden, `edited` for those still shown, and with
 * `removed`, `unreposted` for those still shown that lost the repost they were shown as. Best
 * effort: a reader that misses it sees the change on its next read.
 */
export async function publishOriginChanges(
  events: EventPublisher,
  change: 'removed' | 'edited',
  entries: readonly ChangedEntry[],
): Promise<void> {
  const byPipeline = new Map<string, { userId: string; pipelineId: string; entryIds: string[] }>();
  for (const e of entries) {
    if (e.hidden !== (change === 'removed')) continue;
    const group = byPipeline.get(e.pipelineId) ?? {
      userId: e.userId,
      pipelineId: e.pipelineId,
      entryIds: [],
    };
    group.entryIds.push(e.id);
    byPipeline.set(e.pipelineId, group);
  }
  for (const group of byPipeline.values()) {
    await events.publish({ type: 'timeline-changed', change, ...group });
  }
  if (change === 'removed') await publishLostReposts(events, entries);
}

async function publishLostReposts(events: EventPublisher, entries: readonly ChangedEntry[]): Promise<void> {
  const byPipeline = new Map<string, { userId: string; pipelineId: string; reposts: LostRepost[] }>();
  for (const e of entries) {
    if (e.hidden || !e.lostRepost) continue;
    const group = byPipeline.get(e.pipelineId) ?? { userId: e.userId, pipelineId: e.pipelineId, reposts: [] };
    group.reposts.push({ entryId: e.id, ...e.lostRepost });
    byPipeline.set(e.pipelineId, group);
  }
  for (const group of byPipeline.values()) {
    await events.publish({
      type: 'timeline-changed',
      change: 'unreposted',
      ...group,
      entryIds: group.reposts.map((r) => r.entryId),
    });
  }
}
