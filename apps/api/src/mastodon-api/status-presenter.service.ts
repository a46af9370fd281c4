import { Injectable } from '@nestjs/common';
import type { RepostReason } from '@tributary/core';
import { NO_VIEWER_STATE, statusIdRequests, toStatus } from './entities/mastodon-entities.js';
import type {
  EntityContext,
  StatusSource,
  StoredPostData,
  ViewerState,
  Warning,
} from './entities/mastodon-entities.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { ViewerStates } from './viewer-state.js';

/** A post to present, with the Post row id its viewer state is kept under. */
export interface PresentedPost {
  postId: string;
  post: StoredPostData;
  reason: RepostReason | null;
  /** The entry's decisions; its warn and blur ones become `filtered`. */
  decisions?: readonly Warning[];
  /** What the member did to the post, when read with it (a timeline window); else looked up here. */
  viewer?: ViewerState;
}

/**
 * Statuses for a page: ids (usually cached: no round trip), viewer state in one round trip unless
 * every post comes with it, then pure mapping.
 */
@Injectable()
export class StatusPresenter {
  constructor(
    private readonly ids: MastodonIds,
    private readonly viewer: ViewerStates,
  ) {}

  async statuses(
    userId: string,
    posts: readonly PresentedPost[],
    ctx: EntityContext,
  ): Promise<Record<string, unknown>[]> {
    const [states, ids] = await Promise.all([
      posts.every((p) => p.viewer)
        ? new Map<string, ViewerState>()
        : this.viewer.of(
            userId,
            posts.map((p) => p.postId),
          ),
      this.ids.ids(statusIdRequests(posts)),
    ]);
    const full = posts.map((p): StatusSource => ({
      post: p.post,
      reason: p.reason,
      warnings: (p.decisions ?? []).filter((d) => d.verdict === 'warn' || d.verdict === 'blur'),
      viewer: p.viewer ?? states.get(p.postId) ?? NO_VIEWER_STATE,
    }));
    return full.map((s) => toStatus(s, ids, ctx));
  }
}
