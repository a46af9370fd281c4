import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { PostModel } from './post.model.js';

@ObjectType('ThreadReply', { description: 'A reply in a thread, with where it hangs.' })
export class ThreadReplyModel {
  @Field(() => PostModel) post!: PostModel;
  @Field(() => ID, { description: "The post this one replies to: the thread's `post` or an earlier reply." })
  parentId!: string;
  @Field(() => Int, { description: "1 for a direct reply to the thread's `post`, 2 for a reply to that, …" })
  depth!: number;
}

@ObjectType('Thread', {
  description: 'A post with its conversation, as its origin network shows it to the linked account.',
})
export class ThreadModel {
  @Field(() => PostModel) post!: PostModel;
  @Field(() => [PostModel], { description: 'Root first, ending with the parent of `post`.' })
  ancestors!: PostModel[];
  @Field(() => [ThreadReplyModel], { description: 'Depth-first: each reply is followed by its own replies.' })
  replies!: ThreadReplyModel[];
  @Field(() => ID, { description: 'The linked account the thread was fetched through.' })
  linkedAccountId!: string;
  @Field({ description: 'When the network was asked.' }) fetchedAt!: Date;
  @Field({
    description:
      'True when the network could not be reached (or refused) and this is the last thread fetched; `staleReason` says why.',
  })
  stale!: boolean;
  @Field(() => String, { nullable: true }) staleReason!: string | null;
}
