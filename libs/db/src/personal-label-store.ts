// Labels of the Bluesky labelers members subscribe to, kept where each member's view of a post is
// (SourcePost.labels, libs/core PersonalLabels): a labeler's label reaches only the sources of the
// accounts that subscribe to it (LinkedAccount.labelers), never the shared post, never another
// member. Each change says whose posts changed, so their verdicts are computed again.
import { Network } from '@tributary/core';
import type { Label, PersonalLabels } from '@tributary/core';
import { withDbErrors } from './db-error.js';
import type { DbClient } from './prisma-client.js';

/** One label of `labeler` on the record `uri`, applied (`inForce`) or withdrawn. */
export interface LabelChange {
  uri: string;
  label: Label;
  inForce: boolean;
}

/** Posts whose personal labels changed, per user: run their pipelines over them again. */
export type ChangedPosts = Map<string, bigint[]>;

interface Row {
  sourceId: string;
  postId: bigint;
  uri: string;
  userId: string;
  labels: PersonalLabels | null;
}

/**
 * Applies `labeler`'s label changes, in order, to the sources of accounts subscribing to it (only
 * `accountIds` when given: an account that just subscribed). Idempotent.
 */
export async function applyLabelerLabels(
  prisma: DbClient,
  labeler: string,
  changes: readonly LabelChange[],
  accountIds?: readonly string[],
): Promise<ChangedPosts> {
  // Only labels the labeler made; a change naming another source is not this labeler's to make.
  const own = changes.filter((c) => c.label.source === labeler);
  if (own.length === 0) return new Map();
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT sp."sourceId"::text AS "sourceId", sp."postId", p.uri, la."userId"::text AS "userId", sp.labels
       FROM "Post" p
       JOIN "SourcePost" sp ON sp."postId" = p.id
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE p.network = $1::"Network" AND p.uri = ANY($2::text[]) AND $3 = ANY(la.labelers)
         AND ($4::uuid[] IS NULL OR la.id = ANY($4::uuid[]))`,
      Network.Bluesky,
      [...new Set(own.map((c) => c.uri))],
      labeler,
      accountIds ? [...accountIds] : null,
    ),
  );
  return rewrite(prisma, rows, (labels, row) => {
    let post = labels.post;
    for (const c of own) {
      if (c.uri !== row.uri) continue;
      post = post.filter((l) => !(l.source === labeler && l.value === c.label.value));
      if (c.inForce) post = [...post, { ...c.label, personal: true }];
    }
    return post;
  });
}

/** Takes the labels of `labelers` (no longer subscribed to) off the account's sources. */
export async function dropLabelerLabels(
  prisma: DbClient,
  accountId: string,
  labelers: readonly string[],
): Promise<ChangedPosts> {
  if (labelers.length === 0) return new Map();
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<Row[]>(
      `SELECT sp."sourceId"::text AS "sourceId", sp."postId", '' AS uri, la."userId"::text AS "userId", sp.labels
       FROM "SourcePost" sp
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
       WHERE la.id = $1::uuid AND sp.labels IS NOT NULL`,
      accountId,
    ),
  );
  const gone = new Set(labelers);
  return rewrite(prisma, rows, (labels) => labels.post.filter((l) => !gone.has(l.source)), gone);
}

/**
 * Writes the rows whose post labels `next` changes (and, with `dropQuote`, drops those sources from
 * the quote's labels); returns the changed posts by user.
 */
async function rewrite(
  prisma: DbClient,
  rows: readonly Row[],
  next: (labels: PersonalLabels, row: Row) => Label[],
  dropQuote?: ReadonlySet<string>,
): Promise<ChangedPosts> {
  const updates: { sourceId: string; postId: bigint; labels: PersonalLabels | null }[] = [];
  const changed: ChangedPosts = new Map();
  for (const row of rows) {
    const labels = row.labels ?? { post: [], quote: [] };
    const post = next(labels, row);
    const quote = dropQuote ? labels.quote.filter((l) => !dropQuote.has(l.source)) : labels.quote;
    if (same(post, labels.post) && quote.length === labels.quote.length) continue;
    updates.push({
      sourceId: row.sourceId,
      postId: row.postId,
      labels: post.length === 0 && quote.length === 0 ? null : { post, quote },
    });
    changed.set(row.userId, [...(changed.get(row.userId) ?? []), row.postId]);
  }
  if (updates.length === 0) return changed;
  // The primary key's order: concurrent writers lock rows alike.
  updates.sort((a, b) =>
    a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : a.postId < b.postId ? -1 : 1,
  );
  await withDbErrors(() =>
    prisma.$executeRawUnsafe(
      `UPDATE "SourcePost" sp SET labels = v.labels
       FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[]) AS v("sourceId", "postId", labels)
       WHERE sp."sourceId" = v."sourceId" AND sp."postId" = v."postId"`,
      updates.map((u) => u.sourceId),
      updates.map((u) => String(u.postId)),
      updates.map((u) => (u.labels === null ? null : JSON.stringify(u.labels))),
    ),
  );
  for (const [userId, ids] of changed) changed.set(userId, [...new Set(ids)]);
  return changed;
}

function same(a: readonly Label[], b: readonly Label[]): boolean {
  return a.length === b.length && a.every((l, i) => l.source === b[i]!.source && l.value === b[i]!.value);
}

/** The Bluesky posts the account's sources hold, newest first (what a new labeler is asked about). */
export async function recentPostUris(prisma: DbClient, accountId: string, limit: number): Promise<string[]> {
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ uri: string }[]>(
      `SELECT p.uri FROM "SourcePost" sp
       JOIN "Source" s ON s.id = sp."sourceId"
       JOIN "Post" p ON p.id = sp."postId"
       WHERE s."linkedAccountId" = $1::uuid AND p.network = $2::"Network"
       GROUP BY p.uri ORDER BY max(sp."seenAt") DESC LIMIT $3::int`,
      accountId,
      Network.Bluesky,
      limit,
    ),
  );
  return rows.map((r) => r.uri);
}
