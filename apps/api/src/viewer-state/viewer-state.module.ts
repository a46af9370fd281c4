import { Module } from '@nestjs/common';
import { PostViewerResolver } from './post-viewer.resolver.js';
import { ViewerStateService } from './viewer-state.service.js';

/** The member's own relation to posts: GraphQL's `liked`/`reposted`/`bookmarked`, the Mastodon API's flags. */
@Module({
  providers: [ViewerStateService, PostViewerResolver],
  exports: [ViewerStateService],
})
export class ViewerStateModule {}
