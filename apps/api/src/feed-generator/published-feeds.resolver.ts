import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { FeedInteractionModel, PublishedFeedModel } from './published-feed.model.js';
import { PublishedFeedsService } from './published-feeds.service.js';

@Resolver()
export class PublishedFeedsResolver {
  constructor(private readonly feeds: PublishedFeedsService) {}

  @Query(() => [PublishedFeedModel], { description: 'Your pipelines published as Bluesky feeds.' })
  publishedFeeds(@CurrentUser() user: AuthenticatedUser): Promise<PublishedFeedModel[]> {
    return this.feeds.list(user.id);
  }

  @Mutation(() => PublishedFeedModel, {
    description:
      "Publishes a pipeline as a Bluesky custom feed (an `app.bsky.feed.generator` record written through your linked Bluesky account, answered by this instance). Pinned in the Bluesky app, it shows that account the pipeline's visible items; anyone else sees a placeholder. Again for the same pipeline and account: renames it.",
  })
  publishFeed(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('account', { type: () => ID, description: 'A linked Bluesky account.' }) account: string,
    @Args('displayName', { description: 'At most 24 characters.' }) displayName: string,
    @Args('description', { type: () => String, nullable: true, description: 'At most 300 characters.' })
    description: string | null,
  ): Promise<PublishedFeedModel> {
    return this.feeds.publish(user.id, { pipeline, account, displayName, description });
  }

  @Mutation(() => Boolean, { description: 'Deletes the feed record from Bluesky; the feed stops answering.' })
  unpublishFeed(
    @CurrentUser() user: AuthenticatedUser,
    @Args('feed', { type: () => ID }) feed: string,
  ): Promise<boolean> {
    return this.feeds.unpublish(user.id, feed);
  }

  @Query(() => [FeedInteractionModel], {
    description: "What the Bluesky app sent back about your pipeline's feed items, newest first.",
  })
  feedInteractions(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('first', { type: () => Int, defaultValue: 50, description: '1 to 100.' }) first: number,
  ): Promise<FeedInteractionModel[]> {
    return this.feeds.interactions(user.id, pipeline, first);
  }
}
