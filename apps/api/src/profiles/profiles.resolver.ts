import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RelationshipChange } from '@tributary/core';
import { ActionModel } from '../actions/action.model.js';
import { ActionsService } from '../actions/actions.service.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { actorNetwork } from './actor.js';
import { AuthorPostsPageModel, ProfileModel } from './profile.model.js';
import { MAX_AUTHOR_POSTS, ProfilesService } from './profiles.service.js';

const ACCOUNT_ARG = {
  type: () => ID,
  nullable: true,
  description:
    "The linked account to read or act through; by default your oldest usable one on the person's network.",
} as const;
const AUTHOR_ARG = {
  description:
    'Whom: a DID or handle (alice.bsky.social) on Bluesky, an account URI or handle (alice@example.social) on Mastodon.',
} as const;

/** Profiles and relationships; reads go to the network now, writes are queued actions. */
@Resolver()
export class ProfilesResolver {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly actions: ActionsService,
  ) {}

  @Query(() => ProfileModel, {
    description:
      "Someone's profile, from their network through your linked account there: bio, avatar, banner, counts and how that account stands with them. Name them by `id` (an author's networkId) or `handle`.",
  })
  author(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', {
      type: () => String,
      nullable: true,
      description: "An author's networkId (DID or account URI).",
    })
    id?: string | null,
    @Args('handle', {
      type: () => String,
      nullable: true,
      description: 'alice.bsky.social or alice@example.social.',
    })
    handle?: string | null,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    if (!id === !handle)
      throw new AppException(AppErrorCode.BadUserInput, 'author: give either id or handle', { field: 'id' });
    return this.profiles.profile(user.id, (id ?? handle)!, id ? 'id' : 'handle', account ?? null);
  }

  @Query(() => AuthorPostsPageModel, {
    description:
      "Someone's posts and reposts, newest first, from their network through your linked account there.",
  })
  authorPosts(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('first', { type: () => Int, defaultValue: 20, description: `1 to ${MAX_AUTHOR_POSTS}.` })
    first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.profiles.posts(user.id, author, account ?? null, after ?? null, first);
  }

  @Mutation(() => ActionModel, { description: 'Follow someone on their network.' })
  follow(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Follow, author, account);
  }

  @Mutation(() => ActionModel, { description: 'Stop following someone.' })
  unfollow(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Unfollow, author, account);
  }

  @Mutation(() => ActionModel, { description: 'Mute someone on their network (they are not told).' })
  mute(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Mute, author, account);
  }

  @Mutation(() => ActionModel, { description: 'Take back a mute.' })
  unmute(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Unmute, author, account);
  }

  @Mutation(() => ActionModel, { description: 'Block someone on their network.' })
  block(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Block, author, account);
  }

  @Mutation(() => ActionModel, { description: 'Take back a block.' })
  unblock(
    @CurrentUser() user: AuthenticatedUser,
    @Args('author', AUTHOR_ARG) author: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.relate(user, RelationshipChange.Unblock, author, account);
  }

  private relate(
    user: AuthenticatedUser,
    change: RelationshipChange,
    author: string,
    account: string | null | undefined,
  ) {
    return this.actions.relate(user.id, change, author, actorNetwork(author, 'author'), account ?? null);
  }
}
