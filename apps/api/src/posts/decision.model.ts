// "Why am I seeing this": the pipeline's recorded decisions and where a post was seen.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { NetworkEnum } from '../accounts/linked-account.model.js';

export enum VerdictModel {
  HIDE = 'hide',
  WARN = 'warn',
  BLUR = 'blur',
  KEEP = 'keep',
  SCORE = 'score',
  MERGE = 'merge',
  DEMOTE = 'demote',
  ERROR = 'error',
}
registerEnumType(VerdictModel, { name: 'Verdict' });

@ObjectType('Decision', { description: "One pipeline stage's verdict on a post." })
export class DecisionModel {
  @Field({ description: 'The stage, e.g. `mute-words` or `plugin:community/no-engagement-bait@1`.' })
  stage!: string;
  @Field(() => Int, { description: "The stage's position in the pipeline spec." }) index!: number;
  @Field(() => VerdictModel) verdict!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Float, { description: 'Contribution to the rank key (scores and demotions).' }) score!: number;
}

@ObjectType('SeenIn', { description: 'Where a post (or a duplicate merged into it) was seen.' })
export class SeenInModel {
  @Field(() => NetworkEnum) network!: string;
  @Field(() => ID) linkedAccountId!: string;
  @Field(() => ID) sourceId!: string;
  @Field({ description: 'The URI of the copy seen there.' }) uri!: string;
}
