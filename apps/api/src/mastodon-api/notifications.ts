import { Injectable } from '@nestjs/common';
import type { Author, NotificationKind, Post } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import type { NotificationModel } from '../notifications/notification.model.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { Position } from '../notifications/notifications.service.js';
import { accountRequest, toAccount } from './entities/mastodon-entities.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { snowflakeTime } from './ids/snowflake.js';
import { linkHeader, pageLimit, param } from './pagination.js';
import type { PageParams } from './pagination.js';
import { StatusPresenter } from './status-presenter.service.js';

export interface NotificationPage {
  notifications: Record<string, unknown>[];
  link: string | null;
}

/** The member's merged notifications as Mastodon Notification entities. */
export abstract class MastodonNotifications {
  abstract page(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<NotificationPage>;
  /** The member's notifications among `ids` (Tributary's own, as live events carry them). */
  abstract live(
    user: AuthenticatedUser,
    ids: readonly string[],
    ctx: EntityContext,
  ): Promise<Record<string, unknown>[]>;
  /** Dismisses one of the member's notifications, named by its Mastodon id; 404 when not theirs. */
  abstract dismiss(user: AuthenticatedUser, id: string): Promise<void>;
  /** Marks every notification of the member read and dismisses them. */
  abstract clear(user: AuthenticatedUser): Promise<void>;
}

/** Mastodon's word for each kind (a reply is a mention there). */
const TYPE: Record<NotificationKind, string> = {
  MENTION: 'mention',
  REPLY: 'mention',
  QUOTE: 'quote',
  LIKE: 'favourite',
  REPOST: 'reblog',
  FOLLOW: 'follow',
  FOLLOW_REQUEST: 'follow_request',
  POLL_ENDED: 'poll',
  EDIT: 'update',
  POST: 'status',
};
const MAX_NOTIFICATIONS = 80;
/** An id of ours bounds by its time alone when it names no notification of the member. */
const LAST_ID = (2n ** 63n - 1n).toString();

/**
 * GraphQL's notifications (NotificationsService: the same rows, mute verdicts and order) in the
 * Mastodon API: Tributary ids from the MastodonId table, paged by `max_id`/`since_id`/`min_id`.
 */
@Injectable()
export class MemberNotifications extends MastodonNotifications {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly ids: MastodonIds,
    private readonly presenter: StatusPresenter,
  ) {
    super();
  }

  async page(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<NotificationPage> {
    const limit = pageLimit(params.limit, MAX_NOTIFICATIONS);
    const minId = param(params.min_id);
    const below = await this.bound(user.id, param(params.max_id), 'below');
    const above = await this.bound(user.id, minId ?? param(params.since_id), 'above');
    const rows = await this.notifications.window(user.id, {
      limit,
      below,
      above,
      fromBottom: minId !== null && above !== null,
    });
    const notifications = await this.entities(user.id, rows, ctx);
    const first = notifications[0]?.['id'] as string | undefined;
    const last = notifications.at(-1)?.['id'] as string | undefined;
    return { notifications, link: linkHeader(url, limit, first, last) };
  }

  /** Notifications as entities: ids in one round trip, statuses through the presenter. */
  async entities(
    userId: string,
    rows: readonly (NotificationModel & { postData: Omit<Post, 'raw'> | null })[],
    ctx: EntityContext,
  ): Promise<Record<string, unknown>[]> {
    const ids = await this.ids.ids(
      rows.flatMap((n) => [
        { kind: 'NOTIFICATION' as const, key: n.id, at: n.createdAt.getTime() },
        accountRequest(n.actor as Author),
      ]),
    );
    const withPost = rows.flatMap((n) =>
      n.post && n.postData ? [{ n, postId: n.post.id, data: n.postData }] : [],
    );
    const statuses = await this.presenter.statuses(
      userId,
      withPost.map((w) => ({ postId: w.postId, post: w.data, reason: null })),
      ctx,
    );
    const statusOf = new Map(withPost.map((w, i) => [w.n.id, statuses[i]!]));
    return rows.map((n) => ({
      id: ids.get('NOTIFICATION', n.id),
      type: TYPE[n.kind],
      created_at: n.createdAt.toISOString(),
      group_key: n.groupKey,
      account: toAccount(n.actor as Author, ids, ctx),
      status: statusOf.get(n.id) ?? null,
    }));
  }

  async live(
    user: AuthenticatedUser,
    ids: readonly string[],
    ctx: EntityContext,
  ): Promise<Record<string, unknown>[]> {
    return this.entities(user.id, await this.notifications.byIds(user.id, ids, false), ctx);
  }

  async dismiss(user: AuthenticatedUser, id: string): Promise<void> {
    const named = await this.ids.resolve(id);
    const dismissed =
      named?.kind === 'NOTIFICATION' && (await this.notifications.dismiss(user.id, named.key));
    if (!dismissed) throw new AppException(AppErrorCode.NotFound, 'Record not found');
  }

  clear(user: AuthenticatedUser): Promise<void> {
    return this.notifications.clear(user.id);
  }

  /** A `max_id`/`since_id`/`min_id`: the notification it names, else the time an id of ours carries. */
  private async bound(
    userId: string,
    value: string | null,
    side: 'below' | 'above',
  ): Promise<Position | null> {
    if (value === null) return null;
    const named = await this.ids.resolve(value);
    if (named?.kind === 'NOTIFICATION') {
      const position = await this.notifications.position(userId, named.key);
      if (position) return position;
    }
    const at = snowflakeTime(value);
    if (at === null) return side === 'below' ? { at: new Date(0), id: '0' } : null;
    return { at: new Date(at), id: side === 'below' ? '0' : LAST_ID };
  }
}
