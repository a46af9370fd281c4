import { UseGuards } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AdminGuard } from './admin.guard.js';
import {
  ApiTokenModel,
  AuthPayloadModel,
  CreatedInviteModel,
  InviteModel,
  UserModel,
  UserRole,
} from './auth.models.js';
import { AuthService } from './auth.service.js';
import type { AuthenticatedUser } from './auth.types.js';
import { CurrentUser } from './current-user.decorator.js';
import { Public } from './public.decorator.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description: 'Create an account with an invite code; returns a token.',
  })
  signUp(
    @Args('invite') invite: string,
    @Args('username') username: string,
    @Args('password') password: string,
    @Args('tokenName', { defaultValue: 'sign-up' }) tokenName: string,
  ) {
    return this.auth.signUp(invite, username, password, tokenName);
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Exchange username and password for a new bearer token.' })
  login(
    @Args('username') username: string,
    @Args('password') password: string,
    @Args('tokenName', { defaultValue: 'login' }) tokenName: string,
  ) {
    return this.auth.login(username, password, tokenName);
  }

  @Query(() => UserModel)
  me(@CurrentUser() user: AuthenticatedUser) {
    return this.auth.me(user);
  }

  @Query(() => [ApiTokenModel], { description: "The caller's tokens, newest first." })
  tokens(@CurrentUser() user: AuthenticatedUser) {
    return this.auth.listTokens(user);
  }

  @Mutation(() => ApiTokenModel, { description: 'Revoke one of your tokens (also the current one).' })
  revokeToken(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.auth.revokeToken(user, id);
  }

  @UseGuards(AdminGuard)
  @Mutation(() => CreatedInviteModel, { description: 'Administrators: create an invite code.' })
  createInvite(
    @CurrentUser() user: AuthenticatedUser,
    @Args('role', { type: () => UserRole, defaultValue: UserRole.MEMBER }) role: UserRole,
  ) {
    return this.auth.createInvite(user, role);
  }

  @UseGuards(AdminGuard)
  @Query(() => [InviteModel], { description: 'Administrators: all invites of the instance.' })
  invites() {
    return this.auth.listInvites();
  }
}
