import { UseGuards } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { FilterListFormat } from '@tributary/db';
import { AdminGuard } from '../auth/admin.guard.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { PipelineModel } from '../pipelines/pipeline.model.js';
import { toPipelineModel } from '../pipelines/pipelines.service.js';
import {
  FilterActionModel,
  FilterListFormatModel,
  FilterListModel,
  FilterListSubscriptionModel,
  toFilterListModel,
} from './filter-list.model.js';
import { canonicalException, FilterListsApiService } from './filter-lists.service.js';

@Resolver(() => PipelineModel)
export class FilterListsResolver {
  constructor(private readonly service: FilterListsApiService) {}

  @ResolveField(() => [FilterListSubscriptionModel], {
    description: 'The filter lists this pipeline subscribes to, with their status.',
  })
  filterLists(@Parent() pipeline: PipelineModel) {
    // The parent was already read for the caller, so it is theirs.
    return this.service.subscriptions(pipeline);
  }

  @Mutation(() => PipelineModel, {
    description:
      'Subscribes a pipeline to a filter list: an https URL (Tributary format by default, or a Mastodon CSV export) or the at:// URI of a Bluesky list. A list new to the instance is fetched now (a refused or failed fetch is the error); the pipeline gets a new version and is rebuilt. Subscribing again changes the action.',
  })
  async subscribeFilterList(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('source') source: string,
    @Args('format', { type: () => FilterListFormatModel, nullable: true })
    format?: FilterListFormatModel | null,
    @Args('action', { type: () => FilterActionModel, nullable: true }) action?: FilterActionModel | null,
  ) {
    return toPipelineModel(
      await this.service.subscribe(
        user.id,
        pipeline,
        source,
        (format ?? null) as FilterListFormat | null,
        action ?? FilterActionModel.HIDE,
      ),
    );
  }

  @Mutation(() => PipelineModel, {
    description: 'Removes a filter list from a pipeline (a new version, rebuilt).',
  })
  async unsubscribeFilterList(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('list', { type: () => ID }) list: string,
  ) {
    return toPipelineModel(await this.service.unsubscribe(user.id, pipeline, list));
  }

  @Mutation(() => PipelineModel, {
    description:
      'Excepts an author (a DID, user@instance, handle or actor URI) or an entry (as a list writes it, or as a hidden post\'s reason names it: `account @spam@example.social`, `word "x"`, `tag #ai`) from the filter-list stage that holds `list`: the author passes every list of that stage, the entry never matches. Exactly one of `author` and `entry`. The pipeline gets a new version and is rebuilt; excepting what is already excepted changes nothing.',
  })
  async addFilterListException(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('list', { type: () => ID }) list: string,
    @Args('author', { type: () => String, nullable: true }) author?: string | null,
    @Args('entry', { type: () => String, nullable: true }) entry?: string | null,
  ) {
    const exception = canonicalException({ author, entry });
    return toPipelineModel(await this.service.except(user.id, pipeline, list, exception, false));
  }

  @Mutation(() => PipelineModel, {
    description:
      'Removes an exception addFilterListException made (the same author or entry, in any of its spellings): a new version, rebuilt.',
  })
  async removeFilterListException(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('list', { type: () => ID }) list: string,
    @Args('author', { type: () => String, nullable: true }) author?: string | null,
    @Args('entry', { type: () => String, nullable: true }) entry?: string | null,
  ) {
    const exception = canonicalException({ author, entry });
    return toPipelineModel(await this.service.except(user.id, pipeline, list, exception, true));
  }

  @Query(() => [FilterListModel], {
    description:
      "The filter lists the instance's admin offers to every member (subscribe with subscribeFilterList).",
  })
  async offeredFilterLists() {
    return (await this.service.offered()).map(toFilterListModel);
  }

  @UseGuards(AdminGuard)
  @Mutation(() => FilterListModel, {
    description:
      "Admin: offers a filter list to every member; new members' default pipeline subscribes to it.",
  })
  async offerFilterList(
    @Args('source') source: string,
    @Args('format', { type: () => FilterListFormatModel, nullable: true })
    format?: FilterListFormatModel | null,
    @Args('action', { type: () => FilterActionModel, nullable: true }) action?: FilterActionModel | null,
  ) {
    return toFilterListModel(
      await this.service.offer(
        source,
        (format ?? null) as FilterListFormat | null,
        action ?? FilterActionModel.HIDE,
      ),
    );
  }

  @UseGuards(AdminGuard)
  @Mutation(() => Boolean, {
    description: 'Admin: stops offering a filter list (subscribed pipelines keep it).',
  })
  withdrawFilterList(@Args('list', { type: () => ID }) list: string) {
    return this.service.withdraw(list);
  }
}
