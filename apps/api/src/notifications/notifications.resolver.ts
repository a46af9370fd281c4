import { Args, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { NotificationKind } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { mapStream } from '../live/event-stream.js';
import { UserEventsService } from '../live/user-events.service.js';
import {
  NotificationConnectionModel,
  NotificationGroupConnectionModel,
  NotificationKindEnum,
  NotificationModel,
} from './notification.model.js';
import { MAX_NOTIFICATIONS_PAGE, NotificationsService } from './notifications.service.js';

const FIRST = {
  type: () => Int,
  defaultValue: 20,
  description: `1 to ${MAX_NOTIFICATIONS_PAGE}.`,
} as const;

@Resolver()
export class NotificationsResolver {
  constructor(
    private readonly store: NotificationsService,
    private readonly events: UserEventsService,
  ) {}

  @Query(() => NotificationConnectionModel, {
    description:
      'Notifications of all your linked accounts, merged, newest first. Keyset-paged: pass `pageInfo.endCursor` as `after`.',
  })
  notifications(
    @CurrentUser() user: AuthenticatedUser,
    @Args('first', FIRST) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('includeHidden', {
      defaultValue: false,
      description: 'Also those your mute stages hid, with why.',
    })
    includeHidden: boolean,
    @Args('kinds', { type: () => [NotificationKindEnum], nullable: true, description: 'Only these kinds.' })
    kinds: NotificationKind[] | null,
  ): Promise<NotificationConnectionModel> {
    return this.store.page(user.id, { first, after, includeHidden, kinds });
  }

  @Query(() => NotificationGroupConnectionModel, {
    description:
      'Your visible notifications grouped ("12 people liked…"): likes or reposts of one post, follows of one day. The group with the newest notification first.',
  })
  notificationGroups(
    @CurrentUser() user: AuthenticatedUser,
    @Args('first', FIRST) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<NotificationGroupConnectionModel> {
    return this.store.groups(user.id, { first, after });
  }

  @Query(() => Int, { description: 'Visible notifications after your read marker.' })
  unreadNotificationCount(@CurrentUser() user: AuthenticatedUser): Promise<number> {
    return this.store.unreadCount(user.id);
  }

  @Mutation(() => Int, {
    description:
      'Everything up to this notification (in the list order) is read. Also saved on your networks (the Mastodon `notifications` marker, Bluesky "seen"). Returns the unread count.',
  })
  markNotificationsRead(
    @CurrentUser() user: AuthenticatedUser,
    @Args('upTo', { type: () => ID }) upTo: string,
  ): Promise<number> {
    return this.store.markRead(user.id, upTo);
  }

  @Subscription(() => [NotificationModel], {
    description: 'New notifications as they arrive (hidden ones only with includeHidden).',
    resolve: (items: NotificationModel[]) => items,
  })
  async notificationReceived(
    @CurrentUser() user: AuthenticatedUser,
    @Args('includeHidden', { defaultValue: false }) includeHidden: boolean,
  ) {
    const events = await this.events.notifications(user.id);
    return mapStream(events, async (event) => {
      if (event.type !== 'notifications' || event.userId !== user.id) return null;
      const items = await this.store.byIds(user.id, event.notificationIds, includeHidden);
      return items.length > 0 ? items : null;
    });
  }
}
