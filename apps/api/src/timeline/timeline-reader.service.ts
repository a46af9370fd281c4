// The timeline's read path: one statement per page whatever its size (the caller's pipeline, its
// entries and their posts).
import { Injectable } from '@nestjs/common';
import { withPersonalLabels } from '@tributary/core';
import type { PersonalLabels, Post, RepostReason } from '@tributary/core';
import { PrismaService, postDataSql, prepared } from '@tributary/db';
import {
  InvalidCursorError,
  checkPipeline,
  cursorEncoder,
  decodeCursor,
  readCursor,
} from '@tributary/timeline';
import type { TimelinePosition } from '@tributary/timeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import type { DecisionModel, SeenInModel } from '../posts/decision.model.js';
import { viewerStateCtes } from '../viewer-state/viewer-state.service.js';
import type { PostViewerState } from '../viewer-state/viewer-state.service.js';
import { toPostModel } from '../posts/post.model.js';
import type { RepostReasonModel } from '../posts/post.model.js';
import type { TimelineConnectionModel, TimelineItemModel } from './timeline-item.model.js';

export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  first: number;
  after?: string | null;
  includeHidden: boolean;
}

/** The caller's pipeline that a request names (or their default one). */
export interface OwnedPipeline {
  id: string;
}

interface ItemRow {
  pipelineId: string;
  id: string;
  postId: string;
  rankKey: number;
  hidden: boolean;
  hiddenReason: string | null;
  decisions: DecisionModel[];
  seenIn: SeenInModel[];
  data: Omit<Post, 'raw'>;
  reason: RepostReason | null;
  labels: PersonalLabels | null;
}

const ENTRY_COLUMNS = `e."pipelineId", e.id, e."postId", e."rankKey", e.hidden, e."hiddenReason", e.decisions, e."seenIn", e.reason, e.labels`;

/**
 * Entries (`page`, a CTE over TimelineEntry rows) with their posts. The repost reason and the
 * user's personal labels are stored on the entry by the pipeline: looking them up here through the
 * user's sources doubled the page's buffer reads (tools/bench/timeline-read.bench.ts).
 */
const itemsSql = (page: string, pipelines = '') => `
  WITH ${pipelines} page AS (${page})
  SELECT e."pipelineId"::text AS "pipelineId", e.id::text AS id, e."postId"::text AS "postId", e."rankKey", e.hidden, e."hiddenReason",
         e.decisions, e."seenIn", e.reason, e.labels, ${postDataSql('p')} AS data
  FROM page e
  JOIN "Post" p ON p.id = e."postId"
  ORDER BY e."rankKey" DESC, e.id DESC`;

/**
 * One page in keyset order, of the pipeline `pl` names: $1 the caller, $2 their pipeline (NULL: their
 * default one). Each branch walks the index (pipelineId, hidden, rankKey desc, id desc) from the
 * cursor; with hidden entries included, the two branches (visible, hidden) are merged — an index
 * has no order across both `hidden` values. $3 limit, $4/$5 the cursor's rank key and id.
 * The entries are not filtered by `userId`: `pl` is the caller's, and that extra predicate made the
 * planner misestimate (rows=1) and sort all of the user's entries instead of walking the index
 * (seen on 1M posts / 2M entries: tools/bench/timeline-read.bench.ts).
 */
function pageSql(includeHidden: boolean, afterCursor: boolean): string {
  const branch = (hidden: boolean) => `(
    SELECT ${ENTRY_COLUMNS} FROM "TimelineEntry" e
    WHERE e."pipelineId" = (SELECT id FROM pl) AND e.hidden = ${hidden}
      ${afterCursor ? 'AND (e."rankKey", e.id) < ($4::float8, $5::bigint)' : ''}
    ORDER BY e."rankKey" DESC, e.id DESC LIMIT $3::int)`;
  return itemsSql(
    includeHidden
      ? `${branch(false)} UNION ALL ${branch(true)} ORDER BY "rankKey" DESC, id DESC LIMIT $3::int`
      : branch(false),
    `pl AS (SELECT id FROM "Pipeline" WHERE "userId" = $1::uuid
              AND CASE WHEN $2::uuid IS NULL THEN "isDefault" ELSE id = $2::uuid END),`,
  );
}

/** The two orders of a timeline: the pipeline's rank, or time (`postedAt`: the chronological home). */
export type TimelineOrder = 'rank' | 'time';

/** A place in one order: the rank key or `postedAt` (ms), and the entry id that breaks ties. */
export interface OrderPosition {
  key: number;
  entryId: bigint;
}

/** A slice of a timeline around positions (the Mastodon API's max_id / since_id / min_id). */
export interface WindowRequest {
  order: TimelineOrder;
  limit: number;
  /** Only entries strictly below this position. */
  below?: OrderPosition | null;
  /** Only entries strictly above this position. */
  above?: OrderPosition | null;
  /** Which end of the range the page is taken from: the top (newest) or the bottom (nearest `above`). */
  from: 'top' | 'bottom';
}

/** A visible entry with its post, as stored (the member's personal labels merged in). */
export interface EntryView {
  id: string;
  postId: string;
  rankKey: number;
  /** ms since the epoch. */
  postedAt: number;
  decisions: DecisionModel[];
  reason: RepostReason | null;
  data: Omit<Post, 'raw'>;
}

/** An entry of a window, with what the member did to its post. */
export interface WindowEntry extends EntryView {
  viewer: PostViewerState;
}

const ORDER_COLUMN: Record<TimelineOrder, string> = { rank: 'e."rankKey"', time: 'e."postedAt"' };
const POSITION_VALUE: Record<TimelineOrder, (n: number) => string> = {
  rank: (n) => `$${n}::float8`,
  // postedAt is a UTC wall-clock timestamp(3): compared with the position's milliseconds as one.
  time: (n) => `(timestamp 'epoch' + $${n}::float8 * interval '1 millisecond')`,
};

/**
 * One window of visible entries ($1 user, $2 pipeline or NULL for the default, $3 limit, then
 * bounds), with the member's viewer state of their posts: one round trip for what a Mastodon page
 * shows (a statement of its own cost ~0.3 ms of API CPU, tools/bench/mastodon-api.bench.ts).
 */
function windowSql(order: TimelineOrder, below: boolean, above: boolean, ascending: boolean): string {
  const column = ORDER_COLUMN[order];
  const bounds: string[] = [];
  let n = 4;
  if (below) bounds.push(`AND (${column}, e.id) < (${POSITION_VALUE[order](n++)}, $${n++}::bigint)`);
  if (above) bounds.push(`AND (${column}, e.id) > (${POSITION_VALUE[order](n++)}, $${n++}::bigint)`);
  const direction = ascending ? 'ASC' : 'DESC';
  return `
  WITH pl AS (SELECT id FROM "Pipeline" WHERE "userId" = $1::uuid
              AND CASE WHEN $2::uuid IS NULL THEN "isDefault" ELSE id = $2::uuid END),
  page AS (
    SELECT e."pipelineId", e.id, e."postId", e."rankKey", e."postedAt", e.decisions, e.reason, e.labels
    FROM "TimelineEntry" e
    WHERE e."pipelineId" = (SELECT id FROM pl) AND e.hidden = false ${bounds.join(' ')}
    ORDER BY ${column} ${direction}, e.id ${direction} LIMIT $3::int),
  page_posts AS (SELECT p.id, p.network, p.uri FROM page e JOIN "Post" p ON p.id = e."postId"),
  ${viewerStateCtes('page_posts', '$1')}
  SELECT e."pipelineId"::text AS "pipelineId", e.id::text AS id, e."postId"::text AS "postId", e."rankKey",
         (extract(epoch FROM e."postedAt") * 1000)::float8 AS "postedAt", e.decisions, e.reason, e.labels, ${postDataSql('p')} AS data,
         coalesce(s.liked, false) AS liked, coalesce(s.reposted, false) AS reposted,
         coalesce(s.bookmarked, false) AS bookmarked
  FROM page e JOIN "Post" p ON p.id = e."postId" LEFT JOIN states s ON s."postId" = e."postId"
  ORDER BY ${column} DESC, e.id DESC`;
}

const statements = new Map<string, string>();

/**
 * A statement's text for one shape of page, built once: its prepared statement is named by its
 * text (libs/db/src/prepared.ts), and a text built anew for each page (3 KB) was hashed whole every
 * time (~0.04 ms of API CPU a page).
 */
function statement(shape: string, build: () => string): string {
  let text = statements.get(shape);
  if (text === undefined) statements.set(shape, (text = prepared(build())));
  return text;
}

const POST_POSITION_SQL = prepared(`
  SELECT e.id::text AS id, e."rankKey", (extract(epoch FROM e."postedAt") * 1000)::float8 AS "postedAt"
  FROM "Post" p JOIN "TimelineEntry" e ON e."postId" = p.id AND e."pipelineId" = $1::uuid
  WHERE p.network = $2::"Network" AND p.uri = $3 AND NOT e.hidden
  LIMIT 1`);

// On the driver: through Prisma this one-row read cost ~0.3 ms of API CPU (a third of a Mastodon
// page's statements, tools/bench/mastodon-api.bench.ts).
const OWNED_PIPELINE_SQL = prepared(`
  SELECT id::text AS id FROM "Pipeline" WHERE "userId" = $1::uuid
    AND CASE WHEN $2::uuid IS NULL THEN "isDefault" ELSE id = $2::uuid END
  LIMIT 1`);

@Injectable()
export class TimelineReader {
  constructor(private readonly db: PrismaService) {}

  /** The caller's pipeline `pipelineId`, or their default one when it is omitted; else NOT_FOUND. */
  async ownedPipeline(userId: string, pipelineId?: string | null): Promise<OwnedPipeline> {
    if (pipelineId !== undefined && pipelineId !== null && !isUuid(pipelineId)) throw pipelineNotFound();
    const [pipeline] = await this.db.sql.query<OwnedPipeline>(OWNED_PIPELINE_SQL, [
      userId,
      pipelineId || null,
    ]);
    if (!pipeline) throw pipelineNotFound();
    return pipeline;
  }

  /** A page of the caller's timeline: `first` items below the `after` cursor (from the top without). */
  async page(
    userId: string,
    pipelineId: string | null | undefined,
    request: PageRequest,
  ): Promise<TimelineConnectionModel> {
    const { first, after, includeHidden } = request;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `first: expected an integer from 1 to ${MAX_PAGE_SIZE}`,
        {
          field: 'first',
        },
      );
    }
    if (pipelineId && !isUuid(pipelineId)) throw pipelineNotFound();
    // Read here, checked against the pipeline below: without `pipeline` that is known only once the
    // page query has resolved the default one.
    const position = after ? asUserInput('after', () => readCursor(after)) : null;
    const params: unknown[] = [userId, pipelineId || null, first + 1];
    if (position) params.push(position.rankKey, String(position.entryId));
    const rows = await this.db.sql.query<ItemRow>(
      statement(`page ${includeHidden} ${position !== null}`, () =>
        pageSql(includeHidden, position !== null),
      ),
      params,
    );
    // No rows: an empty page, or no such pipeline of the caller's (NOT_FOUND), told apart here.
    const pipeline = rows[0]?.pipelineId ?? (await this.ownedPipeline(userId, pipelineId)).id;
    if (position) asUserInput('after', () => checkPipeline(position, pipeline));
    const cursor = cursorEncoder(pipeline);
    const edges = rows.slice(0, first).map((row) => ({
      cursor: cursor(row.rankKey, row.id),
      node: toItem(pipeline, row),
    }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /**
   * The caller's entries among `entryIds` in this pipeline, in timeline order (for live delivery:
   * events carry ids only). Ids of other users' or pipelines' entries are silently left out.
   */
  async itemsByEntryIds(
    userId: string,
    pipelineId: string,
    entryIds: readonly string[],
    includeHidden: boolean,
  ): Promise<TimelineItemModel[]> {
    const ids = entryIds.filter((id) => /^[1-9][0-9]{0,18}$/.test(id));
    if (ids.length === 0 || !isUuid(pipelineId) || !isUuid(userId)) return [];
    const rows = await this.db.sql.query<ItemRow>(
      itemsSql(`SELECT ${ENTRY_COLUMNS} FROM "TimelineEntry" e
        WHERE e.id = ANY($3::bigint[]) AND e."pipelineId" = $1::uuid AND e."userId" = $2::uuid
          ${includeHidden ? '' : 'AND NOT e.hidden'}`),
      [pipelineId, userId, ids],
    );
    return rows.map((row) => toItem(pipelineId, row));
  }

  /**
   * Visible entries of the caller's pipeline (NULL: the default one) in `order`, highest first,
   * within the request's bounds, with the caller's viewer state of each post; NOT_FOUND for a
   * pipeline that is not theirs.
   */
  async window(
    userId: string,
    pipelineId: string | null,
    request: WindowRequest,
  ): Promise<{ pipelineId: string; entries: WindowEntry[] }> {
    if (pipelineId !== null && !isUuid(pipelineId)) throw pipelineNotFound();
    const { order, below, above } = request;
    const params: unknown[] = [userId, pipelineId, Math.max(1, Math.min(request.limit, MAX_PAGE_SIZE))];
    for (const bound of [below, above]) if (bound) params.push(bound.key, String(bound.entryId));
    const ascending = request.from === 'bottom';
    const rows = await this.db.sql.query<
      EntryView & PostViewerState & { pipelineId: string; labels: PersonalLabels | null }
    >(
      statement(`window ${order} ${!!below} ${!!above} ${ascending}`, () =>
        windowSql(order, !!below, !!above, ascending),
      ),
      params,
    );
    const pipeline = rows[0]?.pipelineId ?? (await this.ownedPipeline(userId, pipelineId)).id;
    return {
      pipelineId: pipeline,
      entries: rows.map(({ labels, pipelineId: _p, liked, reposted, bookmarked, ...row }) => ({
        ...row,
        data: withPersonalLabels(row.data, labels),
        viewer: { liked, reposted, bookmarked },
      })),
    };
  }

  /**
   * The caller's entries among `entryIds` of this pipeline, as `window` reads them (live delivery):
   * visible ones, or `hidden` ones (an entry removed since, to say which statuses went).
   */
  async entriesByIds(
    userId: string,
    pipelineId: string,
    entryIds: readonly string[],
    which: 'visible' | 'hidden' = 'visible',
  ): Promise<EntryView[]> {
    const ids = entryIds.filter((id) => /^[1-9][0-9]{0,18}$/.test(id));
    if (ids.length === 0 || !isUuid(pipelineId) || !isUuid(userId)) return [];
    const rows = await this.db.sql.query<EntryView & { labels: PersonalLabels | null }>(
      prepared(`SELECT e.id::text AS id, e."postId"::text AS "postId", e."rankKey",
          (extract(epoch FROM e."postedAt") * 1000)::float8 AS "postedAt", e.decisions, e.reason, e.labels, ${postDataSql('p')} AS data
        FROM "TimelineEntry" e JOIN "Post" p ON p.id = e."postId"
        WHERE e.id = ANY($3::bigint[]) AND e."pipelineId" = $1::uuid AND e."userId" = $2::uuid AND e.hidden = $4
        ORDER BY e."postedAt", e.id`),
      [pipelineId, userId, ids, which === 'hidden'],
    );
    return rows.map(({ labels, ...row }) => ({ ...row, data: withPersonalLabels(row.data, labels) }));
  }

  /** Where a post (by network and URI) stands in a pipeline the caller owns; null when it is not there. */
  async positionOfPost(
    pipelineId: string,
    network: string,
    uri: string,
    order: TimelineOrder,
  ): Promise<OrderPosition | null> {
    const [row] = await this.db.sql.query<{ id: string; rankKey: number; postedAt: number }>(
      POST_POSITION_SQL,
      [pipelineId, network, uri],
    );
    if (!row) return null;
    return { key: order === 'rank' ? row.rankKey : row.postedAt, entryId: BigInt(row.id) };
  }

  /** The position a cursor of this pipeline names; BAD_USER_INPUT (naming `field`) when it does not verify. */
  position(cursor: string, pipelineId: string, field: string): TimelinePosition {
    return asUserInput(field, () => decodeCursor(cursor, pipelineId));
  }
}

function asUserInput<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new AppException(AppErrorCode.BadUserInput, `${field}: ${error.message}`, { field });
    }
    throw error;
  }
}

function pipelineNotFound(): AppException {
  return new AppException(AppErrorCode.NotFound, 'pipeline not found');
}

function toItem(pipelineId: string, row: ItemRow): TimelineItemModel {
  return {
    id: row.id,
    pipelineId,
    post: toPostModel(row.postId, withPersonalLabels(row.data, row.labels)),
    reason: row.reason ? toReason(row.reason) : null,
    seenIn: row.seenIn,
    decisions: row.decisions,
    hidden: row.hidden,
    hiddenReason: row.hiddenReason,
    warnings: warningsOf(row.decisions),
    rankKey: row.rankKey,
  };
}

function toReason(reason: RepostReason): RepostReasonModel {
  return { by: reason.by, at: reason.at, uri: reason.uri };
}

/** Warn / blur verdicts as `warn: <reason>`; most items have none (no array filtered and mapped). */
function warningsOf(decisions: readonly DecisionModel[]): string[] {
  const warnings: string[] = [];
  for (const d of decisions)
    if (d.verdict === 'warn' || d.verdict === 'blur') warnings.push(`${d.verdict}: ${d.reason ?? d.stage}`);
  return warnings;
}
