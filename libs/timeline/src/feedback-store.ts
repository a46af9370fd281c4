// The member's feedback from a published feed's app (FeedInteraction rows, sendInteractions), read as
// the `feedback` stage's input: "seen" for the batch's posts (found from their entries, however many
// items the member has seen), "less"/"more" per author of the post.
import { prepared } from '@tributary/db';
import type { Sql } from '@tributary/db';
import type { MemberFeedback } from '@tributary/pipeline';

/** Newest less/more requests read per pipeline: older taps fade out of the ranking. */
export const FEEDBACK_REQUESTS = 1000;

const FEEDBACK_SQL = prepared(`
  SELECT f.event, p.uri, a."networkId"
  FROM "TimelineEntry" e
  JOIN "FeedInteraction" f ON f."entryId" = e.id AND f.event = 'interactionSeen'
  JOIN "Post" p ON p.id = e."postId"
  JOIN "Author" a ON a.id = p."authorId"
  WHERE e."pipelineId" = $1::uuid AND e."postId" = ANY($2::bigint[])
  UNION ALL
  (SELECT f.event, p.uri, a."networkId"
   FROM "FeedInteraction" f
   JOIN "TimelineEntry" e ON e.id = f."entryId"
   JOIN "Post" p ON p.id = e."postId"
   JOIN "Author" a ON a.id = p."authorId"
   WHERE f."pipelineId" = $1::uuid AND f.event IN ('requestLess', 'requestMore')
   ORDER BY f."createdAt" DESC LIMIT ${FEEDBACK_REQUESTS})`);

export async function loadFeedback(
  sql: Sql,
  pipelineId: string,
  postIds: readonly bigint[],
): Promise<MemberFeedback> {
  const rows = await sql.query<{ event: string; uri: string; networkId: string }>(FEEDBACK_SQL, [
    pipelineId,
    postIds.map(String),
  ]);
  const seen = new Set<string>();
  const less = new Map<string, number>();
  const more = new Map<string, number>();
  for (const row of rows) {
    if (row.event === 'interactionSeen') seen.add(row.uri);
    else {
      const counts = row.event === 'requestLess' ? less : more;
      counts.set(row.networkId, (counts.get(row.networkId) ?? 0) + 1);
    }
  }
  return { seen, less, more };
}

/**
 * The posts whose entries new feedback changes: the ones it is about and, for less/more, the
 * author's other recent entries in this pipeline (at most `limit`).
 */
const AFFECTED_SQL = prepared(`
  SELECT e."postId" FROM "TimelineEntry" e WHERE e.id = ANY($2::bigint[]) AND e."pipelineId" = $1::uuid
  UNION
  (SELECT e2."postId"
   FROM "TimelineEntry" e
   JOIN "Post" p ON p.id = e."postId"
   JOIN "Post" p2 ON p2."authorId" = p."authorId"
   JOIN "TimelineEntry" e2 ON e2."postId" = p2.id AND e2."pipelineId" = $1::uuid
   WHERE e.id = ANY($3::bigint[]) AND e."pipelineId" = $1::uuid
   ORDER BY e2."postId" DESC LIMIT $4::int)`);

export async function postsAffectedByFeedback(
  sql: Sql,
  pipelineId: string,
  entryIds: readonly bigint[],
  authorEntryIds: readonly bigint[],
  limit: number,
): Promise<string[]> {
  const rows = await sql.query<{ postId: string }>(AFFECTED_SQL, [
    pipelineId,
    entryIds.map(String),
    authorEntryIds.map(String),
    limit,
  ]);
  return rows.map((r) => String(r.postId));
}
