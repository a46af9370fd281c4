import { UseGuards } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppErrorCode, AppException } from '../common/app.exception.js';
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
import type { AuthenticatedUser, GraphqlContext } from './auth.types.js';
import { CurrentUser } from './current-user.decorator.js';
import { Public } from './public.decorator.js';

/**
 * The caller's address, the key of the per-address login limits: Express's `req.ip`, which
 * believes X-Forwarded-For only from the proxies TRUST_PROXY names. A graphql-ws connection is
 * already logged in and has no such address to offer, so these mutations go over HTTP.
 */
function clientIp(context: GraphqlContext): string {
  const ip = context.req?.ip;
  if (!ip) throw new AppException(AppErrorCode.BadUserInput, 'sign up and log in over HTTP (POST /graphql)');
  return ip;
}

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
    @Context() context: GraphqlContext,
  ) {
    return this.auth.signUp(invite, username, password, tokenName, clientIp(context));
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Exchange username and password for a new bearer token.' })
  login(
    @Args('username') username: string,
    @Args('password') password: string,
    @Args('tokenName', { defaultValue: 'login' }) tokenName: string,
    @Context() context: GraphqlContext,
  ) {
    return this.auth.login(username, password, tokenName, clientIp(context));
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
