// The timeline's data access: candidates read with one join, entries written with multi-row
// `INSERT … ON CONFLICT DO UPDATE` (Prisma's per-row upserts cost ~100x more, FACTS.md).
import { mergePersonalLabels, withPersonalLabels } from '@tributary/core';
import type { PersonalLabels, Post, RepostReason } from '@tributary/core';
import { postDataSql, prepared } from '@tributary/db';
import type { Sql } from '@tributary/db';
import { dedupeKeysOf } from '@tributary/pipeline';
import type { Candidate, PipelineResult, SeenIn } from '@tributary/pipeline';

/** Past ~1,000 rows per statement bulk writes stop getting faster and only use more memory. */
const ROWS_PER_STATEMENT = 1000;

/**
 * A candidate with the id of its Post row. Its post is the user's view of it: the shared post with
 * the personal labels their sources delivered (`labels`, kept on the entry).
 */
export interface StoredCandidate extends Candidate {
  postId: bigint;
  labels: PersonalLabels | null;
}

interface CandidateRow {
  postId: string;
  data: Omit<Post, 'raw'>;
  bridgyOriginalUrl: string | null;
  reason: RepostReason | null;
  labels: PersonalLabels | null;
  sourceId: string;
  linkedAccountId: string;
  network: SeenIn['network'];
  original: boolean;
}

/**
 * Bridgy Fed's pointer to a bridged post's original, which it writes into the Bluesky record: the
 * stored native record is a post view (`record`) or a feed item (`post.record`); flat in fixtures.
 */
const BRIDGY_ORIGINAL_URL = `coalesce(p.raw#>>'{record,bridgyOriginalUrl}', p.raw#>>'{post,record,bridgyOriginalUrl}',
  p.raw->>'bridgyOriginalUrl')`;

/**
 * Driven by the post ids (`ids`: a one-column row source), so the cost follows the batch, not the
 * size of the user's history: a plan starting from the user's sources reads all their posts (seen
 * with stale statistics: 118 ms instead of 8 ms for 500 ids). `OFFSET 0` keeps the lateral
 * subquery from being flattened, which pins the per-id index lookup, and keeps the user's sources
 * (a handful of rows) a subquery of their own, hashed once: without statistics (a new instance's
 * first backfill) the planner otherwise joined Source and LinkedAccount inside the per-id loop,
 * building a hash table for every id (500 ids: 6.2 ms of execution instead of 3.3 ms; 1.4 ms
 * either way once the tables are analyzed).
 */
const candidatesSql = (ids: string) => `
  SELECT p.id::text AS "postId", ${postDataSql('p')} AS data, ${BRIDGY_ORIGINAL_URL} AS "bridgyOriginalUrl",
         sp.reason, sp.labels, sp.original, sp."sourceId", src."linkedAccountId", src.network
  FROM ${ids} AS ids(id)
  CROSS JOIN LATERAL (SELECT * FROM "SourcePost" x WHERE x."postId" = ids.id OFFSET 0) sp
  JOIN (SELECT s.id, s."linkedAccountId", la.network
        FROM "LinkedAccount" la JOIN "Source" s ON s."linkedAccountId" = la.id
        WHERE la."userId" = $1::uuid OFFSET 0) src ON src.id = sp."sourceId"
  JOIN "Post" p ON p.id = ids.id
  ORDER BY p."createdAt", p.id, sp."seenAt", sp."sourceId"`;

/**
 * The posts among `postIds` that reach this user (through any of their linked accounts' sources),
 * oldest first, each with every place it was seen. Posts of other users' sources are ignored.
 */
export async function loadCandidates(
  sql: Sql,
  userId: string,
  postIds: readonly bigint[],
): Promise<StoredCandidate[]> {
  if (postIds.length === 0) return [];
  const rows = await sql.query<CandidateRow>(prepared(candidatesSql('unnest($2::bigint[])')), [
    userId,
    postIds.map(String),
  ]);
  return groupCandidates(rows);
}

/**
 * The posts seen by the user's sources in the last `days` days, at most `limit` of the newest, as
 * candidates oldest first (the order a live timeline would have received them).
 */
export async function loadRecentCandidates(
  sql: Sql,
  userId: string,
  days: number,
  limit: number,
): Promise<StoredCandidate[]> {
  const rows = await sql.query<CandidateRow>(
    prepared(`WITH recent AS (
       SELECT sp."postId", max(sp."seenAt") AS seen
       FROM "SourcePost" sp
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE la."userId" = $1::uuid AND sp."seenAt" > now() - make_interval(days => $2::int)
       GROUP BY sp."postId" ORDER BY seen DESC LIMIT $3::int)
     ${candidatesSql('(SELECT "postId" FROM recent)')}`),
    [userId, days, limit],
  );
  return groupCandidates(rows);
}

/**
 * The ids of the posts loadRecentCandidates would return, in its order, without the posts: a
 * rebuild reads the whole posts only for the batches it runs (a slice of a long rebuild runs a few
 * of them; parsing all of them again at every slice was most of a rebuild's own CPU).
 */
export async function loadRecentPostIds(
  sql: Sql,
  userId: string,
  days: number,
  limit: number,
): Promise<bigint[]> {
  const rows = await sql.query<{ postId: string }>(
    prepared(`WITH recent AS (
       SELECT sp."postId", max(sp."seenAt") AS seen
       FROM "SourcePost" sp
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE la."userId" = $1::uuid AND sp."seenAt" > now() - make_interval(days => $2::int)
       GROUP BY sp."postId" ORDER BY seen DESC LIMIT $3::int)
     SELECT p.id::text AS "postId" FROM recent JOIN "Post" p ON p.id = recent."postId"
     ORDER BY p."createdAt", p.id`),
    [userId, days, limit],
  );
  return rows.map((row) => BigInt(row.postId));
}

/**
 * Which of these posts already have an entry written by this version of the pipeline: by an earlier
 * slice or attempt of its rebuild, or by a live batch since the edit. A rebuild skips them.
 */
export async function loadRebuilt(
  sql: Sql,
  pipelineId: string,
  version: number,
  postIds: readonly bigint[],
): Promise<Set<bigint>> {
  const rows = await sql.query<{ postId: string }>(
    prepared(`SELECT "postId" FROM "TimelineEntry"
     WHERE "pipelineId" = $1::uuid AND "pipelineVersion" = $2::int AND "postId" = ANY($3::bigint[])`),
    [pipelineId, version, postIds.map(String)],
  );
  return new Set(rows.map((row) => BigInt(row.postId)));
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
      candidate = { postId: BigInt(row.postId), post: toPost(row), reason: null, seenIn: [], labels: null };
      byPost.set(row.postId, candidate);
    }
    candidate.reason ??= row.reason;
    // One row per source: a post one source got itself and another only reposted is both.
    if (row.original) candidate.original = true;
    if (row.labels !== null) candidate.labels = mergePersonalLabels([candidate.labels, row.labels]);
    candidate.seenIn.push({
      network: row.network,
      linkedAccountId: row.linkedAccountId,
      sourceId: row.sourceId,
      uri: candidate.post.uri,
    });
  }
  const candidates = [...byPost.values()];
  for (const c of candidates) if (c.labels !== null) c.post = withPersonalLabels(c.post, c.labels);
  return candidates;
}

/**
 * The fields of a stored post the dedupe stage compares (a quarter of the whole post).
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

/** What the pipeline's dedupe stages compare history with (see dedupeScope in timeline.service). */
export interface HistoryScope {
  /** The widest `windowMinutes` of the dedupe stages. */
  windowMinutes: number;
  /** The keys of a post for all dedupe stages (libs/pipeline dedupeKeysOf, one per stage, joined). */
  keysOf: (post: Post) => string[];
}

const DEFAULT_KEYS = dedupeKeysOf([]);

/**
 * The entries of the pipeline the dedupe stage could merge a post of `batch` into: visible entries
 * whose posts were created within the window of the batch's posts (excluding the batch itself) and
 * that share a dedupe key with a batch post (the stage never merges posts without one). Found
 * through the GIN index on the entries' key hashes, so the cost follows the matches, not the
 * window: reading every entry of the window was most of the cost of a batch.
 */
export async function loadHistory(
  sql: Sql,
  pipelineId: string,
  batch: readonly StoredCandidate[],
  scope: HistoryScope | number,
  limit = 2000,
): Promise<{ postId: bigint; post: Post }[]> {
  const { windowMinutes, keysOf } =
    typeof scope === 'number' ? { windowMinutes: scope, keysOf: DEFAULT_KEYS } : scope;
  if (batch.length === 0) return [];
  const times = batch.map((c) => Date.parse(c.post.createdAt)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return [];
  const margin = windowMinutes * 60_000;
  const keys = new Set<string>();
  for (const { post } of batch) for (const key of keysOf(post)) keys.add(key);
  // The batch's own posts (stored by an earlier delivery of this job) are left out here rather
  // than in SQL (a `<> ALL(array)` filter compares every row with every id).
  const exclude = new Set(batch.map((c) => c.postId));
  // The key search is kept apart (MATERIALIZED) so the planner cannot trade the GIN index for the
  // pipeline's btree, which reads every entry of the pipeline (it did, with fresh statistics).
  const rows = await sql.query<Pick<CandidateRow, 'postId' | 'data' | 'bridgyOriginalUrl'>>(
    prepared(`WITH m AS MATERIALIZED (
       SELECT t."postId", t."pipelineId", t.hidden FROM "TimelineEntry" t
       WHERE t."dedupeKeys" && ${KEY_HASHES('$1', 'unnest($2::text[])')})
     SELECT p.id::text AS "postId", ${HISTORY_FIELDS} AS data, ${BRIDGY_ORIGINAL_URL} AS "bridgyOriginalUrl"
     FROM m JOIN "Post" p ON p.id = m."postId"
     WHERE m."pipelineId" = $1::uuid AND NOT m.hidden
       AND p."createdAt" BETWEEN $3::timestamptz AND $4::timestamptz
     ORDER BY p."createdAt" DESC LIMIT $5::int`),
    [
      pipelineId,
      [...keys],
      new Date(Math.min(...times) - margin).toISOString(),
      new Date(Math.max(...times) + margin).toISOString(),
      limit + exclude.size,
    ],
  );
  return rows
    .map((r) => ({ postId: BigInt(r.postId), post: toPost(r) }))
    .filter((h) => !exclude.has(h.postId))
    .slice(0, limit);
}

/**
 * The stored form of dedupe keys: 64-bit hashes of the pipeline id and the key, so a lookup finds
 * only this pipeline's entries (a collision only reads one more entry, which the engine ignores).
 * The GIN index has `fastupdate = off` (migration 20261123234800): a batch looks up ~1,000 keys at
 * once, and with a pending list every lookup scanned all of it (3 s once it had filled).
 */
const KEY_HASHES = (pipelineId: string, keys: string) =>
  `ARRAY(SELECT hashtextextended(${pipelineId}::uuid::text || k, 0) FROM ${keys} AS k(k))`;

/**
 * A new version starts over from what it computed; the same version keeps what earlier batches
 * merged into the row (duplicates seen elsewhere), in order, without repeating an element.
 */
const SEEN_IN_ON_CONFLICT = `CASE WHEN t."pipelineVersion" < EXCLUDED."pipelineVersion" THEN EXCLUDED."seenIn"
  ELSE ${appendNew('t."seenIn"', 'EXCLUDED."seenIn"')} END`;

/**
 * The first repost reason stays (the reader shows why the post first reached the user), unless a new
 * pipeline version recomputes the entry or the entry is now the post itself (a stage hid the repost
 * once the post came by itself too, or the repost was deleted).
 */
const REASON_ON_CONFLICT = `CASE WHEN t."pipelineVersion" < EXCLUDED."pipelineVersion" OR EXCLUDED.reason IS NULL
  THEN EXCLUDED.reason ELSE coalesce(t.reason, EXCLUDED.reason) END`;

/** The first write's time stays (as its reason does), unless the entry is rewritten (as its reason is). */
const POSTED_AT_ON_CONFLICT = `CASE WHEN t."pipelineVersion" < EXCLUDED."pipelineVersion"
  OR (EXCLUDED.reason IS NULL AND t.reason IS NOT NULL) THEN EXCLUDED."postedAt" ELSE t."postedAt" END`;

function appendNew(target: string, addition: string): string {
  return `${target} || coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(${addition}) e
    WHERE NOT ${target} @> jsonb_build_array(e)), '[]'::jsonb)`;
}

/**
 * Appends a merged duplicate's `seenIn` to the kept entry (the one the dedupe stage found in the
 * history), skipping places already recorded: idempotent.
 */
export async function mergeSeenIn(
  sql: Sql,
  pipelineId: string,
  merges: ReadonlyMap<bigint, SeenIn[]>,
): Promise<void> {
  if (merges.size === 0) return;
  const ids = [...merges.keys()].sort(comparePostIds);
  await sql.query(prepared(MERGE_SQL('$1', '$2', '$3')), [
    pipelineId,
    ids.map(String),
    ids.map((id) => JSON.stringify(merges.get(id))),
  ]);
}

/** The seenIn merge of {@link mergeSeenIn}, with the given parameters. */
const MERGE_SQL = (pipelineId: string, postIds: string, seen: string): string =>
  `UPDATE "TimelineEntry" AS t SET "seenIn" = ${appendNew('t."seenIn"', 'm.seen')}
   FROM (SELECT unnest(${postIds}::bigint[]) AS "postId", unnest(${seen}::jsonb[]) AS seen) m
   WHERE t."pipelineId" = ${pipelineId}::uuid AND t."postId" = m."postId"`;

export interface EntryWrite {
  postId: bigint;
  /** Its `reason` is the repost the entry shows (why the post reached the user), or null. */
  result: PipelineResult;
  /** The user's personal labels of the post (the candidate's), shown with it on the timeline. */
  labels?: PersonalLabels | null;
  /** The keys later batches' dedupe finds this entry by (visible entries; none when omitted). */
  dedupeKeys?: readonly string[];
  /**
   * When the item reached the time line (ISO-8601): {@link postedAt} of the candidate. Omitted: now.
   * Kept from the first write of the entry, as its reason is.
   */
  postedAt?: string;
}

/**
 * The time an item takes in a chronological timeline: the repost's when a repost brought it, else
 * the post's, never later than `now` (a post dated in the future must not stay on top for days).
 */
export function postedAt(candidate: Pick<StoredCandidate, 'post' | 'reason'>, now: Date): string {
  const at = Date.parse(candidate.reason?.at ?? candidate.post.createdAt);
  return new Date(Number.isFinite(at) ? Math.min(at, now.getTime()) : now.getTime()).toISOString();
}

/**
 * Upserts the entries of one pipeline: one row per (pipeline, post), rewritten in place unless the
 * stored row comes from a newer pipeline version (a rebuild that overtook this run). Idempotent.
 * Returns the ids of the rows this call inserted (not the ones it overwrote), in input order.
 */
export async function upsertEntries(
  sql: Sql,
  userId: string,
  pipelineId: string,
  version: number,
  entries: readonly EntryWrite[],
): Promise<bigint[]> {
  const inserted: bigint[] = [];
  const sorted = sortByPost(entries);
  for (let start = 0; start < sorted.length; start += ROWS_PER_STATEMENT) {
    const chunk = sorted.slice(start, start + ROWS_PER_STATEMENT);
    const rows = await sql.query<{ id: string; inserted: boolean }>(
      prepared(UPSERT_SQL),
      upsertParams(userId, pipelineId, version, chunk),
    );
    for (const row of rows) if (row.inserted) inserted.push(BigInt(row.id));
  }
  return inserted;
}

/** Rows fit in one statement up to this many entries (see {@link writeEntries}). */
export const MAX_SINGLE_STATEMENT_ENTRIES = ROWS_PER_STATEMENT;

/**
 * {@link upsertEntries} and {@link mergeSeenIn} as ONE statement (a data-modifying CTE): atomic
 * without a transaction, one round trip per batch. At most MAX_SINGLE_STATEMENT_ENTRIES entries.
 * The merge targets history entries, never rows of this batch (loadHistory leaves those out), so
 * the two parts never touch the same row.
 */
export async function writeEntries(
  sql: Sql,
  userId: string,
  pipelineId: string,
  version: number,
  entries: readonly EntryWrite[],
  merges: ReadonlyMap<bigint, SeenIn[]>,
): Promise<bigint[]> {
  if (entries.length > ROWS_PER_STATEMENT)
    throw new RangeError('writeEntries: too many entries for one statement');
  if (entries.length === 0) {
    await mergeSeenIn(sql, pipelineId, merges);
    return [];
  }
  const params = upsertParams(userId, pipelineId, version, sortByPost(entries));
  let statement = UPSERT_SQL;
  if (merges.size > 0) {
    const ids = [...merges.keys()].sort(comparePostIds);
    params.push(
      ids.map(String),
      ids.map((id) => JSON.stringify(merges.get(id))),
    );
    statement = `WITH merged AS (${MERGE_SQL('$2', `$${UPSERT_PARAMS + 1}`, `$${UPSERT_PARAMS + 2}`)} RETURNING 1) ${UPSERT_SQL}`;
  }
  const rows = await sql.query<{ id: string; inserted: boolean }>(prepared(statement), params);
  return rows.filter((row) => row.inserted).map((row) => BigInt(row.id));
}

const comparePostIds = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by post id so concurrent writers lock rows in one order and cannot deadlock. */
function sortByPost(entries: readonly EntryWrite[]): EntryWrite[] {
  return [...entries].sort((a, b) => comparePostIds(a.postId, b.postId));
}

// The rows as ONE jsonb parameter (jsonb_to_recordset): 4 parameters per statement whatever the
// row count. Measured per 500-row upsert (the 50,000 rows of tools/bench/pipeline-e2e.bench.ts
// replayed as 100 statements on one connection, p50): 22.3 ms instead of 25.3 ms with one array per
// column (8 arrays, each element of 3 jsonb[] parsed at bind time, the strings escaped into array
// literals by node-postgres). Tried as well, no better: 100 or 250 rows per statement (29.6 / 24.9
// ms per 500 rows), 1,000 (23.1). The table's own write cost per 500 rows was ~16 ms of server time,
// of which the foreign keys' per-row checks took ~7 ms (Post ~4.5, Pipeline ~2.5; each locks the
// parent row FOR KEY SHARE), the GIN index on dedupeKeys ~1.5 ms, the id sequence + primary key
// ~0.5 ms. The Post key is gone (posts are never deleted; reads join Post); the Pipeline key stays:
// its cascade is what removes a deleted user's or pipeline's entries.
const UPSERT_SQL = `INSERT INTO "TimelineEntry" AS t
    ("userId", "pipelineId", "postId", "rankKey", hidden, "hiddenReason", decisions, "seenIn", "pipelineVersion",
     "dedupeKeys", reason, labels, "postedAt")
  SELECT $1::uuid, $2::uuid, v."postId", v."rankKey", v.hidden, v."hiddenReason", v.decisions, v."seenIn", $3::int,
         ${KEY_HASHES('$2', 'jsonb_array_elements_text(v.keys)')}, v.reason, v.labels,
         coalesce(v."postedAt", now() AT TIME ZONE 'UTC')
  FROM jsonb_to_recordset($4::jsonb)
    AS v("postId" bigint, "rankKey" float8, hidden boolean, "hiddenReason" text, decisions jsonb, "seenIn" jsonb,
         keys jsonb, reason jsonb, labels jsonb, "postedAt" timestamp)
  ON CONFLICT ("pipelineId", "postId") DO UPDATE SET
    "rankKey" = EXCLUDED."rankKey", hidden = EXCLUDED.hidden, "hiddenReason" = EXCLUDED."hiddenReason",
    decisions = EXCLUDED.decisions, "seenIn" = ${SEEN_IN_ON_CONFLICT}, reason = ${REASON_ON_CONFLICT},
    labels = EXCLUDED.labels, "postedAt" = ${POSTED_AT_ON_CONFLICT},
    "pipelineVersion" = EXCLUDED."pipelineVersion", "dedupeKeys" = EXCLUDED."dedupeKeys"
  WHERE t."pipelineVersion" <= EXCLUDED."pipelineVersion"
  RETURNING id, (xmax = 0) AS inserted`;

/** The parameter numbers after {@link UPSERT_SQL}'s own (writeEntries appends the merge's). */
const UPSERT_PARAMS = 4;

function upsertParams(
  userId: string,
  pipelineId: string,
  version: number,
  chunk: readonly EntryWrite[],
): unknown[] {
  const rows = chunk.map((e) => ({
    postId: String(e.postId),
    // Always finite (libs/pipeline rank-key.ts), as the table's CHECK constraint requires.
    rankKey: e.result.rankKey,
    hidden: e.result.hidden,
    hiddenReason: e.result.hiddenReason,
    // warn and blur are decisions too (verdict warn/blur): the list is the whole story.
    decisions: e.result.decisions,
    seenIn: e.result.seenIn,
    keys: e.dedupeKeys ?? [],
    reason: e.result.reason,
    // The labels the decisions were made with.
    labels: e.labels ?? null,
    // A UTC wall-clock time, as the column holds (the ISO string without its zone).
    postedAt: e.postedAt ? e.postedAt.replace(/Z$/, '') : null,
  }));
  return [userId, pipelineId, version, JSON.stringify(rows)];
}
