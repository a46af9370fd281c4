import { Field, ID, InputType, Int } from '@nestjs/graphql';
import type { Network } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';

@InputType('MediaInput', { description: "An image to attach, checked against each target network's limits." })
export class MediaInput {
  @Field({ description: 'The file, base64-encoded.' }) data!: string;
  @Field({ description: 'e.g. image/png; each network accepts its own list of types.' }) mimeType!: string;
  @Field(() => String, { nullable: true, description: 'Description for people who cannot see the image.' })
  altText?: string | null;
}

@InputType('PollInput', {
  description: "A poll opened with the post (Mastodon only), checked against the instance's limits.",
})
export class PollInput {
  @Field(() => [String], {
    description: 'Two or more different options (the instance says how many, usually 4).',
  })
  options!: string[];
  @Field(() => Int, {
    description: 'Seconds until it closes (the instance says how long: usually 5 minutes to a month).',
  })
  expiresIn!: number;
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Several options may be chosen.',
  })
  multiple?: boolean | null;
}

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
  @Field(() => [MediaInput], {
    nullable: true,
    description: 'Images inline (Bluesky: at most 4 of 1 MB each). Or upload them first and pass mediaIds.',
  })
  media?: MediaInput[] | null;
  @Field(() => [ID], {
    nullable: true,
    description: 'Uploads to attach (uploadMedia, or POST /api/v2/media), in this order; not with `media`.',
  })
  mediaIds?: string[] | null;
  @Field(() => PollInput, { nullable: true, description: 'A poll (Mastodon only; not with media).' })
  poll?: PollInput | null;
  @Field(() => [ID], {
    nullable: true,
    description:
      "Which linked account to post with, per network; by default the user's (oldest) account on it.",
  })
  accounts?: string[] | null;
}
