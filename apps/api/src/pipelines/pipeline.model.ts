import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JobStateModel } from '../accounts/linked-account.model.js';
import { DecisionModel, SeenInModel } from '../posts/decision.model.js';
import { PostModel } from '../posts/post.model.js';
import { Cost } from '../common/query-limits.js';
import { JSONScalar } from './json.scalar.js';

@ObjectType('RebuildProgress', {
  description: "The rebuild of a pipeline's timeline after it was created or its spec changed.",
})
export class RebuildProgressModel {
  @Field(() => JobStateModel) state!: JobStateModel;
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType('PipelineVersion', { description: 'One saved version of a pipeline spec.' })
export class PipelineVersionModel {
  @Field(() => Int) version!: number;
  @Cost({ maxKib: 'PIPELINE_SPEC_MAX_KB' })
  @Field(() => JSONScalar)
  spec!: unknown;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The stored filter-list versions this version runs with: { listId: version }.',
  })
  filterLists!: unknown;
  @Field() createdAt!: Date;
}

@ObjectType('Pipeline', {
  description: 'A filter and ranking pipeline the user owns; each has its own timeline.',
})
export class PipelineModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'The pipeline `timeline` uses when none is named; exactly one per user.' })
  isDefault!: boolean;
  @Field(() => Int, { description: 'Increases with every saved spec change.' }) version!: number;
  @Cost({ maxKib: 'PIPELINE_SPEC_MAX_KB' })
  @Field(() => JSONScalar, {
    description:
      'The spec as saved: its stages and their options are documented in docs/pipelines.md of the Tributary repository.',
  })
  spec!: unknown;
  @Field(() => RebuildProgressModel) rebuild!: RebuildProgressModel;
  @Field(() => String, { nullable: true, description: 'The timeline cursor last marked read.' })
  readPosition!: string | null;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('SpecIssue', { description: 'A problem of a pipeline spec, named by its path.' })
export class SpecIssueModel {
  @Field({ description: 'E.g. `stages[3].with.halfLifeHours`; `(root)` for the spec itself.' }) path!: string;
  @Field() message!: string;
}

@ObjectType('PipelineValidation')
export class PipelineValidationModel {
  @Field() valid!: boolean;
  @Field(() => [SpecIssueModel]) errors!: SpecIssueModel[];
}

@ObjectType('PreviewItem', { description: 'What a pipeline spec would do with one recent post.' })
export class PreviewItemModel {
  @Field(() => PostModel) post!: PostModel;
  @Field() hidden!: boolean;
  @Field(() => String, { nullable: true }) hiddenReason!: string | null;
  @Field(() => [String], { description: 'Reasons to show the post behind a warning.' }) warnings!: string[];
  @Field(() => [String], { description: "Reasons to blur the post's media." }) blurs!: string[];
  @Field(() => [DecisionModel], {
    description: 'Every stage that acted on the post, and every filter it passed.',
  })
  decisions!: DecisionModel[];
  @Field(() => [SeenInModel]) seenIn!: SeenInModel[];
  @Field(() => String, {
    nullable: true,
    description: 'Set when merged into another post (its URI) as a duplicate.',
  })
  duplicateOf!: string | null;
  @Field(() => Float) rankKey!: number;
}
