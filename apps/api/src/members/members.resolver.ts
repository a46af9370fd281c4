import { UseGuards } from '@nestjs/common';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminGuard } from '../auth/admin.guard.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { PerRequestLoaders } from '../common/per-request-loader.js';
import { JSONScalar } from '../pipelines/json.scalar.js';
import { InstanceStatsModel, MemberModel, SourceHealthModel } from './members.models.js';
import { MembersService } from './members.service.js';
import { MyDataService } from './my-data.service.js';

@Resolver()
export class MembersResolver {
  constructor(
    private readonly service: MembersService,
    private readonly myData: MyDataService,
  ) {}

  @UseGuards(AdminGuard)
  @Query(() => [MemberModel], { description: 'Administrators: every member, with their status.' })
  members() {
    return this.service.list();
  }

  @UseGuards(AdminGuard)
  @Mutation(() => MemberModel, {
    description:
      'Administrators: suspend a member (their tokens are revoked and logging in is refused) or, with `suspended: false`, reinstate them.',
  })
  suspendMember(
    @CurrentUser() user: AuthenticatedUser,
    @Args('member', { type: () => ID }) member: string,
    @Args('suspended', { defaultValue: true }) suspended: boolean,
  ) {
    return this.service.suspend(user.id, member, suspended);
  }

  @UseGuards(AdminGuard)
  @Mutation(() => Boolean, { description: 'Administrators: delete a member and all their data.' })
  deleteMember(@CurrentUser() user: AuthenticatedUser, @Args('member', { type: () => ID }) member: string) {
    return this.service.delete(user.id, member);
  }

  @UseGuards(AdminGuard)
  @Query(() => InstanceStatsModel, { description: 'Administrators: the instance in numbers.' })
  instanceStats() {
    return this.service.stats();
  }

  @UseGuards(AdminGuard)
  @Query(() => [SourceHealthModel], {
    description: "Administrators: a member's sources, which are stale and why (why a timeline is not fresh).",
  })
  memberSyncHealth(@Args('member', { type: () => ID }) member: string) {
    return this.service.syncHealth(member);
  }

  @Query(() => JSONScalar, {
    description:
      'Everything of yours as JSON: linked accounts (without credentials), pipelines with their versions and read positions, plugins, published feeds, actions, feedback and tokens (without secrets).',
  })
  exportMyData(@CurrentUser() user: AuthenticatedUser) {
    return this.myData.export(user.id);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes your account and every row of your data, for good. Asks for your password.',
  })
  deleteMyAccount(@CurrentUser() user: AuthenticatedUser, @Args('password') password: string) {
    return this.myData.deleteAccount(user.id, password);
  }
}

/**
 * `Member.syncHealth`: every listed member's sources read in one query, not one request per
 * member. Only administrators' queries return a Member, so the field needs no guard of its own.
 */
@Resolver(() => MemberModel)
export class MemberHealthResolver {
  /** One loader per request context: the members of one response, batched. */
  private readonly loaders = new PerRequestLoaders<string, SourceHealthModel[]>();

  constructor(private readonly service: MembersService) {}

  @ResolveField(() => [SourceHealthModel], {
    description: 'Their sources, which are stale and why (as `memberSyncHealth`).',
  })
  syncHealth(@Parent() member: MemberModel, @Context() ctx: object) {
    const loader = this.loaders.of(ctx, async (ids) => {
      const health = await this.service.syncHealthOf(ids);
      return ids.map((id) => health.get(id) ?? []);
    });
    return loader.load(member.id);
  }
}
