// A timeline page as a Relay connection: edges carry opaque keyset cursors, nodes are the items.
import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { DecisionModel, SeenInModel } from '../posts/decision.model.js';
import { PostModel, RepostReasonModel } from '../posts/post.model.js';

@ObjectType('TimelineItem', {
  description: "A post's place in one pipeline's timeline, with why it is there.",
})
export class TimelineItemModel {
  @Field(() => ID, { description: 'The timeline entry id.' }) id!: string;
  @Field(() => ID) pipelineId!: string;
  @Field(() => PostModel) post!: PostModel;
  @Field(() => RepostReasonModel, {
    nullable: true,
    description: 'Set when the post came in as a repost / boost.',
  })
  reason!: RepostReasonModel | null;
  @Field(() => [SeenInModel], {
    description: 'Every place the post (and any duplicate merged into it) was seen.',
  })
  seenIn!: SeenInModel[];
  @Field(() => [DecisionModel], {
    description: 'Every stage\'s verdict, in pipeline order: "why am I seeing this".',
  })
  decisions!: DecisionModel[];
  @Field() hidden!: boolean;
  @Field(() => String, { nullable: true }) hiddenReason!: string | null;
  @Field(() => [String], { description: 'Warn / blur verdicts as `warn: <reason>` or `blur: <reason>`.' })
  warnings!: string[];
  @Field(() => Float, { description: 'Larger is higher; the timeline is ordered by it (then by id).' })
  rankKey!: number;
}

@ObjectType('TimelineEdge')
export class TimelineEdgeModel {
  @Field({ description: 'Opaque; pass it as `after` to continue below this item, or to `markRead`.' })
  cursor!: string;
  @Field(() => TimelineItemModel) node!: TimelineItemModel;
}

@ObjectType('PageInfo')
export class PageInfoModel {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType('TimelineConnection')
export class TimelineConnectionModel {
  @Field(() => [TimelineEdgeModel]) edges!: TimelineEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}
