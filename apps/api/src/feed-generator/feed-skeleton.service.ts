// app.bsky.feed.getFeedSkeleton: a published feed answers with its owner's pipeline, and only to its
// owner, proven by the service JWT their PDS minted. Everyone else gets the placeholder post (how to
// link), never the owner's items. The answer is one statement: the feed, whether the viewer is its
// owner, and the page (tools/bench/feed-skeleton.bench.ts).
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { ServiceAuthError, ServiceAuthVerifier } from '@tributary/connector-bluesky';
import { PrismaService, prepared } from '@tributary/db';
import { InvalidCursorError, checkPipeline, encodeCursor, readCursor } from '@tributary/timeline';
import type { TimelinePosition } from '@tributary/timeline';
import { FEED_SERVICE_ID, XrpcException, serviceDidOf } from './service-did.js';

export const GET_FEED_SKELETON = 'app.bsky.feed.getFeedSkeleton';
export const DEFAULT_LIMIT = 50;
/** The lexicon's range of `limit`. */
export const MAX_LIMIT = 100;
/**
 * Entries one answer reads at most. Mastodon items without a Bluesky copy are skipped, and the
 * AppView stops paging at an empty page: past this many entries in a row the app cannot show, the
 * feed ends there; with some items, the next page starts after the last entry read.
 */
export const MAX_SCANNED = 5000;
const REPOST_URI = /^at:\/\/[^/]+\/app\.bsky\.feed\.repost\/[^/]+$/;
const PLACEHOLDER_CONTEXT = 'placeholder';

export interface SkeletonItem {
  post: string;
  reason?: { $type: 'app.bsky.feed.defs#skeletonReasonRepost'; repost: string };
  /** The timeline entry's id: what sendInteractions echoes back. */
  feedContext: string;
}

export interface FeedSkeleton {
  feed: SkeletonItem[];
  cursor?: string;
}

export interface SkeletonRequest {
  feed: string;
  limit: number;
  cursor: string | null;
}

export interface SkeletonRow {
  pipelineId: string;
  owner: boolean;
  /** The rest are null when the viewer is not the owner, or when the page is empty. */
  id: string | null;
  rankKey: number | null;
  /** The at:// URI the app can show for the entry: null for a Mastodon post without a copy. */
  post: string | null;
  repost: string | null;
  /** The entry's place in the walk from the cursor (1, 2, …). */
  n: number | null;
}

/**
 * $1 the feed's URI, $2 the viewer's DID, $3 the rows wanted, $4 MAX_SCANNED, $5/$6 the cursor's
 * rank key and entry id. No row: no such feed. Otherwise the first row says whether the viewer owns
 * it; for the owner, the rows are the pipeline's visible entries the app can show, in order, from
 * the cursor on, walking the index (pipelineId, hidden, rankKey desc, id desc); past the $4th entry
 * read, every entry is returned, so that the walk stops there (the caller keeps the $4th: where the
 * next page starts). No LIMIT $4 on the walk: with one, the planner read and sorted all of a long
 * timeline's entries (1 s for 10k; tools/bench/feed-skeleton.bench.ts).
 * A Bluesky post shows as itself (a repost as its reason); a Mastodon post through the Bridgy Fed
 * copy its entry merged (dedupe matched it by `bridgyOriginalUrl`; seenIn keeps the copy's URI).
 */
const skeletonSql = (afterCursor: boolean) => `
  WITH f AS (
    SELECT pf."pipelineId",
      EXISTS (SELECT 1 FROM "LinkedAccount" la
              WHERE la."userId" = pf."userId" AND la.network = 'BLUESKY' AND la."networkAccountId" = $2) AS owner
    FROM "PublishedFeed" pf WHERE pf.uri = $1)
  SELECT f."pipelineId"::text AS "pipelineId", f.owner, s.id::text AS id, s."rankKey", s.post, s.repost, s.n::int AS n
  FROM f LEFT JOIN LATERAL (
    SELECT * FROM (
      SELECT e.id, e."rankKey",
        CASE WHEN p.network = 'BLUESKY' THEN p.uri
             ELSE (SELECT x->>'uri' FROM jsonb_array_elements(e."seenIn") x
                   WHERE x->>'network' = 'BLUESKY' AND x->>'uri' LIKE 'at://%' LIMIT 1) END AS post,
        CASE WHEN p.network = 'BLUESKY' THEN e.reason->>'uri' END AS repost,
        row_number() OVER (ORDER BY e."rankKey" DESC, e.id DESC) AS n
      FROM "TimelineEntry" e JOIN "Post" p ON p.id = e."postId"
      WHERE e."pipelineId" = f."pipelineId" AND e.hidden = false
        ${afterCursor ? 'AND (e."rankKey", e.id) < ($5::float8, $6::bigint)' : ''}) s
    WHERE f.owner AND (s.post LIKE 'at://%' OR s.n >= $4::int)
    LIMIT $3::int) s ON true`;

/** The one statement of an answer (exported for the benchmark's baseline). */
export function skeletonQuery(
  feed: string,
  viewer: string | null,
  limit: number,
  position: TimelinePosition | null,
): { text: string; params: unknown[] } {
  // One item more than asked: is there a next page? (Or, short of it, the MAX_SCANNED-th entry.)
  const params: unknown[] = [feed, viewer, limit + 1, MAX_SCANNED];
  if (position) params.push(position.rankKey, String(position.entryId));
  return { text: prepared(skeletonSql(position !== null)), params };
}

@Injectable()
export class FeedSkeletonService {
  constructor(
    private readonly db: PrismaService,
    private readonly verifier: ServiceAuthVerifier,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  get serviceDid(): string | null {
    return serviceDidOf(this.config.PUBLIC_URL);
  }

  async skeleton(authorization: string | undefined, request: SkeletonRequest): Promise<FeedSkeleton> {
    const serviceDid = this.serviceDid;
    if (!serviceDid) throw new XrpcException(404, 'MethodNotImplemented', 'PUBLIC_URL is not set');
    const { limit } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new XrpcException(400, 'InvalidRequest', `limit: expected an integer from 1 to ${MAX_LIMIT}`);
    }
    const position = request.cursor === null ? null : asRequest(() => readCursor(request.cursor!));
    const viewer = await this.viewer(authorization, serviceDid, GET_FEED_SKELETON);
    const query = skeletonQuery(request.feed, viewer, limit, position);
    const rows = await this.db.sql.query<SkeletonRow>(query.text, query.params);
    if (rows.length === 0) throw new XrpcException(400, 'UnknownFeed', 'no such feed on this generator');
    const { pipelineId, owner } = rows[0]!;
    if (!owner) return this.placeholder();
    if (position) asRequest(() => checkPipeline(position, pipelineId));
    return skeletonPage(pipelineId, limit, rows);
  }

  /**
   * The verified issuer of the request's service JWT; null without one or when no member linked
   * that DID (nothing is resolved then); 401 AuthenticationRequired when it does not verify. Whom
   * the DID may see is the caller's to decide.
   */
  async viewer(
    authorization: string | undefined,
    serviceDid: string,
    method: string,
  ): Promise<string | null> {
    if (!authorization) return null;
    try {
      return await this.verifier.verify(authorization, {
        serviceDid,
        serviceId: FEED_SERVICE_ID,
        method,
        knownIssuer: (did) => this.linked(did),
      });
    } catch (error) {
      if (error instanceof ServiceAuthError) {
        throw new XrpcException(401, 'AuthenticationRequired', `${error.reason}: ${error.message}`);
      }
      throw error;
    }
  }

  /** A member linked this Bluesky account (an app-password or OAuth login proved they hold it). */
  private async linked(did: string): Promise<boolean> {
    const rows = await this.db.sql.query(
      prepared(`SELECT 1 FROM "LinkedAccount" WHERE network = 'BLUESKY' AND "networkAccountId" = $1 LIMIT 1`),
      [did],
    );
    return rows.length > 0;
  }

  private placeholder(): FeedSkeleton {
    const post = this.config.FEED_PLACEHOLDER_POST;
    return { feed: post ? [{ post, feedContext: PLACEHOLDER_CONTEXT }] : [] };
  }
}

/**
 * The answer from the statement's rows: `limit` items, and a cursor when more may follow — after
 * the last item when the statement found one more, else after the last entry it was allowed to
 * read. Never an empty page with a cursor (the AppView would stop there anyway).
 */
export function skeletonPage(pipelineId: string, limit: number, rows: SkeletonRow[]): FeedSkeleton {
  // In walk order (the statement's own; sorting 100 rows costs nothing and states it).
  const read = rows.filter((r) => r.n !== null && r.n <= MAX_SCANNED).sort((a, b) => a.n! - b.n!);
  const shown = read.filter((r) => r.post?.startsWith('at://'));
  const feed = shown.slice(0, limit).map(toItem);
  const cursorAt = (row: SkeletonRow) =>
    encodeCursor({ pipelineId, rankKey: row.rankKey!, entryId: BigInt(row.id!) });
  if (shown.length > limit) return { feed, cursor: cursorAt(shown[limit - 1]!) };
  const last = read.at(-1);
  if (feed.length > 0 && last?.n === MAX_SCANNED) return { feed, cursor: cursorAt(last) };
  return { feed };
}

function toItem(row: SkeletonRow): SkeletonItem {
  const repost = row.repost;
  return {
    post: row.post!,
    ...(repost !== null && REPOST_URI.test(repost)
      ? { reason: { $type: 'app.bsky.feed.defs#skeletonReasonRepost' as const, repost } }
      : {}),
    feedContext: row.id!,
  };
}

function asRequest(read: () => TimelinePosition): TimelinePosition {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new XrpcException(400, 'InvalidRequest', 'cursor: not a cursor of this feed');
    }
    throw error;
  }
}
