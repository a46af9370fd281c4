import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { PostAccessService } from './post-access.service.js';
import { parsePostId } from './post-id.js';
import { PostModel, toPostModel } from './post.model.js';
import { ThreadModel } from './thread.model.js';
import { ThreadService } from './thread.service.js';

@Resolver()
export class PostsResolver {
  constructor(
    private readonly access: PostAccessService,
    private readonly threads: ThreadService,
  ) {}

  @Query(() => PostModel, {
    nullable: true,
    description:
      'A stored post the caller has seen: through their sources, their timelines or a thread they opened. Anything else is NOT_FOUND.',
  })
  async post(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<PostModel> {
    const postId = parsePostId(id);
    const post = postId === null ? null : await this.access.visiblePost(user.id, postId);
    if (!post) throw new AppException(AppErrorCode.NotFound, 'post not found');
    return toPostModel(post.id, post.data);
  }

  @Query(() => ThreadModel, {
    description:
      "A post's conversation (ancestors and replies), fetched from its network through the caller's linked account on it and cached briefly. " +
      "NOT_FOUND when the post is not the caller's to see or was deleted; UPSTREAM_UNAVAILABLE / RATE_LIMITED when the network fails and nothing is cached.",
  })
  thread(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ThreadModel> {
    const postId = parsePostId(id);
    if (postId === null) throw new AppException(AppErrorCode.NotFound, 'post not found');
    return this.threads.thread(user.id, postId);
  }
}
