import { Injectable, Logger } from '@nestjs/common';
import { withPersonalLabels } from '@tributary/core';
import type { PersonalLabels, Post } from '@tributary/core';
import { PrismaService, postDataSql } from '@tributary/db';
import { ActionsService } from '../actions/actions.service.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { PostAccessService, personalLabelsSql } from '../posts/post-access.service.js';
import type { StoredPost } from '../posts/post-access.service.js';
import { parsePostId } from '../posts/post-id.js';
import { toPostModel } from '../posts/post.model.js';
import type { PostModel } from '../posts/post.model.js';
import type { BookmarkConnectionModel } from './bookmark.model.js';

export const MAX_BOOKMARKS_PAGE = 100;

/** A place in the list: when a post was bookmarked, and the post (unique among the member's bookmarks). */
export interface BookmarkPosition {
  at: Date;
  postId: string;
}

/** One bookmark with the post as the member sees it. */
export interface BookmarkRow {
  postId: string;
  bookmarkedAt: Date;
  data: Omit<Post, 'raw'>;
}

/**
 * The member's bookmarks, kept by Tributary for both networks (Bluesky has no bookmarks a third
 * party can keep; Mastodon's own are mirrored as BOOKMARK / UNBOOKMARK actions). One row per post
 * URI: every trust domain's copy of a post reads as bookmarked. A bookmarked post stays readable by
 * the member (PostAccessService) after its source is removed; one deleted at its origin leaves the list.
 */
@Injectable()
export class BookmarksService {
  private readonly logger = new Logger(BookmarksService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly access: PostAccessService,
    private readonly actions: ActionsService,
  ) {}

  /** Bookmarks a post the member may read (idempotent); on Mastodon the instance's bookmark follows. */
  async bookmark(userId: string, id: string): Promise<PostModel> {
    const post = await this.readable(userId, id);
    if (post.data.deletedAt !== undefined)
      throw new AppException(AppErrorCode.BadUserInput, 'post: it was deleted at its origin', {
        field: 'post',
      });
    const added = await this.db.sql.query(
      `INSERT INTO "Bookmark" ("userId", network, uri, "postId") VALUES ($1::uuid, $2::"Network", $3, $4::bigint)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, post.network, post.uri, String(post.id)],
    );
    if (added.length > 0) await this.mirror(userId, post, true);
    return toPostModel(post.id, post.data);
  }

  /** Takes a bookmark back (idempotent); answers with the post as it was readable before. */
  async unbookmark(userId: string, id: string): Promise<PostModel> {
    const post = await this.readable(userId, id);
    const removed = await this.db.sql.query(
      `DELETE FROM "Bookmark" WHERE "userId" = $1::uuid AND network = $2::"Network" AND uri = $3 RETURNING 1`,
      [userId, post.network, post.uri],
    );
    if (removed.length > 0) await this.mirror(userId, post, false);
    return toPostModel(post.id, post.data);
  }

  /** The member's bookmarks, newest first, keyset-paged. */
  async page(
    userId: string,
    request: { first: number; after: string | null },
  ): Promise<BookmarkConnectionModel> {
    const first = request.first;
    if (!Number.isInteger(first) || first < 1 || first > MAX_BOOKMARKS_PAGE)
      throw new AppException(
        AppErrorCode.BadUserInput,
        `first: expected an integer from 1 to ${MAX_BOOKMARKS_PAGE}`,
        {
          field: 'first',
        },
      );
    const after = request.after === null ? null : readBookmarkCursor(request.after);
    if (request.after !== null && !after)
      throw new AppException(AppErrorCode.BadUserInput, 'after: not a cursor of this list', {
        field: 'after',
      });
    const rows = await this.window(userId, {
      limit: first + 1,
      below: after,
      above: null,
      fromBottom: false,
    });
    const edges = rows.slice(0, first).map((row) => ({
      cursor: writeBookmarkCursor(row),
      bookmarkedAt: row.bookmarkedAt,
      node: toPostModel(row.postId, row.data),
    }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /**
   * Bookmarks between two positions (exclusive), newest first: the `limit` newest, or with
   * `fromBottom` the `limit` just above `above` (Mastodon's `min_id`).
   */
  async window(
    userId: string,
    request: {
      limit: number;
      below: BookmarkPosition | null;
      above: BookmarkPosition | null;
      fromBottom: boolean;
    },
  ): Promise<BookmarkRow[]> {
    const params: unknown[] = [userId, request.limit];
    const bound = (side: '<' | '>', at: BookmarkPosition | null) => {
      if (!at) return '';
      params.push(at.at.toISOString(), at.postId);
      return `AND (b."createdAt", b."postId") ${side} ($${params.length - 1}::timestamptz AT TIME ZONE 'UTC', $${params.length}::bigint)`;
    };
    const direction = request.fromBottom ? 'ASC' : 'DESC';
    const rows = await this.db.sql.query<BookmarkRow & { labels: PersonalLabels[] | null }>(
      `SELECT b."postId"::text AS "postId", b."createdAt" AT TIME ZONE 'UTC' AS "bookmarkedAt",
              ${postDataSql('p')} AS data, ${personalLabelsSql('p', '$1')} AS labels
       FROM "Bookmark" b JOIN "Post" p ON p.id = b."postId"
       WHERE b."userId" = $1::uuid AND p."deletedAt" IS NULL ${bound('<', request.below)} ${bound('>', request.above)}
       ORDER BY b."createdAt" ${direction}, b."postId" ${direction} LIMIT $2::int`,
      params,
    );
    const page = rows.map(({ labels, ...row }) => ({
      ...row,
      data: withPersonalLabels(row.data, ...(labels ?? [])),
    }));
    return request.fromBottom ? page.reverse() : page;
  }

  /** Where the member's bookmark of this post (any copy of it) stands in the list; null when none. */
  async position(userId: string, network: string, uri: string): Promise<BookmarkPosition | null> {
    const [row] = await this.db.sql.query<{ at: Date; postId: string }>(
      `SELECT "createdAt" AT TIME ZONE 'UTC' AS at, "postId"::text AS "postId" FROM "Bookmark"
       WHERE "userId" = $1::uuid AND network = $2::"Network" AND uri = $3`,
      [userId, network, uri],
    );
    return row ?? null;
  }

  private async readable(userId: string, id: string): Promise<StoredPost> {
    const postId = parsePostId(id);
    const post = postId === null ? null : await this.access.visiblePost(userId, postId);
    if (!post) throw new AppException(AppErrorCode.NotFound, 'post not found');
    return post;
  }

  /**
   * The Mastodon instance's own bookmark, queued as an action (see `actions`). Best effort: the
   * bookmark is Tributary's either way; a mirror that cannot be queued is logged.
   */
  private async mirror(userId: string, post: StoredPost, bookmarked: boolean): Promise<void> {
    try {
      await this.actions.mirrorBookmark(userId, post, bookmarked);
    } catch (error) {
      this.logger.warn(`bookmark of post ${post.id} not mirrored: ${(error as Error).message}`);
    }
  }
}

/** A position as an opaque cursor (Mastodon's `max_id`/`min_id` carry it too). */
export function writeBookmarkCursor(row: { bookmarkedAt: Date; postId: string }): string {
  return Buffer.from(JSON.stringify({ t: row.bookmarkedAt.toISOString(), p: row.postId })).toString(
    'base64url',
  );
}

/** The position a cursor names, or null when it is not one. */
export function readBookmarkCursor(cursor: string): BookmarkPosition | null {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; p?: unknown };
    const at = typeof c.t === 'string' ? new Date(c.t) : null;
    if (at && !Number.isNaN(at.getTime()) && typeof c.p === 'string' && parsePostId(c.p) !== null)
      return { at, postId: c.p };
  } catch {
    // not a cursor
  }
  return null;
}
