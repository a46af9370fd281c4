import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { PostModel } from '../posts/post.model.js';
import { BookmarkConnectionModel } from './bookmark.model.js';
import { BookmarksService, MAX_BOOKMARKS_PAGE } from './bookmarks.service.js';

/** Bookmarks take effect at once (they are Tributary's); a Mastodon post's mirror is a queued action. */
@Resolver()
export class BookmarksResolver {
  constructor(private readonly store: BookmarksService) {}

  @Query(() => BookmarkConnectionModel, {
    description:
      'Posts you bookmarked, on both networks, newest bookmark first. Keyset-paged: pass `pageInfo.endCursor` as `after`. A post deleted at its origin leaves the list.',
  })
  bookmarks(
    @CurrentUser() user: AuthenticatedUser,
    @Args('first', { type: () => Int, defaultValue: 20, description: `1 to ${MAX_BOOKMARKS_PAGE}.` })
    first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<BookmarkConnectionModel> {
    return this.store.page(user.id, { first, after: after ?? null });
  }

  @Mutation(() => PostModel, {
    description:
      'Bookmark a post you can see (either network): kept by Tributary, so `bookmarked` is true at once; a Mastodon post is also bookmarked on your instance (a BOOKMARK action). Bluesky has no bookmarks for other apps to keep.',
  })
  bookmark(@CurrentUser() user: AuthenticatedUser, @Args('post', { type: () => ID }) post: string) {
    return this.store.bookmark(user.id, post);
  }

  @Mutation(() => PostModel, {
    description: 'Take a bookmark back (and on your Mastodon instance for a Mastodon post).',
  })
  unbookmark(@CurrentUser() user: AuthenticatedUser, @Args('post', { type: () => ID }) post: string) {
    return this.store.unbookmark(user.id, post);
  }
}
