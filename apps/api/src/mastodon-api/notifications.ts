import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import type { PageParams } from './pagination.js';

export interface NotificationPage {
  notifications: Record<string, unknown>[];
  link: string | null;
}

/**
 * The member's merged notifications as Mastodon Notification entities. A port: the client surface
 * (issue 19) ingests notifications; its provider replaces this one, which has none to give.
 */
export abstract class MastodonNotifications {
  abstract page(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<NotificationPage>;
  abstract clear(user: AuthenticatedUser): Promise<void>;
}

@Injectable()
export class NoNotifications extends MastodonNotifications {
  page(): Promise<NotificationPage> {
    return Promise.resolve({ notifications: [], link: null });
  }

  clear(): Promise<void> {
    return Promise.resolve();
  }
}
