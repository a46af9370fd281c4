import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ActionKind } from '@tributary/core';
import type { ActionDraft } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { CreatePostInput } from './action.inputs.js';
import { ActionModel } from './action.model.js';
import { ActionsReader, MAX_ACTIONS_PAGE } from './actions-reader.service.js';
import { ActionsService } from './actions.service.js';
import type { PostActionKind } from './actions.service.js';

const ACCOUNT_ARG = {
  type: () => ID,
  nullable: true,
  description:
    "The linked account to act with; by default the user's account that saw the post on its network.",
} as const;

/** Writes return at once with a PENDING action; `action(id)` or `actionUpdated` tells how it ends. */
@Resolver(() => ActionModel)
export class ActionsResolver {
  constructor(
    private readonly reader: ActionsReader,
    private readonly writes: ActionsService,
  ) {}

  @Query(() => ActionModel, {
    nullable: true,
    description: 'One of your actions; null if there is none with this id.',
  })
  action(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.reader.byId(user.id, id);
  }

  @Query(() => [ActionModel], {
    description: `Your most recent actions, newest first (at most ${MAX_ACTIONS_PAGE}).`,
  })
  actions(
    @CurrentUser() user: AuthenticatedUser,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
  ) {
    if (first < 1 || first > MAX_ACTIONS_PAGE) {
      throw new AppException(AppErrorCode.BadUserInput, `first: must be between 1 and ${MAX_ACTIONS_PAGE}`, {
        field: 'first',
      });
    }
    return this.reader.recent(user.id, first);
  }

  @Mutation(() => ActionModel, { description: 'Like (favourite) a post you can see, on its network.' })
  like(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.onPost(user, ActionKind.Like, post, account);
  }

  @Mutation(() => ActionModel, { description: 'Take back a like.' })
  unlike(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.onPost(user, ActionKind.Unlike, post, account);
  }

  @Mutation(() => ActionModel, { description: 'Repost (boost) a post you can see, on its network.' })
  repost(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.onPost(user, ActionKind.Repost, post, account);
  }

  @Mutation(() => ActionModel, { description: 'Take back a repost.' })
  unrepost(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.onPost(user, ActionKind.Unrepost, post, account);
  }

  @Mutation(() => ActionModel, {
    description: "Reply to a post you can see, on its network (checked against that network's limits first).",
  })
  reply(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('text') text: string,
    @Args('contentWarning', { type: () => String, nullable: true }) contentWarning?: string | null,
    @Args('language', { type: () => String, nullable: true }) language?: string | null,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    const draft: ActionDraft = {
      text,
      contentWarning: contentWarning || null,
      language: language || null,
      media: [],
    };
    return this.writes.onPost(user.id, ActionKind.Reply, post, account ?? null, draft);
  }

  @Mutation(() => ActionModel, {
    description:
      "A new post quoting a Mastodon post you can see, through your account that saw it (instances of Mastodon 4.5 and later take quote posts; checked first, with the instance's limits).",
  })
  quote(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('text') text: string,
    @Args('contentWarning', { type: () => String, nullable: true }) contentWarning?: string | null,
    @Args('language', { type: () => String, nullable: true }) language?: string | null,
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    const draft: ActionDraft = {
      text,
      contentWarning: contentWarning || null,
      language: language || null,
      media: [],
    };
    return this.writes.onPost(user.id, ActionKind.Quote, post, account ?? null, draft);
  }

  @Mutation(() => ActionModel, {
    description:
      "Delete one of your own posts on its network, through the linked account that wrote it (anyone else's post is refused).",
  })
  deletePost(@CurrentUser() user: AuthenticatedUser, @Args('post', { type: () => ID }) post: string) {
    return this.writes.deletePost(user.id, post);
  }

  @Mutation(() => ActionModel, {
    description:
      "Edit one of your own Mastodon posts: its text, content warning and language (its images stay; a post with a poll cannot be edited here). Checked against the instance's limits first. Bluesky has no edits: refused.",
  })
  editPost(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('text') text: string,
    @Args('contentWarning', { type: () => String, nullable: true }) contentWarning?: string | null,
    @Args('language', { type: () => String, nullable: true }) language?: string | null,
  ) {
    const draft: ActionDraft = {
      text,
      contentWarning: contentWarning || null,
      language: language || null,
      media: [],
    };
    return this.writes.editPost(user.id, post, draft);
  }

  @Mutation(() => ActionModel, {
    description: 'Vote in the poll of a post you can see (Mastodon): `choices` are option indexes, from 0.',
  })
  vote(
    @CurrentUser() user: AuthenticatedUser,
    @Args('post', { type: () => ID }) post: string,
    @Args('choices', { type: () => [Int] }) choices: number[],
    @Args('account', ACCOUNT_ARG) account?: string | null,
  ) {
    return this.writes.vote(user.id, post, choices, account ?? null);
  }

  @Mutation(() => [ActionModel], {
    description:
      "A new post on each network in crossPostTo; every network's limits are checked first, so either all are queued or none.",
  })
  createPost(@CurrentUser() user: AuthenticatedUser, @Args('input') input: CreatePostInput) {
    const draft: ActionDraft = {
      text: input.text,
      contentWarning: input.contentWarning || null,
      language: input.language || null,
      media: (input.media ?? []).map((m) => ({
        data: m.data.replace(/\s+/g, ''),
        mimeType: m.mimeType.trim().toLowerCase(),
        altText: m.altText || null,
      })),
    };
    return this.writes.createPost(user.id, draft, input.crossPostTo, input.accounts ?? []);
  }

  private onPost(
    user: AuthenticatedUser,
    kind: PostActionKind,
    post: string,
    account: string | null | undefined,
  ) {
    return this.writes.onPost(user.id, kind, post, account ?? null, null);
  }
}
