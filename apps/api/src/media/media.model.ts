// An upload waiting for its post, as GraphQL shows it.
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum MediaStateModel {
  READY = 'READY',
  ATTACHED = 'ATTACHED',
}
registerEnumType(MediaStateModel, {
  name: 'MediaState',
  valuesMap: {
    READY: {
      description:
        'Checked and stored: it can go with a post (Tributary processes nothing more; each network processes its copy when the post is made).',
    },
    ATTACHED: { description: 'A post took it: it cannot be attached again.' },
  },
});

@ObjectType('MediaUpload', {
  description:
    'An image uploaded ahead of a post (uploadMedia, or POST /api/v2/media of the Mastodon API: one id for both). Unused uploads are forgotten after a day.',
})
export class MediaUploadModel {
  @Field(() => ID, { description: 'Pass it in `createPost(input: { mediaIds })` or `reply(mediaIds:)`.' })
  id!: string;
  @Field(() => MediaStateModel) state!: MediaStateModel;
  @Field({ description: 'What the bytes are (not what the client said).' }) mimeType!: string;
  @Field(() => Int, { description: 'Bytes.' }) size!: number;
  @Field(() => Int, { nullable: true }) width!: number | null;
  @Field(() => Int, { nullable: true }) height!: number | null;
  @Field(() => String, { nullable: true, description: 'The description for people who cannot see it.' })
  altText!: string | null;
  @Field({ description: 'Where the file is served, for a preview.' }) url!: string;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When it is forgotten unless a post takes it first.' })
  expiresAt!: Date | null;
}
