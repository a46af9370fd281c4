import { Injectable } from '@nestjs/common';
import { PrismaService, prepared } from '@tributary/db';
import type { ViewerState } from './entities/mastodon-entities.js';

/**
 * What the member did to posts (favourited, reblogged, bookmarked), by Post id. A port: the client
 * surface (issue 19) keeps viewer state reconciled with the networks and replaces this provider.
 */
export abstract class ViewerStates {
  abstract of(userId: string, postIds: readonly string[]): Promise<Map<string, ViewerState>>;
}

// The latest like-or-unlike and repost-or-unrepost per post that did not fail: it says where the
// member stands (a pending like counts, as the app just sent it).
const STATE_SQL = prepared(`
  SELECT DISTINCT ON (a.payload ->> 'postId', a.kind IN ('LIKE', 'UNLIKE'))
         a.payload ->> 'postId' AS "postId", a.kind::text AS kind
  FROM "OutboundAction" a
  WHERE a."userId" = $1::uuid AND a.kind IN ('LIKE', 'UNLIKE', 'REPOST', 'UNREPOST') AND a.status <> 'FAILED'
    AND a.payload ->> 'postId' = ANY($2::text[])
  ORDER BY a.payload ->> 'postId', a.kind IN ('LIKE', 'UNLIKE'), a."createdAt" DESC`);

/** Viewer state from the member's own actions through Tributary (no bookmarks: none are kept yet). */
@Injectable()
export class ActionViewerStates extends ViewerStates {
  constructor(private readonly db: PrismaService) {
    super();
  }

  async of(userId: string, postIds: readonly string[]): Promise<Map<string, ViewerState>> {
    const states = new Map<string, ViewerState>();
    if (postIds.length === 0) return states;
    const rows = await this.db.sql.query<{ postId: string; kind: string }>(STATE_SQL, [
      userId,
      [...new Set(postIds)],
    ]);
    for (const row of rows) {
      const state = states.get(row.postId) ?? { favourited: false, reblogged: false, bookmarked: false };
      if (row.kind === 'LIKE') state.favourited = true;
      if (row.kind === 'REPOST') state.reblogged = true;
      states.set(row.postId, state);
    }
    return states;
  }
}
