// The ingest write path: a batch of normalized posts from one source, stored in one transaction
// with a few multi-row statements (Prisma's per-row createMany/upsert costs ~100x more, see
// tools/bench/post-store.bench.ts). Rows are sorted by their unique key so concurrent batches that
// share posts or authors lock them in the same order and cannot deadlock. Posts and authors are
// stored per trust domain (libs/core TrustDomain): a batch is one server's word and only ever
// writes that server's rows. A post's personal labels (the reading account's own filters and
// labelers) are the source's, kept on its SourcePost row, never on the shared Post.
import { postsIngested } from '@tributary/metrics';
import { splitPersonalLabels } from '@tributary/core';
import type {
  IngestedItem,
  Network,
  PersonalLabels,
  Post,
  RepostReason,
  SkippedItem,
  TrustDomain,
} from '@tributary/core';
import { DbError, DbErrorCode, withDbErrors } from './db-error.js';
import type { PrismaClient } from './prisma-client.js';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Postgres' limit of bind parameters per statement. */
const MAX_PARAMS = 65_535;
/** Past ~1,000 rows per statement multi-row inserts stop getting faster and only use more memory. */
const MAX_ROWS_PER_STATEMENT = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TX_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

export interface UpsertResult {
  /**
   * Ids of the posts this source had not recorded before, or has now seen reposted later than it
   * had, in batch order: enqueue only these.
   */
  newPostIds: bigint[];
  /** Distinct posts inserted or refreshed. */
  upserted: number;
}

/**
 * Stores a batch from one source, as the word of `trustDomain` (the server that delivered it):
 * upserts that domain's authors (by network + networkId, refreshing handle, name, avatar), posts
 * (by network + uri, refreshing `data`/`raw` so counts stay current, keeping the id; without the
 * personal labels) and the source's `SourcePost` rows, which keep the repost reason (the first) and
 * the personal labels (the latest). Other domains' rows of the same posts are never touched.
 * Idempotent: the same batch again adds nothing and reports no new posts.
 */
export async function upsertIngested(
  prisma: PrismaClient,
  sourceId: string,
  items: readonly IngestedItem[],
  trustDomain: TrustDomain,
): Promise<UpsertResult> {
  if (!UUID.test(sourceId)) throw new DbError(DbErrorCode.InvalidInput, `Invalid source id "${sourceId}"`);
  const rows = prepare(items);
  if (rows.length === 0) return { newPostIds: [], upserted: 0 };
  const domain = cleanText(trustDomain);

  const result = await withDbErrors(() =>
    prisma.$transaction(async (tx) => {
      const authorIds = await upsertAuthors(tx, rows, domain);
      const postIds = await upsertPosts(tx, rows, authorIds, domain);
      const inserted = await insertSourcePosts(tx, sourceId, rows, postIds);
      const newPostIds = rows
        .slice()
        .sort((a, b) => a.order - b.order)
        .map((r) => postIds.get(r.key)!)
        .filter((id) => inserted.has(id));
      return { newPostIds, upserted: rows.length };
    }, TX_OPTIONS),
  );
  countIngested(rows);
  return result;
}

/**
 * Stores posts seen outside any source (e.g. a fetched thread), as the word of `trustDomain`:
 * authors and posts are upserted as in `upsertIngested`, but no `SourcePost` row is written, so
 * they reach no pipeline. Personal labels are not stored: the caller keeps them for its member.
 * Returns the ids by URI.
 */
export async function storePosts(
  prisma: PrismaClient,
  posts: readonly Post[],
  trustDomain: TrustDomain,
): Promise<Map<string, bigint>> {
  const rows = prepare(posts.map((post) => ({ post, reason: null })));
  if (rows.length === 0) return new Map();
  const domain = cleanText(trustDomain);
  const ids = await withDbErrors(() =>
    prisma.$transaction(
      async (tx) => upsertPosts(tx, rows, await upsertAuthors(tx, rows, domain), domain),
      TX_OPTIONS,
    ),
  );
  return new Map(rows.map((r) => [r.post.uri, ids.get(r.key)!]));
}

/** One post for one source, with the repost that brought it there. */
export interface Attachment {
  sourceId: string;
  uri: string;
  reason: RepostReason | null;
  /** The source's account's personal labels of the post (its labelers' own), or null. */
  labels?: PersonalLabels | null;
}

/**
 * Fan-out on write: stores each post once, as the word of `trustDomain`, and attaches it to every
 * source of `attachments` (a post must be among `posts`). Returns the attachments this call made,
 * re-placed with a newer repost, or gave the post itself where a source had only a repost of it
 * (not those already there): idempotent, so a replayed stream event attaches nothing twice.
 */
export async function attachPosts(
  prisma: PrismaClient,
  posts: readonly Post[],
  attachments: readonly Attachment[],
  trustDomain: TrustDomain,
): Promise<{ sourceId: string; postId: bigint }[]> {
  for (const a of attachments) {
    if (!UUID.test(a.sourceId))
      throw new DbError(DbErrorCode.InvalidInput, `Invalid source id "${a.sourceId}"`);
  }
  const rows = prepare(posts.map((post) => ({ post, reason: null })));
  if (rows.length === 0 || attachments.length === 0) return [];
  const domain = cleanText(trustDomain);
  const attached = await withDbErrors(() =>
    prisma.$transaction(async (tx) => {
      const postIds = await upsertPosts(tx, rows, await upsertAuthors(tx, rows, domain), domain);
      const byUri = new Map(rows.map((r) => [r.post.uri, postIds.get(r.key)!]));
      // One row per source and post (a statement updates a row once): the newest repost wins;
      // any attachment without a repost says the source gets the post itself.
      const latest = new Map<string, Attachment>();
      const original = new Set<string>();
      for (const a of attachments) {
        const key = `${a.sourceId}|${a.uri}`;
        const held = latest.get(key);
        if (!held || (a.reason?.at ?? '') > (held.reason?.at ?? '')) latest.set(key, a);
        if (!a.reason) original.add(key);
      }
      const params = [...latest.values()]
        .filter((a) => byUri.has(a.uri))
        .map(
          (a) =>
            [
              a.sourceId,
              byUri.get(a.uri)!,
              a.reason ? json(a.reason, a.uri) : null,
              reasonUri(a.reason),
              a.labels ? json(a.labels, a.uri) : null,
              original.has(`${a.sourceId}|${a.uri}`),
            ] as const,
        )
        // The primary key's order: concurrent fan-outs lock rows alike and cannot deadlock.
        .sort(([s1, p1], [s2, p2]) => (s1 < s2 ? -1 : s1 > s2 ? 1 : p1 < p2 ? -1 : p1 > p2 ? 1 : 0));
      const attached: { sourceId: string; postId: bigint }[] = [];
      for (const chunk of chunks(params, 6)) {
        // As upsertIngested's: new rows, and rows a newer repost re-places ("reposted by", placed
        // anew), both returned for the pipelines. A new row gets the source's personal labels as
        // the AppView gave them for its account's labelers; an existing row's are left to the
        // labelers' streams (BlueskyLabelsService), which follow them. The UPDATE's snapshot does
        // not hold the rows inserted beside it, so no row is modified twice.
        attached.push(
          ...(await tx.$queryRawUnsafe<{ sourceId: string; postId: bigint }[]>(
            `WITH v ("sourceId", "postId", "reason", "reasonUri", "labels", "original") AS (
               VALUES ${valuesList(chunk.length, ['uuid', 'bigint', 'jsonb', 'text', 'jsonb', 'boolean'])}),
             ins AS (
               INSERT INTO "SourcePost" ("sourceId", "postId", "reason", "reasonUri", "labels", "original")
               SELECT "sourceId", "postId", "reason", "reasonUri", "labels", "original" FROM v
               ON CONFLICT ("sourceId", "postId") DO NOTHING
               RETURNING "sourceId", "postId"),
             reposted AS (
               UPDATE "SourcePost" sp SET
                 "reason" = CASE WHEN v."reason"->>'at' > coalesce(sp."reason"->>'at', '') THEN v."reason" ELSE sp."reason" END,
                 "reasonUri" = CASE WHEN v."reason"->>'at' > coalesce(sp."reason"->>'at', '') THEN v."reasonUri" ELSE sp."reasonUri" END,
                 "seenAt" = CASE WHEN v."reason"->>'at' > coalesce(sp."reason"->>'at', '') THEN now() ELSE sp."seenAt" END,
                 "original" = sp."original" OR v."original"
               FROM v WHERE sp."sourceId" = v."sourceId" AND sp."postId" = v."postId"
                 AND (v."reason"->>'at' > coalesce(sp."reason"->>'at', '') OR (v."original" AND NOT sp."original"))
               RETURNING sp."sourceId", sp."postId")
             SELECT "sourceId"::text AS "sourceId", "postId" FROM ins
             UNION ALL SELECT "sourceId"::text, "postId" FROM reposted`,
            ...chunk.flat(),
          )),
        );
      }
      return attached;
    }, TX_OPTIONS),
  );
  countIngested(rows);
  return attached;
}

/** Stores records a connector could not normalize, with the reason. Returns how many were stored. */
export async function recordSkipped(
  prisma: PrismaClient,
  network: Network,
  linkedAccountId: string | null,
  skipped: readonly SkippedItem[],
): Promise<number> {
  if (skipped.length === 0) return 0;
  if (linkedAccountId !== null && !UUID.test(linkedAccountId)) {
    throw new DbError(DbErrorCode.InvalidInput, `Invalid linked account id "${linkedAccountId}"`);
  }
  const params = skipped.map((s) => [cleanText(String(s.reason)), json(s.record ?? null, 'skipped record')]);
  return withDbErrors(() =>
    prisma.$transaction(async (tx) => {
      let count = 0;
      for (const chunk of chunks(params, 2)) {
        count += await tx.$executeRawUnsafe(
          `INSERT INTO "SkippedRecord" ("network", "linkedAccountId", "reason", "record")
           VALUES ${valuesList(chunk.length, ['text', 'jsonb'], 2, (i) => `$1::"Network", $2::uuid, ${i}`)}`,
          network,
          linkedAccountId,
          ...chunk.flat(),
        );
      }
      return count;
    }, TX_OPTIONS),
  );
}

interface Row {
  key: string; // network + NUL + uri: unique key and lock order
  order: number; // position in the batch, to report new posts in batch order
  post: Post;
  uri: string;
  authorKey: string;
  authorNetworkId: string;
  data: string;
  raw: string;
  reason: string | null;
  /** The source's personal labels of the post (PersonalLabels), or null. */
  labels: string | null;
  reasonUri: string | null;
  /** Some item of the batch was the post itself, not a repost of it (see SourcePost.original). */
  original: boolean;
  createdAt: string;
}

/** Validates, serializes and de-duplicates the batch (a statement cannot upsert a row twice). */
/** Posts written per network, for `tributary_posts_ingested_total` (the ingest rate). */
function countIngested(rows: readonly Row[]): void {
  const byNetwork = new Map<string, number>();
  for (const row of rows) byNetwork.set(row.post.network, (byNetwork.get(row.post.network) ?? 0) + 1);
  for (const [network, count] of byNetwork) postsIngested.inc({ network: network.toLowerCase() }, count);
}

function prepare(items: readonly IngestedItem[]): Row[] {
  const byKey = new Map<string, Row>();
  items.forEach((item, order) => {
    const post = item?.post;
    if (!post || typeof post.uri !== 'string' || post.uri === '' || !post.author?.networkId) {
      throw new DbError(DbErrorCode.InvalidInput, `Ingested item ${order} has no post uri or author`);
    }
    const uri = cleanText(post.uri);
    const authorNetworkId = cleanText(post.author.networkId);
    const key = `${post.network}\u0000${uri}`;
    const held = byKey.get(key);
    if (held !== undefined) {
      // The first occurrence (newest) gives the reason; any says whether the post itself came.
      if (!item.reason) held.original = true;
      return;
    }
    const { shared, personal } = splitPersonalLabels(post);
    // `deletedAt` is the Post.deletedAt column's alone (origin-deletes.ts): never part of the data.
    const { raw, deletedAt: _deletedAt, ...data } = shared;
    byKey.set(key, {
      key,
      order,
      post,
      uri,
      authorKey: `${post.author.network}\u0000${authorNetworkId}`,
      authorNetworkId,
      data: json(data, post.uri),
      raw: json(raw ?? null, post.uri),
      reason: item.reason ? json(item.reason, post.uri) : null,
      labels: personal ? json(personal, post.uri) : null,
      reasonUri: reasonUri(item.reason),
      original: !item.reason,
      createdAt: timestamp(post),
    });
  });
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function upsertAuthors(tx: Tx, rows: Row[], domain: string): Promise<Map<string, bigint>> {
  const authors = new Map<string, Row>();
  for (const r of rows) if (!authors.has(r.authorKey)) authors.set(r.authorKey, r);
  const sorted = [...authors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const params = sorted.map(
    ([
      ,
      {
        post: { author: a },
        authorNetworkId,
      },
    ]) => [
      a.network,
      authorNetworkId,
      cleanText(a.handle ?? ''),
      a.displayName == null ? null : cleanText(a.displayName),
      a.avatarUrl == null ? null : cleanText(a.avatarUrl),
      a.bot === true,
    ],
  );
  const ids = new Map<string, bigint>();
  for (const chunk of chunks(params, 6)) {
    // Most batches repeat the same people: only changed authors are rewritten.
    const returned = await tx.$queryRawUnsafe<KeyedId[]>(
      upsertSql({
        table: 'Author',
        key: 'networkId',
        columns: ['network', 'networkId', 'handle', 'displayName', 'avatarUrl', 'bot'],
        types: ['"Network"', 'text', 'text', 'text', 'text', 'boolean'],
        update: ['handle', 'displayName', 'avatarUrl', 'bot'],
        rows: chunk.length,
      }),
      ...chunk.flat(),
      domain,
    );
    for (const a of returned) ids.set(`${a.network}\u0000${a.key}`, a.id);
  }
  await lookUpMissing(
    tx,
    'Author',
    'networkId',
    sorted.map(([key]) => key),
    ids,
    domain,
  );
  return ids;
}

/**
 * The post's data as fetched, keeping what the stored data knew of the reply's parent and root
 * when the new fetch knows less: the reply context (the ref's author and text, `PostRef.text`) for
 * the same post, which only a feed's view shows beside a reply (Bluesky), not a later `getPosts` or
 * record-first copy; and a parent found by its URI (Mastodon: resolved against the posts the reading
 * account had stored), which another account's read of the same status names only by its id on
 * the instance (a reply's parent never changes).
 */
function keepReplyContext(incoming: string, stored: string): string {
  const contextLost = (key: string) =>
    `(${stored}->'${key}'->'text' IS NOT NULL AND ${incoming}->'${key}'->'text' IS NULL
      AND ${incoming}->'${key}'->'uri' = ${stored}->'${key}'->'uri')`;
  const parent = `(${contextLost('replyParent')} OR (${incoming}->'replyParent'->'nativeId' IS NOT NULL
      AND ${stored}->'replyParent'->'uri' IS NOT NULL AND ${stored}->'replyParent'->'nativeId' IS NULL))`;
  const root = contextLost('replyRoot');
  const keep = (data: string, key: string) => `jsonb_set(${data}, '{${key}}', ${stored}->'${key}')`;
  return `CASE WHEN ${parent} AND ${root} THEN ${keep(keep(incoming, 'replyParent'), 'replyRoot')}
    WHEN ${parent} THEN ${keep(incoming, 'replyParent')}
    WHEN ${root} THEN ${keep(incoming, 'replyRoot')}
    ELSE ${incoming} END`;
}

interface KeyedId {
  id: bigint;
  network: string;
  key: string;
}

/**
 * `INSERT … ON CONFLICT DO UPDATE` that rewrites a row only when one of `update` changed, and
 * still returns the ids of all input rows: changed or new ones from RETURNING, unchanged ones by
 * joining the input with the table (the statement's snapshot). One round trip in the usual case.
 * Every row is of one trust domain, the statement's last parameter.
 */
function upsertSql(spec: {
  table: 'Author' | 'Post';
  key: 'networkId' | 'uri';
  columns: string[];
  types: string[];
  update: string[];
  rows: number;
  /** A column's new value from the incoming one and the stored one, where it is not simply the incoming. */
  merge?: Record<string, (incoming: string, stored: string) => string>;
}): string {
  const q = (c: string) => `"${c}"`;
  const cols = spec.columns.map(q).join(', ');
  const value = (c: string) => spec.merge?.[c]?.(`EXCLUDED.${q(c)}`, `t.${q(c)}`) ?? `EXCLUDED.${q(c)}`;
  const set = spec.update.map((c) => `${q(c)} = ${value(c)}`).join(', ');
  const old = spec.update.map((c) => `t.${q(c)}`).join(', ');
  const fresh = spec.update.map(value).join(', ');
  const k = q(spec.key);
  const domain = `$${spec.rows * spec.columns.length + 1}::text`;
  return `WITH v (${cols}) AS (VALUES ${valuesList(spec.rows, spec.types)}),
    up AS (
      INSERT INTO "${spec.table}" AS t (${cols}, "trustDomain") SELECT ${cols}, ${domain} FROM v
      ON CONFLICT ("network", ${k}, "trustDomain") DO UPDATE SET ${set}, "updatedAt" = now()
      WHERE (${old}) IS DISTINCT FROM (${fresh})
      RETURNING t."id", t."network", t.${k}
    )
    SELECT "id", "network"::text AS "network", ${k} AS "key" FROM up
    UNION ALL
    SELECT t."id", t."network"::text, t.${k} FROM "${spec.table}" t
      JOIN v ON t."network" = v."network" AND t.${k} = v.${k} AND t."trustDomain" = ${domain}
    WHERE NOT EXISTS (SELECT 1 FROM up WHERE up."network" = v."network" AND up.${k} = v.${k})`;
}

/**
 * Fills in ids the upsert could not return: rows a concurrent transaction committed while the
 * upsert waited on them, unchanged, and invisible to its snapshot. A new statement sees them
 * (READ COMMITTED). Rarely has anything to do.
 */
async function lookUpMissing(
  tx: Tx,
  table: 'Author' | 'Post',
  column: 'networkId' | 'uri',
  keys: string[],
  ids: Map<string, bigint>,
  domain: string,
): Promise<void> {
  const missing = keys.filter((k) => !ids.has(k)).map((k) => k.split('\u0000') as [string, string]);
  for (const chunk of chunks(missing, 2)) {
    const rows = await tx.$queryRawUnsafe<{ id: bigint; network: string; key: string }[]>(
      `SELECT t."id", t."network"::text AS "network", t."${column}" AS "key"
       FROM "${table}" t JOIN (VALUES ${valuesList(chunk.length, ['"Network"', 'text'])}) AS v(network, key)
         ON t."network" = v.network AND t."${column}" = v.key AND t."trustDomain" = $${chunk.length * 2 + 1}::text`,
      ...chunk.flat(),
      domain,
    );
    for (const r of rows) ids.set(`${r.network}\u0000${r.key}`, r.id);
  }
}

async function upsertPosts(
  tx: Tx,
  rows: Row[],
  authorIds: Map<string, bigint>,
  domain: string,
): Promise<Map<string, bigint>> {
  const params = rows.map((r) => [
    r.post.network,
    r.uri,
    cleanText(String(r.post.nativeId ?? '')),
    authorIds.get(r.authorKey)!,
    r.data,
    r.raw,
    r.createdAt,
  ]);
  const ids = new Map<string, bigint>();
  for (const chunk of chunks(params, 7)) {
    // A re-fetched post is rewritten only when something changed (counts, edits), keeping its id.
    const returned = await tx.$queryRawUnsafe<KeyedId[]>(
      upsertSql({
        table: 'Post',
        key: 'uri',
        columns: ['network', 'uri', 'nativeId', 'authorId', 'data', 'raw', 'createdAt'],
        types: ['"Network"', 'text', 'text', 'bigint', 'jsonb', 'jsonb', 'timestamp(3)'],
        update: ['data', 'raw', 'authorId', 'nativeId'],
        rows: chunk.length,
        merge: { data: keepReplyContext },
      }),
      ...chunk.flat(),
      domain,
    );
    for (const p of returned) ids.set(`${p.network}\u0000${p.key}`, p.id);
  }
  await lookUpMissing(
    tx,
    'Post',
    'uri',
    rows.map((r) => r.key),
    ids,
    domain,
  );
  return ids;
}

async function insertSourcePosts(
  tx: Tx,
  sourceId: string,
  rows: Row[],
  postIds: Map<string, bigint>,
): Promise<Set<bigint>> {
  const params = rows
    .map((r) => [postIds.get(r.key)!, r.reason, r.labels, r.reasonUri, r.original] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const inserted = new Set<bigint>();
  for (const chunk of chunks(params, 5)) {
    // RETURNING yields the rows new to the source and those a newer repost re-placed (a boost of a
    // post the source already had: "boosted by", placed anew); both go through the pipelines.
    // New rows are inserted with DO NOTHING; rows the source had already are updated only where
    // something changed — the labels it sees now, or a newer repost — since an ON CONFLICT DO
    // UPDATE would lock every existing row, changed or not. The statement's snapshot does not hold
    // the rows inserted beside them, so no row is modified twice. Changed rows are found by key,
    // one lookup per row (the LATERAL … OFFSET 0): joined with the VALUES, a planner without
    // statistics read all of the source's rows (35 ms instead of 1.3 ms for 500 of 100,000).
    // A post the source had only as a repost and now gets itself (`unwrapped`) runs again too: a
    // stage hiding reposts keeps it from now on.
    const returned = await tx.$queryRawUnsafe<{ postId: bigint }[]>(
      `WITH v ("postId", "reason", "labels", "reasonUri", "original") AS (VALUES ${valuesList(chunk.length, ['bigint', 'jsonb', 'jsonb', 'text', 'boolean'], 1)}),
       ins AS (
         INSERT INTO "SourcePost" ("sourceId", "postId", "reason", "labels", "reasonUri", "original")
         SELECT $1::uuid, "postId", "reason", "labels", "reasonUri", "original" FROM v
         ON CONFLICT ("sourceId", "postId") DO NOTHING
         RETURNING "postId"),
       changed AS (
         SELECT v."postId", v."labels", v."reason", v."reasonUri", hit."reposted", hit."unwrapped" FROM v
         CROSS JOIN LATERAL (
           SELECT coalesce(v."reason"->>'at' > coalesce(x."reason"->>'at', ''), false) AS "reposted",
                  v."original" AND NOT x."original" AS "unwrapped", x."labels"
           FROM "SourcePost" x WHERE x."sourceId" = $1::uuid AND x."postId" = v."postId" OFFSET 0) hit
         WHERE hit."reposted" OR hit."unwrapped" OR hit."labels" IS DISTINCT FROM v."labels"),
       updated AS (
         UPDATE "SourcePost" sp SET "labels" = c."labels",
           "reason" = CASE WHEN c."reposted" THEN c."reason" ELSE sp."reason" END,
           "reasonUri" = CASE WHEN c."reposted" THEN c."reasonUri" ELSE sp."reasonUri" END,
           "original" = sp."original" OR c."unwrapped",
           "seenAt" = CASE WHEN c."reposted" THEN now() ELSE sp."seenAt" END
         FROM changed c
         WHERE sp."sourceId" = $1::uuid AND sp."postId" = ANY(ARRAY(SELECT "postId" FROM changed))
           AND sp."postId" = c."postId"
         RETURNING sp."postId", c."reposted" OR c."unwrapped" AS "rerun")
       SELECT "postId" FROM ins UNION ALL SELECT "postId" FROM updated WHERE "rerun"`,
      sourceId,
      ...chunk.flat(),
    );
    for (const r of returned) inserted.add(r.postId);
  }
  return inserted;
}

/** The repost's own URI (a deleted repost is found by it). */
function reasonUri(reason: RepostReason | null | undefined): string | null {
  return typeof reason?.uri === 'string' ? cleanText(reason.uri) : null;
}

/** Splits rows so one statement stays under Postgres' bind-parameter limit. */
function chunks<T>(rows: T[], paramsPerRow: number): T[][] {
  const size = Math.min(MAX_ROWS_PER_STATEMENT, Math.floor((MAX_PARAMS - 2) / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** `($o+1::t1, $o+2::t2), (...)` for `count` rows; `wrap` adds shared leading parameters. */
function valuesList(count: number, types: string[], offset = 0, wrap?: (inner: string) => string): string {
  const tuples: string[] = [];
  let n = offset;
  for (let row = 0; row < count; row++) {
    const inner = types.map((t) => `$${++n}::${t}`).join(', ');
    tuples.push(`(${wrap ? wrap(inner) : inner})`);
  }
  return tuples.join(', ');
}

/** Postgres text and jsonb reject NUL characters; networks occasionally send them. */
function cleanText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
}

function json(value: unknown, what: string): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? 'null';
  } catch {
    try {
      // Native records may carry bigints (e.g. CBOR-decoded values): store them as strings.
      s = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
    } catch (error) {
      throw new DbError(DbErrorCode.InvalidInput, `Cannot serialize ${what}: ${(error as Error).message}`);
    }
  }
  // `\u0000` is valid JSON but not valid jsonb; drop it (only when it is an escape, not `\\u0000`).
  return s.includes('\\u0000') ? s.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1') : s;
}

/** The post's time as a UTC timestamp Postgres accepts; a client-set nonsense date falls back. */
function timestamp(post: Post): string {
  for (const candidate of [post.createdAt, post.indexedAt]) {
    const d = new Date(candidate);
    const year = d.getUTCFullYear();
    if (!Number.isNaN(d.getTime()) && year >= 1 && year <= 9999) return d.toISOString();
  }
  throw new DbError(DbErrorCode.InvalidInput, `Post ${post.uri} has no valid createdAt or indexedAt`);
}
