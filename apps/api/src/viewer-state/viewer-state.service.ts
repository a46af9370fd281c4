import { Injectable } from '@nestjs/common';
import { PrismaService, prepared } from '@tributary/db';

/** What the member did to a post, through any of their accounts on its network. */
export interface PostViewerState {
  liked: boolean;
  reposted: boolean;
  bookmarked: boolean;
  /** The options they chose in its poll, when they voted through Tributary; else null. */
  ownVotes: number[] | null;
  /**
   * Their state of the post it quotes, when that post is stored (a client shows the quoted post as
   * a status of its own, which a member likes, boosts or votes in); else null or absent.
   */
  quote?: PostViewerState | null;
}

export const NOT_ACTED: Readonly<PostViewerState> = Object.freeze({
  liked: false,
  reposted: false,
  bookmarked: false,
  ownVotes: null,
});

/** What `viewerStateCtes` needs of each of its `posts`, from their "Post" row `alias`. */
export const viewedPostColumns = (alias: string): string =>
  `${alias}.id, ${alias}.network, ${alias}.uri, ${alias}.data -> 'quote' ->> 'uri' AS "quoteUri"`;

/**
 * The member's state of the posts in the CTE `posts` (`viewedPostColumns`), as CTEs ending in
 * `states` ("postId" bigint, liked, reposted, bookmarked, "ownVotes" jsonb or NULL, and `quote`: the
 * same of the post it quotes as jsonb, NULL when that post is not stored): for a statement of its
 * own, or within a statement that reads the posts (a Mastodon timeline page: one round trip for
 * both). `user` is the parameter that holds the member's id.
 *
 * Per account and relation, the newest word wins: the account's server's (PostViewerState, as of
 * when it was asked) or the member's own action through Tributary, pending or done (a failed one
 * changed nothing). So an action shows at once, and the network has the last word after it. By
 * URI: every trust domain's copy of a post shares it. Bookmarks are Tributary's own, and so are
 * votes: a poll's `own_votes` are the choices of the member's newest vote in it that did not fail
 * (the network's word on a vote is not kept: the Mastodon connector drops `voted`/`own_votes`).
 */
export function viewerStateCtes(posts: string, user: string): string {
  // One stored row of each quoted post (a post quotes one of its own network): every trust domain's
  // copy has the same state, read by network and URI.
  return `
  quoted AS (
    SELECT p.id AS "quotingId", q.id, q.network, q.uri FROM ${posts} p
    CROSS JOIN LATERAL (
      SELECT q.id, q.network, q.uri FROM "Post" q WHERE q.network = p.network AND q.uri = p."quoteUri" LIMIT 1
    ) q
  ),
  viewed AS (SELECT id, network, uri FROM ${posts} UNION SELECT id, network, uri FROM quoted),
  word AS (
    SELECT s."linkedAccountId" AS account, s.uri, 'like' AS rel, s.liked AS "on", s."observedAt" AS at
    FROM "PostViewerState" s WHERE s."userId" = ${user}::uuid AND s.uri IN (SELECT uri FROM viewed)
    UNION ALL
    SELECT s."linkedAccountId", s.uri, 'repost', s.reposted, s."observedAt"
    FROM "PostViewerState" s WHERE s."userId" = ${user}::uuid AND s.uri IN (SELECT uri FROM viewed)
    UNION ALL
    SELECT a."linkedAccountId", a.payload -> 'target' ->> 'uri',
           CASE WHEN a.kind IN ('LIKE', 'UNLIKE') THEN 'like' ELSE 'repost' END,
           a.kind IN ('LIKE', 'REPOST'), a."createdAt"
    FROM "OutboundAction" a
    WHERE a."userId" = ${user}::uuid AND a.kind IN ('LIKE', 'UNLIKE', 'REPOST', 'UNREPOST') AND a.status <> 'FAILED'
      AND a.payload -> 'target' ->> 'uri' IN (SELECT uri FROM viewed)
  ),
  votes AS (
    SELECT DISTINCT ON (a.payload -> 'target' ->> 'uri') a.payload -> 'target' ->> 'uri' AS uri,
           a.payload -> 'choices' AS choices
    FROM "OutboundAction" a
    WHERE a."userId" = ${user}::uuid AND a.kind = 'VOTE' AND a.status <> 'FAILED'
      AND a.payload -> 'target' ->> 'uri' IN (SELECT uri FROM viewed)
    ORDER BY a.payload -> 'target' ->> 'uri', a."createdAt" DESC
  ),
  latest AS (
    SELECT DISTINCT ON (account, uri, rel) uri, rel, "on" FROM word ORDER BY account, uri, rel, at DESC
  ),
  viewed_states AS (
    SELECT p.id AS "postId",
           coalesce(bool_or(l."on") FILTER (WHERE l.rel = 'like'), false) AS liked,
           coalesce(bool_or(l."on") FILTER (WHERE l.rel = 'repost'), false) AS reposted,
           EXISTS (SELECT 1 FROM "Bookmark" b WHERE b."userId" = ${user}::uuid AND b.network = p.network AND b.uri = p.uri)
             AS bookmarked,
           (SELECT v.choices FROM votes v WHERE v.uri = p.uri) AS "ownVotes"
    FROM viewed p LEFT JOIN latest l ON l.uri = p.uri
    GROUP BY p.id, p.network, p.uri
  ),
  states AS (
    SELECT s.*, to_jsonb(qs) - 'postId' AS quote
    FROM ${posts} p JOIN viewed_states s ON s."postId" = p.id
    LEFT JOIN quoted q ON q."quotingId" = p.id LEFT JOIN viewed_states qs ON qs."postId" = q.id
  )`;
}

const STATE_SQL = prepared(`
  WITH p AS (SELECT ${viewedPostColumns('p')} FROM "Post" p WHERE id = ANY($2::bigint[])), ${viewerStateCtes('p', '$1')}
  SELECT "postId"::text AS "postId", liked, reposted, bookmarked, "ownVotes", quote FROM states`);

/**
 * The member's own relation to posts (liked, reposted, bookmarked) and to the posts they quote, by
 * Post id. Per member: the posts are shared rows, the state is read from the member's own accounts,
 * actions and bookmarks.
 */
@Injectable()
export class ViewerStateService {
  constructor(private readonly db: PrismaService) {}

  async of(userId: string, postIds: readonly string[]): Promise<Map<string, PostViewerState>> {
    const states = new Map<string, PostViewerState>();
    const ids = [...new Set(postIds)];
    if (ids.length === 0) return states;
    const rows = await this.db.sql.query<PostViewerState & { postId: string }>(STATE_SQL, [userId, ids]);
    for (const { postId, ...state } of rows) states.set(postId, state);
    return states;
  }
}
