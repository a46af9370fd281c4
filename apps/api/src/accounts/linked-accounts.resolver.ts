import { Args, ID, Mutation, ObjectType, Field, Query, Resolver } from '@nestjs/graphql';
import { AccountsService } from '@tributary/accounts';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { AddSourceInput } from './link-account.inputs.js';
import { LinkedAccountModel, SourceModel } from './linked-account.model.js';
import { LinkedAccountsService } from './linked-accounts.service.js';
import { SourcesService } from './sources.service.js';

@ObjectType('MastodonAuthorization')
class MastodonAuthorizationModel {
  @Field({ description: 'Send the user here; the instance then shows or redirects with a code.' })
  authorizeUrl!: string;
  @Field({ description: 'Echoed back by the instance on redirect; compare it to prevent CSRF.' })
  state!: string;
}

@ObjectType('BlueskyAuthorization')
class BlueskyAuthorizationModel {
  @Field({
    description:
      "Send the member here: their own server's sign-in and consent page. It then redirects to " +
      '/oauth/bluesky/callback with the parameters completeBlueskyLink takes.',
  })
  authorizeUrl!: string;
}

@Resolver(() => LinkedAccountModel)
export class LinkedAccountsResolver {
  constructor(
    private readonly accounts: LinkedAccountsService,
    private readonly linking: AccountsService,
    private readonly sources: SourcesService,
  ) {}

  @Query(() => [LinkedAccountModel], { description: "The caller's network accounts with sync status." })
  linkedAccounts(@CurrentUser() user: AuthenticatedUser) {
    return this.accounts.list(user.id);
  }

  @Mutation(() => LinkedAccountModel, {
    description: 'Link a Bluesky account with an app password; its home timeline starts flowing in.',
  })
  async linkBlueskyAccount(
    @CurrentUser() user: AuthenticatedUser,
    @Args('identifier', { description: 'Handle, DID or email.' }) identifier: string,
    @Args('appPassword') appPassword: string,
    @Args('service', {
      nullable: true,
      type: () => String,
      description: 'PDS or entryway; default https://bsky.social',
    })
    service?: string | null,
  ) {
    const account = await this.linking.linkBluesky(user.id, { service, identifier, appPassword });
    return this.accounts.get(user.id, account.id);
  }

  @Mutation(() => LinkedAccountModel, {
    description: 'Link a Mastodon account with a personal access token.',
  })
  async linkMastodonAccount(
    @CurrentUser() user: AuthenticatedUser,
    @Args('instance') instance: string,
    @Args('accessToken') accessToken: string,
  ) {
    const account = await this.linking.linkMastodonToken(user.id, { instance, accessToken });
    return this.accounts.get(user.id, account.id);
  }

  @Mutation(() => MastodonAuthorizationModel, {
    description: "Start linking a Mastodon account through the instance's OAuth.",
  })
  startMastodonLink(@CurrentUser() user: AuthenticatedUser, @Args('instance') instance: string) {
    return this.linking.startMastodonLink(user.id, instance);
  }

  @Mutation(() => LinkedAccountModel, {
    description: 'Finish the OAuth link with the code the instance gave.',
  })
  async completeMastodonLink(
    @CurrentUser() user: AuthenticatedUser,
    @Args('state', { description: 'The `state` startMastodonLink returned (and the instance echoed).' })
    state: string,
    @Args('code') code: string,
  ) {
    const account = await this.linking.completeMastodonLink(user.id, { state, code });
    return this.accounts.get(user.id, account.id);
  }

  @Mutation(() => BlueskyAuthorizationModel, {
    description:
      'Start linking a Bluesky account with "sign in with Bluesky" (atproto OAuth). Also the way back ' +
      'for an account whose status is NEEDS_REAUTH: start again with its handle.',
  })
  startBlueskyLink(
    @CurrentUser() user: AuthenticatedUser,
    @Args('identifier', { description: 'Handle, DID, or the URL of a PDS or entryway (bsky.social).' })
    identifier: string,
  ) {
    return this.linking.startBlueskyLink(user.id, identifier);
  }

  @Mutation(() => LinkedAccountModel, {
    description: 'Finish linking a Bluesky account after the member consented on their server.',
  })
  async completeBlueskyLink(
    @CurrentUser() user: AuthenticatedUser,
    @Args('callback', {
      description:
        'Where the server sent the browser back: the callback URL, or its query string (code, state, iss).',
    })
    callback: string,
  ) {
    const account = await this.linking.completeBlueskyLink(user.id, callback);
    return this.accounts.get(user.id, account.id);
  }

  @Mutation(() => SourceModel, {
    description:
      "Add a feed, list, author or hashtag of a linked account as a source. A feed or list is checked on its network first: one it does not have, or a kind the network has none of (a Bluesky hashtag), is BAD_USER_INPUT saying why, and its name there is the source's displayName unless you give one.",
  })
  async addSource(@CurrentUser() user: AuthenticatedUser, @Args('input') input: AddSourceInput) {
    const externalId = input.externalId.trim();
    if (!externalId)
      throw new AppException(AppErrorCode.BadUserInput, 'externalId: required', { field: 'externalId' });
    const source = await this.sources.add(
      user.id,
      input.accountId,
      input.kind,
      externalId,
      input.displayName?.trim() || null,
    );
    return {
      ...source,
      backfill: { state: source.backfillState, done: source.backfillDone, target: source.backfillTarget },
    };
  }

  @Mutation(() => Boolean, {
    description:
      'Remove a source (a feed, list, author or hashtag; a home timeline goes with its account). Its posts leave your timelines: each one no other source of yours brought is hidden as "source removed" (shown with includeHidden until the next rebuild); bookmarked posts stay in your bookmarks.',
  })
  removeSource(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.sources.remove(user.id, id);
  }

  @Mutation(() => Boolean)
  unlinkAccount(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.accounts.unlink(user.id, id);
  }
}
