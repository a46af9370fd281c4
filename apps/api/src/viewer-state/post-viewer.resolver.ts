import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { PerRequestLoaders } from '../common/per-request-loader.js';
import { PostModel } from '../posts/post.model.js';
import { NOT_ACTED, ViewerStateService } from './viewer-state.service.js';
import type { PostViewerState } from './viewer-state.service.js';

/**
 * `liked`, `reposted`, `bookmarked` on every Post: the caller's own, read for a whole page at once
 * (one query per tick of the request, whichever query or subscription returned the posts).
 */
@Resolver(() => PostModel)
export class PostViewerResolver {
  /** One loader per request context; no cache, so a long-lived subscription never reads stale state. */
  private readonly loaders = new PerRequestLoaders<string, PostViewerState>();

  constructor(private readonly states: ViewerStateService) {}

  @ResolveField(() => Boolean, {
    description: 'You liked (favourited) it, through any of your accounts; set at once by `like`.',
  })
  liked(@Parent() post: PostModel, @CurrentUser() user: AuthenticatedUser, @Context() ctx: object) {
    return this.state(post, user, ctx).then((s) => s.liked);
  }

  @ResolveField(() => Boolean, { description: 'You reposted (boosted) it, through any of your accounts.' })
  reposted(@Parent() post: PostModel, @CurrentUser() user: AuthenticatedUser, @Context() ctx: object) {
    return this.state(post, user, ctx).then((s) => s.reposted);
  }

  @ResolveField(() => Boolean, { description: 'It is in your bookmarks (`bookmarks`).' })
  bookmarked(@Parent() post: PostModel, @CurrentUser() user: AuthenticatedUser, @Context() ctx: object) {
    return this.state(post, user, ctx).then((s) => s.bookmarked);
  }

  private state(post: PostModel, user: AuthenticatedUser, ctx: object): Promise<PostViewerState> {
    const loader = this.loaders.of(ctx, async (ids) => {
      const states = await this.states.of(user.id, ids);
      return ids.map((id) => states.get(id) ?? NOT_ACTED);
    });
    return loader.load(post.id);
  }
}
