import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { LinkedAccountModel } from './linked-account.model.js';
import { LinkedAccountsService } from './linked-accounts.service.js';

@Resolver(() => LinkedAccountModel)
export class LinkedAccountsResolver {
  constructor(private readonly accounts: LinkedAccountsService) {}

  @Query(() => [LinkedAccountModel], { description: "The caller's network accounts with sync status." })
  linkedAccounts(@CurrentUser() user: AuthenticatedUser) {
    return this.accounts.list(user.id);
  }

  @Mutation(() => Boolean)
  unlinkAccount(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.accounts.unlink(user.id, id);
  }
}
