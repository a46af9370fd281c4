import { Injectable } from '@nestjs/common';
import type { RepostReason } from '@tributary/core';
import {
  NO_VIEWER_STATE,
  sharedStatus,
  sharedStatusJson,
  statusIdRequests,
  statusJsonParts,
  toStatus,
} from './entities/mastodon-entities.js';
import type {
  EntityContext,
  OpenStatusJson,
  StatusSource,
  StoredPostData,
  ViewerState,
  Warning,
} from './entities/mastodon-entities.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { SharedStatusCache, ownBytes } from './shared-status-cache.js';
import type { SharedStatusBytes } from './shared-status-cache.js';
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

/** A timeline entry to present as JSON: its post as stored (text) and the version of its row. */
export interface StoredEntry {
  postId: string;
  postJson: string;
  postVersion: string;
  reason: RepostReason | null;
  warnings: readonly Warning[];
  viewer: ViewerState;
}

/** A page of statuses as JSON (UTF-8), and each status's id. */
export interface StatusesJson {
  json: Buffer;
  ids: string[];
}

/**
 * Statuses for a page: ids (usually cached: no round trip), viewer state in one round trip unless
 * every post comes with it, then pure mapping.
 */
@Injectable()
export class StatusPresenter {
  private readonly shared = new SharedStatusCache();

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

  /**
   * A timeline page's statuses as a JSON array (UTF-8): each post version's shared part is parsed,
   * mapped and serialized once (SharedStatusCache), then completed with the member's viewer state
   * and warnings. The same JSON value as `statuses` gives.
   */
  async statusesJson(entries: readonly StoredEntry[], ctx: EntityContext): Promise<StatusesJson> {
    const reasons = entries.map((e) => (e.reason ? JSON.stringify(e.reason) : null));
    const shared: (SharedStatusBytes | undefined)[] = entries.map((e, i) => {
      const cached = this.shared.get(e.postId, e.postVersion, ctx.baseUrl);
      const reason = reasons[i] ?? null;
      return reason === null ? cached?.status : cached?.wrappers.get(reason);
    });
    const missing = entries.flatMap((e, i) =>
      shared[i] ? [] : [{ i, post: JSON.parse(e.postJson) as StoredPostData, reason: e.reason }],
    );
    if (missing.length > 0) {
      const ids = await this.ids.ids(statusIdRequests(missing));
      for (const { i, post, reason } of missing) {
        const e = entries[i]!;
        const made = sharedStatusJson(sharedStatus(post, reason, ids, ctx));
        const kept = this.shared.get(e.postId, e.postVersion, ctx.baseUrl) ?? {
          version: e.postVersion,
          baseUrl: ctx.baseUrl,
          status: {
            id: made.postStatusId,
            postStatusId: made.postStatusId,
            ...openBytes(made),
            quote: made.quote && openBytes(made.quote),
            wrapper: null,
          },
          wrappers: new Map(),
        };
        this.shared.set(e.postId, kept);
        if (made.wrapper === null) {
          shared[i] = kept.status;
        } else {
          const wrapper = { ...kept.status, id: made.id, wrapper: ownBytes(made.wrapper) };
          kept.wrappers.set(reasons[i]!, wrapper);
          shared[i] = wrapper;
        }
      }
    }
    const parts: Buffer[] = [OPEN];
    shared.forEach((part, i) => {
      if (i > 0) parts.push(COMMA);
      for (const piece of statusJsonParts(part!, entries[i]!.viewer, entries[i]!.warnings))
        parts.push(typeof piece === 'string' ? Buffer.from(piece) : piece);
    });
    parts.push(CLOSE);
    return { json: Buffer.concat(parts), ids: shared.map((part) => part!.id) };
  }
}

/** An open status's text as the bytes kept: its `post` and `poll` only (given a whole SharedStatusJson too). */
const openBytes = (status: OpenStatusJson): OpenStatusJson<Buffer> => ({
  post: ownBytes(status.post),
  poll: status.poll === null ? null : ownBytes(status.poll),
});

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
