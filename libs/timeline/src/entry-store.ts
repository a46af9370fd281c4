// The timeline's data access: candidates read with one join, entries written with multi-row
// `INSERT … ON CONFLICT DO UPDATE` (Prisma's per-row upserts cost ~100x more, FACTS.md).
import type { Post, RepostReason } from '@tributary/core';
import type { DbClient } from '@tributary/db';
import type { Candidate, PipelineResult, SeenIn } from '@tributary/pipeline';

/** Past ~1,000 rows per statement bulk writes stop getting faster and only use more memory. */
const ROWS_PER_STATEMENT = 1000;

/** A candidate with the id of its Post row. */
export interface StoredCandidate extends Candidate {
  postId: bigint;
}

interface CandidateRow {
  postId: string;
  data: Omit<Post, 'raw'>;
  bridgyOriginalUrl: string | null;
  reason: RepostReason | null;
  sourceId: string;
  linkedAccountId: string;
  network: SeenIn['network'];
}

/**
 * Driven by the post ids (`ids`: a one-column row source), so the cost follows the batch, not the
 * size of the user's history: a plan starting from the user's sources reads all their posts (seen
 * with stale statistics: 118 ms instead of 8 ms for 500 ids). `OFFSET 0` keeps the lateral
 * subquery from being flattened, which pins the per-id index lookup.
 */
const candidatesSql = (ids: string) => `
  SELECT p.id::text AS "postId", p.data, p.raw->>'bridgyOriginalUrl' AS "bridgyOriginalUrl",
         sp.reason, sp."sourceId", s."linkedAccountId", la.network
  FROM ${ids} AS ids(id)
  CROSS JOIN LATERAL (SELECT * FROM "SourcePost" x WHERE x."postId" = ids.id OFFSET 0) sp
  JOIN "Post" p ON p.id = ids.id
  JOIN "Source" s ON s.id = sp."sourceId"
  JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
  WHERE la."userId" = $1::uuid
  ORDER BY p."createdAt", p.id, sp."seenAt", sp."sourceId"`;

/**
 * The posts among `postIds` that reach this user (through any of their linked accounts' sources),
 * oldest first, each with every place it was seen. Posts of other users' sources are ignored.
 */
export async function loadCandidates(
  db: DbClient,
  userId: string,
  postIds: readonly bigint[],
): Promise<StoredCandidate[]> {
  if (postIds.length === 0) return [];
  const rows = await queryRows<CandidateRow>(
    db,
    candidatesSql('unnest($2::bigint[])'),
    userId,
    postIds.map(String),
  );
  return groupCandidates(rows);
}

/**
 * The posts seen by the user's sources in the last `days` days, at most `limit` of the newest, as
 * candidates oldest first (the order a live timeline would have received them).
 */
export async function loadRecentCandidates(
  db: DbClient,
  userId: string,
  days: number,
  limit: number,
): Promise<StoredCandidate[]> {
  const rows = await queryRows<CandidateRow>(
    db,
    `WITH recent AS (
       SELECT sp."postId", max(sp."seenAt") AS seen
       FROM "SourcePost" sp
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE la."userId" = $1::uuid AND sp."seenAt" > now() - make_interval(days => $2::int)
       GROUP BY sp."postId" ORDER BY seen DESC LIMIT $3::int)
     ${candidatesSql('(SELECT "postId" FROM recent)')}`,
    userId,
    days,
    limit,
  );
  return groupCandidates(rows);
}

/** Ids come back as text (bigint → string), json/jsonb columns as parsed values. */
async function queryRows<T>(db: DbClient, sql: string, ...params: unknown[]): Promise<T[]> {
  // Tried: the rows as one json_agg text value (one JSON.parse instead of per-row conversion)
  // measured no faster here (tools/bench/pipeline-e2e.bench.ts).
  return db.$queryRawUnsafe<T[]>(sql, ...params);
}

/**
 * The native record stays in the database (plugins get the normalized post only); the one field of
 * it the engine reads, Bridgy Fed's pointer to the original, comes along.
 */
function toPost(row: Pick<CandidateRow, 'data' | 'bridgyOriginalUrl'>): Post {
  return {
    ...row.data,
    raw: row.bridgyOriginalUrl === null ? null : { bridgyOriginalUrl: row.bridgyOriginalUrl },
  } as Post;
}

function groupCandidates(rows: CandidateRow[]): StoredCandidate[] {
  const byPost = new Map<string, StoredCandidate>();
  for (const row of rows) {
    let candidate = byPost.get(row.postId);
    if (!candidate) {
      candidate = { postId: BigInt(row.postId), post: toPost(row), reason: null, seenIn: [] };
      byPost.set(row.postId, candidate);
    }
    candidate.reason ??= row.reason;
    candidate.seenIn.push({
      network: row.network,
      linkedAccountId: row.linkedAccountId,
      sourceId: row.sourceId,
      uri: candidate.post.uri,
    });
  }
  return [...byPost.values()];
}

/**
 * Visible entries of the pipeline (the dedupe-relevant fields of their posts) whose posts were created within `windowMinutes` of the batch's
 * posts (excluding the batch itself): what the dedupe stage may merge new duplicates into.
 */
/**
 * The fields of a stored post the dedupe stage compares (a quarter of the whole post): history is
 * several times larger than a batch, so its size is the cost of cross-batch dedupe.
 */
const HISTORY_FIELDS = `jsonb_build_object(${[
  'uri',
  'webUrl',
  'network',
  'author',
  'text',
  'richText',
  'linkCard',
  'createdAt',
  'indexedAt',
]
  .map((f) => `'${f}', p.data->'${f}'`)
  .join(', ')})`;

export async function loadHistory(
  db: DbClient,
  pipelineId: string,
  batch: readonly StoredCandidate[],
  windowMinutes: number,
  limit = 2000,
): Promise<{ postId: bigint; post: Post }[]> {
  if (batch.length === 0) return [];
  const times = batch.map((c) => Date.parse(c.post.createdAt)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return [];
  const margin = windowMinutes * 60_000;
  // Driven by the posts' time index, probing the entry's unique key per post (`OFFSET 0` keeps the
  // planner from hashing the whole timeline instead): cost follows the window, not the timeline. The batch's own posts are left out here rather than in SQL (a
  // `<> ALL(array)` filter compares every row with every id).
  const exclude = new Set(batch.map((c) => c.postId));
  const rows = await queryRows<Pick<CandidateRow, 'postId' | 'data' | 'bridgyOriginalUrl'>>(
    db,
    `WITH h AS (
       SELECT p.id FROM "Post" p
       WHERE p."createdAt" BETWEEN $2::timestamptz AND $3::timestamptz
         AND EXISTS (SELECT 1 FROM "TimelineEntry" t
                     WHERE t."pipelineId" = $1::uuid AND t."postId" = p.id AND NOT t.hidden OFFSET 0)
       ORDER BY p."createdAt" DESC LIMIT $4::int)
     SELECT p.id::text AS "postId", ${HISTORY_FIELDS} AS data, p.raw->>'bridgyOriginalUrl' AS "bridgyOriginalUrl"
     FROM h JOIN "Post" p ON p.id = h.id`,
    pipelineId,
    new Date(Math.min(...times) - margin).toISOString(),
    new Date(Math.max(...times) + margin).toISOString(),
    limit + exclude.size,
  );
  return rows
    .map((r) => ({ postId: BigInt(r.postId), post: toPost(r) }))
    .filter((h) => !exclude.has(h.postId))
    .slice(0, limit);
}

/**
 * A new version starts over from what it computed; the same version keeps what earlier batches
 * merged into the row (duplicates seen elsewhere), in order, without repeating an element.
 */
const SEEN_IN_ON_CONFLICT = `CASE WHEN t."pipelineVersion" < EXCLUDED."pipelineVersion" THEN EXCLUDED."seenIn"
  ELSE ${appendNew('t."seenIn"', 'EXCLUDED."seenIn"')} END`;

function appendNew(target: string, addition: string): string {
  return `${target} || coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(${addition}) e
    WHERE NOT ${target} @> jsonb_build_array(e)), '[]'::jsonb)`;
}

/**
 * Appends a merged duplicate's `seenIn` to the kept entry (the one the dedupe stage found in the
 * history), skipping places already recorded: idempotent.
 */
export async function mergeSeenIn(
  db: DbClient,
  pipelineId: string,
  merges: ReadonlyMap<bigint, SeenIn[]>,
): Promise<void> {
  if (merges.size === 0) return;
  const ids = [...merges.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await db.$executeRawUnsafe(
    `UPDATE "TimelineEntry" AS t SET "seenIn" = ${appendNew('t."seenIn"', 'm.seen')}
     FROM (SELECT unnest($2::bigint[]) AS "postId", unnest($3::jsonb[]) AS seen) m
     WHERE t."pipelineId" = $1::uuid AND t."postId" = m."postId"`,
    pipelineId,
    ids.map(String),
    ids.map((id) => JSON.stringify(merges.get(id))),
  );
}

export interface EntryWrite {
  postId: bigint;
  result: PipelineResult;
}

/**
 * Upserts the entries of one pipeline: one row per (pipeline, post), rewritten in place unless the
 * stored row comes from a newer pipeline version (a rebuild that overtook this run). Idempotent.
 * Returns the ids of the rows this call inserted (not the ones it overwrote), in input order.
 */
export async function upsertEntries(
  db: DbClient,
  userId: string,
  pipelineId: string,
  version: number,
  entries: readonly EntryWrite[],
): Promise<bigint[]> {
  const inserted: bigint[] = [];
  // Sorted by post id so concurrent writers lock rows in one order and cannot deadlock.
  const sorted = [...entries].sort((a, b) => (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0));
  for (let start = 0; start < sorted.length; start += ROWS_PER_STATEMENT) {
    const chunk = sorted.slice(start, start + ROWS_PER_STATEMENT);
    // Columns as arrays through unnest: 9 parameters per statement instead of 6 per row (binding
    // thousands of parameters costs more than the insert).
    const rows = await db.$queryRawUnsafe<{ id: bigint; inserted: boolean }[]>(
      `INSERT INTO "TimelineEntry" AS t
         ("userId", "pipelineId", "postId", "rankKey", hidden, "hiddenReason", decisions, "seenIn", "pipelineVersion")
       SELECT $1::uuid, $2::uuid, v.*, $3::int
       FROM unnest($4::bigint[], $5::float8[], $6::boolean[], $7::text[], $8::jsonb[], $9::jsonb[]) AS v
       ON CONFLICT ("pipelineId", "postId") DO UPDATE SET
         "rankKey" = EXCLUDED."rankKey", hidden = EXCLUDED.hidden, "hiddenReason" = EXCLUDED."hiddenReason",
         decisions = EXCLUDED.decisions, "seenIn" = ${SEEN_IN_ON_CONFLICT},
         "pipelineVersion" = EXCLUDED."pipelineVersion"
       WHERE t."pipelineVersion" <= EXCLUDED."pipelineVersion"
       RETURNING id, (xmax = 0) AS inserted`,
      userId,
      pipelineId,
      version,
      chunk.map((e) => String(e.postId)),
      chunk.map((e) => e.result.rankKey),
      chunk.map((e) => e.result.hidden),
      chunk.map((e) => e.result.hiddenReason),
      // warn and blur are decisions too (verdict warn/blur): the list is the whole story.
      chunk.map((e) => JSON.stringify(e.result.decisions)),
      chunk.map((e) => JSON.stringify(e.result.seenIn)),
    );
    for (const row of rows) if (row.inserted) inserted.push(row.id);
  }
  return inserted;
}
