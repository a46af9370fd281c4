import { Module } from '@nestjs/common';
import type { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { ActionsModule } from '../actions/actions.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { LiveModule } from '../live/live.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { TimelineModule } from '../timeline/timeline.module.js';
import { AccountsController } from './accounts.controller.js';
import { BookmarksModule } from '../bookmarks/bookmarks.module.js';
import { Bookmarks, MemberBookmarks } from './bookmarks.js';
import { mastodonCors } from './cors.middleware.js';
import { DiscoveryController } from './discovery.controller.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { MastodonAccounts } from './mastodon-accounts.service.js';
import { MastodonAuthGuard } from './mastodon-auth.guard.js';
import { MastodonContext } from './mastodon-context.js';
import { MastodonLists } from './mastodon-lists.service.js';
import { MastodonMarkers } from './mastodon-markers.service.js';
import { MastodonMediaStore } from './mastodon-media.service.js';
import { MastodonStatuses } from './mastodon-statuses.service.js';
import { MastodonNotifications, MemberNotifications } from './notifications.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { ProfilesController } from './profiles.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { StatusPresenter } from './status-presenter.service.js';
import { StatusesController } from './statuses.controller.js';
import { MastodonStreaming } from './streaming/mastodon-streaming.service.js';
import { StreamingController } from './streaming/streaming.controller.js';
import { StubsController } from './stubs.controller.js';
import { TimelinesController } from './timelines.controller.js';
import { MastodonTimelines } from './timelines.service.js';
import { MemberViewerStates, ViewerStates } from './viewer-state.js';
import { ViewerStateModule } from '../viewer-state/viewer-state.module.js';

/**
 * The Mastodon client API (INTEROP.md §4): existing Mastodon apps log in to Tributary with OAuth and
 * read the member's merged timeline (home) and pipelines (lists), from the same entries and through
 * the same services as GraphQL. Viewer state, bookmarks and notifications are ports the client
 * surface provides (served from its viewer state, bookmarks and notifications services).
 */
@Module({
  imports: [
    AuthModule,
    AccountsModule,
    PostsModule,
    ActionsModule,
    ProfilesModule,
    TimelineModule,
    LiveModule,
    ViewerStateModule,
    NotificationsModule,
    BookmarksModule,
  ],
  controllers: [
    OAuthController,
    DiscoveryController,
    TimelinesController,
    StatusesController,
    ProfilesController,
    AccountsController,
    StreamingController,
    StubsController,
  ],
  providers: [
    OAuthService,
    MastodonAuthGuard,
    MastodonContext,
    MastodonIds,
    StatusPresenter,
    MastodonTimelines,
    MastodonLists,
    MastodonStatuses,
    MastodonMediaStore,
    MastodonAccounts,
    MastodonMarkers,
    MastodonStreaming,
    { provide: ViewerStates, useClass: MemberViewerStates },
    { provide: Bookmarks, useClass: MemberBookmarks },
    MemberNotifications,
    { provide: MastodonNotifications, useExisting: MemberNotifications },
  ],
})
export class MastodonApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(mastodonCors).forRoutes('{*path}');
  }
}
