import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { BookmarksService, readBookmarkCursor, writeBookmarkCursor } from '../bookmarks/bookmarks.service.js';
import type { BookmarkPosition } from '../bookmarks/bookmarks.service.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import { parsePostKey, reblogPostKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { linkHeader, pageLimit, param } from './pagination.js';
import type { PageParams } from './pagination.js';
import { StatusPresenter } from './status-presenter.service.js';
import type { StatusPage } from './timelines.service.js';

/** Bookmarks, by Post id: the member's, kept by Tributary for both networks. */
export abstract class Bookmarks {
  abstract set(userId: string, postId: string, bookmarked: boolean): Promise<void>;
  /** A page of `/api/v1/bookmarks`, newest bookmark first, with its `Link` header. */
  abstract page(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<StatusPage>;
}

/** A bound the member's bookmarks do not hold: nothing is below it. */
const UNKNOWN = 'unknown';

/**
 * GraphQL's bookmarks (BookmarksService: the same rows and order) in the Mastodon API, paged by an
 * opaque cursor in `max_id`/`min_id` as Mastodon pages bookmarks by its own internal ids; a status
 * id of a bookmarked post works as a bound too.
 */
@Injectable()
export class MemberBookmarks extends Bookmarks {
  constructor(
    private readonly bookmarks: BookmarksService,
    private readonly ids: MastodonIds,
    private readonly presenter: StatusPresenter,
  ) {
    super();
  }

  async set(userId: string, postId: string, bookmarked: boolean): Promise<void> {
    if (bookmarked) await this.bookmarks.bookmark(userId, postId);
    else await this.bookmarks.unbookmark(userId, postId);
  }

  async page(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<StatusPage> {
    const limit = pageLimit(params.limit);
    const minId = param(params.min_id);
    const below = await this.bound(user.id, param(params.max_id));
    const above = await this.bound(user.id, minId ?? param(params.since_id));
    if (below === UNKNOWN) return { statuses: [], link: null };
    const rows = await this.bookmarks.window(user.id, {
      limit,
      below,
      above: above === UNKNOWN ? null : above,
      fromBottom: minId !== null && above !== null && above !== UNKNOWN,
    });
    const statuses = await this.presenter.statuses(
      user.id,
      rows.map((r) => ({ postId: r.postId, post: r.data, reason: null })),
      ctx,
    );
    const first = rows[0];
    const last = rows.at(-1);
    const link = linkHeader(
      url,
      limit,
      first && writeBookmarkCursor(first),
      last && writeBookmarkCursor(last),
    );
    return { statuses, link };
  }

  /** A cursor of ours, or the status id of a bookmarked post. */
  private async bound(
    userId: string,
    value: string | null,
  ): Promise<BookmarkPosition | null | typeof UNKNOWN> {
    if (value === null) return null;
    const position = readBookmarkCursor(value);
    if (position) return position;
    const named = await this.ids.resolve(value);
    const key =
      named?.kind === 'POST' ? named.key : named?.kind === 'REBLOG' ? reblogPostKey(named.key) : null;
    const post = key ? parsePostKey(key) : null;
    return (post && (await this.bookmarks.position(userId, post.network, post.uri))) ?? UNKNOWN;
  }
}
