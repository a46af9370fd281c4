import { Field, ID, InputType } from '@nestjs/graphql';
import type { SourceKind } from '@tributary/core';
import { SourceKindEnum } from './linked-account.model.js';

@InputType()
export class AddSourceInput {
  @Field(() => ID) accountId!: string;
  @Field(() => SourceKindEnum) kind!: SourceKind;
  @Field({ description: 'Feed generator URI, list id or URI, actor DID/handle, or hashtag (without #).' })
  externalId!: string;
  @Field(() => String, { nullable: true }) displayName?: string | null;
}
