import { Injectable } from '@nestjs/common';
import { PrismaService, prepared } from '@tributary/db';

/** What the member did to a post, through any of their accounts on its network. */
export interface PostViewerState {
  liked: boolean;
  reposted: boolean;
  bookmarked: boolean;
  /** The options they chose in its poll, when they voted through Tributary; else null. */
  ownVotes: number[] | null;
}

export const NOT_ACTED: Readonly<PostViewerState> = Object.freeze({
  liked: false,
  reposted: false,
  bookmarked: false,
  ownVotes: null,
});

/**
 * The member's state of the posts in the CTE `posts` (id, network, uri), as CTEs ending in
 * `states` ("postId" bigint, liked, reposted, bookmarked): for a statement of its own, or within a
 * statement that reads the posts (a Mastodon timeline page: one round trip for both), and
 * "ownVotes" (jsonb, or NULL). `user` is the parameter that holds the member's id.
 *
 * Per account and relation, the newest word wins: the account's server's (PostViewerState, as of
 * when it was asked) or the member's own action through Tributary, pending or done (a failed one
 * changed nothing). So an action shows at once, and the network has the last word after it. By
 * URI: every trust domain's copy of a post shares it. Bookmarks are Tributary's own, and so are
 * votes: a poll's `own_votes` are the choices of the member's newest vote in it that did not fail
 * (the network's word on a vote is not kept: the Mastodon connector drops `voted`/`own_votes`).
 */
export function viewerStateCtes(posts: string, user: string): string {
  return `
  word AS (
    SELECT s."linkedAccountId" AS account, s.uri, 'like' AS rel, s.liked AS "on", s."observedAt" AS at
    FROM "PostViewerState" s WHERE s."userId" = ${user}::uuid AND s.uri IN (SELECT uri FROM ${posts})
    UNION ALL
    SELECT s."linkedAccountId", s.uri, 'repost', s.reposted, s."observedAt"
    FROM "PostViewerState" s WHERE s."userId" = ${user}::uuid AND s.uri IN (SELECT uri FROM ${posts})
    UNION ALL
    SELECT a."linkedAccountId", a.payload -> 'target' ->> 'uri',
           CASE WHEN a.kind IN ('LIKE', 'UNLIKE') THEN 'like' ELSE 'repost' END,
           a.kind IN ('LIKE', 'REPOST'), a."createdAt"
    FROM "OutboundAction" a
    WHERE a."userId" = ${user}::uuid AND a.kind IN ('LIKE', 'UNLIKE', 'REPOST', 'UNREPOST') AND a.status <> 'FAILED'
      AND a.payload -> 'target' ->> 'uri' IN (SELECT uri FROM ${posts})
  ),
  votes AS (
    SELECT DISTINCT ON (a.payload -> 'target' ->> 'uri') a.payload -> 'target' ->> 'uri' AS uri,
           a.payload -> 'choices' AS choices
    FROM "OutboundAction" a
    WHERE a."userId" = ${user}::uuid AND a.kind = 'VOTE' AND a.status <> 'FAILED'
      AND a.payload -> 'target' ->> 'uri' IN (SELECT uri FROM ${posts})
    ORDER BY a.payload -> 'target' ->> 'uri', a."createdAt" DESC
  ),
  latest AS (
    SELECT DISTINCT ON (account, uri, rel) uri, rel, "on" FROM word ORDER BY account, uri, rel, at DESC
  ),
  states AS (
    SELECT p.id AS "postId",
           coalesce(bool_or(l."on") FILTER (WHERE l.rel = 'like'), false) AS liked,
           coalesce(bool_or(l."on") FILTER (WHERE l.rel = 'repost'), false) AS reposted,
           EXISTS (SELECT 1 FROM "Bookmark" b WHERE b."userId" = ${user}::uuid AND b.network = p.network AND b.uri = p.uri)
             AS bookmarked,
           (SELECT v.choices FROM votes v WHERE v.uri = p.uri) AS "ownVotes"
    FROM ${posts} p LEFT JOIN latest l ON l.uri = p.uri
    GROUP BY p.id, p.network, p.uri
  )`;
}

const STATE_SQL = prepared(`
  WITH p AS (SELECT id, network, uri FROM "Post" WHERE id = ANY($2::bigint[])), ${viewerStateCtes('p', '$1')}
  SELECT "postId"::text AS "postId", liked, reposted, bookmarked, "ownVotes" FROM states`);

/**
 * The member's own relation to posts (liked, reposted, bookmarked), by Post id. Per member: the
 * posts are shared rows, the state is read from the member's own accounts, actions and bookmarks.
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
