import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('PublishedFeed', {
  description: 'A pipeline published as a Bluesky custom feed, shown in the Bluesky app to its owner only.',
})
export class PublishedFeedModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) pipelineId!: string;
  @Field(() => ID, { description: 'The linked Bluesky account whose repo holds the feed record.' })
  linkedAccountId!: string;
  @Field({ description: 'at://<account DID>/app.bsky.feed.generator/<rkey>' }) uri!: string;
  @Field({ description: 'Where to open (and pin) it: its bsky.app page.' }) webUrl!: string;
  @Field() displayName!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType('FeedInteraction', {
  description:
    'What the Bluesky app sent back about an item of a published feed ("show less like this", "seen"…).',
})
export class FeedInteractionModel {
  @Field(() => ID) id!: string;
  @Field({ description: 'The Bluesky post it is about (at:// URI).' }) postUri!: string;
  @Field(() => ID, { nullable: true, description: 'The timeline entry that served it.' }) entryId!:
    string | null;
  @Field({ description: '`requestLess`, `requestMore`, `interactionSeen`, `interactionLike`…' })
  event!: string;
  @Field() at!: Date;
}
