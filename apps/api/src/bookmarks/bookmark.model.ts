// The member's bookmarks as a Relay connection: posts they kept, newest bookmark first.
import { Field, ObjectType } from '@nestjs/graphql';
import { PostModel } from '../posts/post.model.js';
import { PageInfoModel } from '../timeline/timeline-item.model.js';

@ObjectType('BookmarkEdge')
export class BookmarkEdgeModel {
  @Field({ description: 'Opaque; pass it as `after` to continue below this bookmark.' }) cursor!: string;
  @Field({ description: 'When you bookmarked it.' }) bookmarkedAt!: Date;
  @Field(() => PostModel) node!: PostModel;
}

@ObjectType('BookmarkConnection')
export class BookmarkConnectionModel {
  @Field(() => [BookmarkEdgeModel]) edges!: BookmarkEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}
