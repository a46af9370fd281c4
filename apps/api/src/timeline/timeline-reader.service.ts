// The timeline's read path: one statement per page whatever its size (the caller's pipeline, its
// entries and their posts).
import { Injectable } from '@nestjs/common';
import { withPersonalLabels } from '@tributary/core';
import type { Network, PersonalLabels, Post, RepostReason } from '@tributary/core';
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
import { viewedPostColumns, viewerStateCtes } from '../viewer-state/viewer-state.service.js';
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

/**
 * A bound of a window given by a post (the Mastodon API's status ids): where the post's visible entry
 * stands in the pipeline, found by the window's own statement; else `fallback` (in time order, the
 * time a status id was made at); else none — nothing is below an unknown `below`, and an unknown
 * `above` bounds nothing.
 */
export interface PostBound {
  post: { network: Network; uri: string };
  fallback: OrderPosition | null;
}

/** A slice of a timeline around positions (the Mastodon API's max_id / since_id / min_id). */
export interface WindowRequest {
  order: TimelineOrder;
  limit: number;
  /** Only entries strictly below this position. */
  below?: OrderPosition | PostBound | null;
  /** Only entries strictly above this position. */
  above?: OrderPosition | PostBound | null;
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

/**
 * An entry of a window, with what the member did to its post. The post comes as the stored JSON
 * text with its row's version (`xmin`: any write of the row changes it), so a reader that keeps
 * what it made of a post version parses none again; personal labels are left out (the Mastodon API
 * shows none), and of the decisions only warnings (warn, blur).
 */
export interface WindowEntry {
  id: string;
  postId: string;
  rankKey: number;
  /** ms since the epoch. */
  postedAt: number;
  postJson: string;
  postVersion: string;
  reason: RepostReason | null;
  warnings: DecisionModel[];
  viewer: PostViewerState;
}

const ORDER_COLUMN: Record<TimelineOrder, string> = { rank: 'e."rankKey"', time: 'e."postedAt"' };
const POSITION_VALUE: Record<TimelineOrder, (n: number) => string> = {
  rank: (n) => `$${n}::float8`,
  // postedAt is a UTC wall-clock timestamp(3): compared with the position's milliseconds as one.
  time: (n) => `(timestamp 'epoch' + $${n}::float8 * interval '1 millisecond')`,
};

/** How a window's bound is given: not at all, a position, a post, or a post with a fallback position. */
type BoundShape = 'none' | 'position' | 'post' | 'post-or-position';

const boundShape = (bound: OrderPosition | PostBound | null | undefined): BoundShape =>
  !bound ? 'none' : 'post' in bound ? (bound.fallback ? 'post-or-position' : 'post') : 'position';

/** Below everything in an order (an `above` whose post is not in the timeline). */
const ORDER_MIN: Record<TimelineOrder, string> = {
  rank: `'-Infinity'::float8`,
  time: `'-infinity'::timestamp`,
};

/**
 * One window of visible entries ($1 user, $2 pipeline or NULL for the default, $3 limit, then
 * bounds), with the member's viewer state of their posts and of the posts they quote: one round trip
 * for what a Mastodon page shows (a statement of its own cost ~0.3 ms of API CPU,
 * tools/bench/mastodon-api.bench.ts). A bound given by a post is looked up in the same statement
 * (`below_at`, `above_at`: one row, or none for a `below` that is nowhere), and compared as a row of
 * two scalar subqueries, which the index scan takes as its start.
 */
function windowSql(order: TimelineOrder, below: BoundShape, above: BoundShape, ascending: boolean): string {
  const column = ORDER_COLUMN[order];
  const ctes: string[] = [];
  const bounds: string[] = [];
  let n = 4;
  const bound = (side: 'below' | 'above', shape: BoundShape) => {
    const op = side === 'below' ? '<' : '>';
    if (shape === 'none') return;
    if (shape === 'position') {
      bounds.push(`AND (${column}, e.id) ${op} (${POSITION_VALUE[order](n++)}, $${n++}::bigint)`);
      return;
    }
    const rows = [
      `(SELECT ${column} AS k, e.id, 0 AS o FROM "Post" p
        JOIN "TimelineEntry" e ON e."postId" = p.id AND e."pipelineId" = (SELECT id FROM pl) AND NOT e.hidden
        WHERE p.network = $${n++}::"Network" AND p.uri = $${n++} LIMIT 1)`,
    ];
    if (shape === 'post-or-position') rows.push(`SELECT ${POSITION_VALUE[order](n++)}, $${n++}::bigint, 1`);
    if (side === 'above') rows.push(`SELECT ${ORDER_MIN[order]}, -1::bigint, 2`);
    ctes.push(`${side}_at AS (SELECT k, id, o FROM (${rows.join(' UNION ALL ')}) b ORDER BY o LIMIT 1),`);
    bounds.push(`AND (${column}, e.id) ${op} ((SELECT k FROM ${side}_at), (SELECT id FROM ${side}_at))`);
  };
  bound('below', below);
  bound('above', above);
  const entries = (direction: 'ASC' | 'DESC', where: string) => `(
    SELECT e."pipelineId", e.id, e."postId", e."rankKey", e."postedAt", e.decisions, e.reason
    FROM "TimelineEntry" e
    WHERE e."pipelineId" = (SELECT id FROM pl) AND e.hidden = false ${where}
    ORDER BY ${column} ${direction}, e.id ${direction} LIMIT $3::int)`;
  // From the bottom of a range whose `above` is a post that may be nowhere in the timeline: from
  // the post when it is there, else from the top (a one-time filter picks the branch).
  const page =
    ascending && above === 'post'
      ? `${entries('ASC', `${bounds.join(' ')} AND (SELECT o FROM above_at) = 0`)}
         UNION ALL ${entries('DESC', `${bounds.slice(0, -1).join(' ')} AND (SELECT o FROM above_at) <> 0`)}`
      : entries(ascending ? 'ASC' : 'DESC', bounds.join(' '));
  return `
  WITH pl AS (SELECT id FROM "Pipeline" WHERE "userId" = $1::uuid
              AND CASE WHEN $2::uuid IS NULL THEN "isDefault" ELSE id = $2::uuid END),
  ${ctes.join('\n  ')}
  page AS (${page}),
  page_posts AS (SELECT ${viewedPostColumns('p')} FROM page e JOIN "Post" p ON p.id = e."postId"),
  ${viewerStateCtes('page_posts', '$1')}
  SELECT e."pipelineId"::text AS "pipelineId", e.id::text AS id, e."postId"::text AS "postId", e."rankKey",
         (extract(epoch FROM e."postedAt") * 1000)::float8 AS "postedAt", e.reason,
         jsonb_path_query_array(e.decisions, '$[*] ? (@.verdict == "warn" || @.verdict == "blur")') AS warnings,
         (${postDataSql('p')})::text AS "postJson", p.xmin::text AS "postVersion",
         coalesce(s.liked, false) AS liked, coalesce(s.reposted, false) AS reposted,
         coalesce(s.bookmarked, false) AS bookmarked, s."ownVotes", s.quote
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
    for (const bound of [below, above]) {
      if (!bound) continue;
      const position = 'post' in bound ? bound.fallback : bound;
      if ('post' in bound) params.push(bound.post.network, bound.post.uri);
      if (position) params.push(position.key, String(position.entryId));
    }
    const ascending = request.from === 'bottom';
    const [belowShape, aboveShape] = [boundShape(below), boundShape(above)];
    const rows = await this.db.sql.query<
      Omit<WindowEntry, 'viewer'> & PostViewerState & { pipelineId: string }
    >(
      statement(`window ${order} ${belowShape} ${aboveShape} ${ascending}`, () =>
        windowSql(order, belowShape, aboveShape, ascending),
      ),
      params,
    );
    const pipeline = rows[0]?.pipelineId ?? (await this.ownedPipeline(userId, pipelineId)).id;
    return {
      pipelineId: pipeline,
      entries: rows.map(({ pipelineId: _p, liked, reposted, bookmarked, ownVotes, quote, ...row }) => ({
        ...row,
        viewer: { liked, reposted, bookmarked, ownVotes, quote },
      })),
    };
  }

  /**
   * The caller's entries among `entryIds` of this pipeline, as `window` reads them (live delivery):
   * visible ones, or `hidden` ones (an entry removed since, to say which statuses went); with when
   * their post was last stored (`storedAt`, ms: an edit's time when its origin does not tell it).
   */
  async entriesByIds(
    userId: string,
    pipelineId: string,
    entryIds: readonly string[],
    which: 'visible' | 'hidden' = 'visible',
  ): Promise<(EntryView & { storedAt: number })[]> {
    const ids = entryIds.filter((id) => /^[1-9][0-9]{0,18}$/.test(id));
    if (ids.length === 0 || !isUuid(pipelineId) || !isUuid(userId)) return [];
    const rows = await this.db.sql.query<EntryView & { storedAt: number; labels: PersonalLabels | null }>(
      prepared(`SELECT e.id::text AS id, e."postId"::text AS "postId", e."rankKey",
          (extract(epoch FROM e."postedAt") * 1000)::float8 AS "postedAt", e.decisions, e.reason, e.labels, ${postDataSql('p')} AS data,
          (extract(epoch FROM p."updatedAt") * 1000)::float8 AS "storedAt"
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
