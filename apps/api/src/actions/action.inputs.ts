import { Field, ID, InputType } from '@nestjs/graphql';
import type { Network } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';

@InputType('CreatePostInput')
export class CreatePostInput {
  @Field() text!: string;
  @Field(() => [NetworkEnum], { description: 'Post on each of these networks (one action per network).' })
  crossPostTo!: Network[];
  @Field(() => String, {
    nullable: true,
    description: 'Mastodon spoiler text. Bluesky has none: refused there.',
  })
  contentWarning?: string | null;
  @Field(() => String, { nullable: true, description: 'Language code, e.g. "en" or "pt-BR".' })
  language?: string | null;
  @Field(() => [ID], {
    nullable: true,
    description:
      "Which linked account to post with, per network; by default the user's (oldest) account on it.",
  })
  accounts?: string[] | null;
}
