import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { BookmarksResolver } from './bookmarks.resolver.js';
import { BookmarksService } from './bookmarks.service.js';

/** The member's bookmarks across both networks: GraphQL's and the Mastodon API's. */
@Module({
  imports: [PostsModule, ActionsModule],
  providers: [BookmarksService, BookmarksResolver],
  exports: [BookmarksService],
})
export class BookmarksModule {}
