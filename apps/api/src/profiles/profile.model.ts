// Someone's profile as a client shows it, read fresh from their network through one of the
// member's linked accounts, with how that account stands with them.
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { NetworkEnum } from '../accounts/linked-account.model.js';
import { PostModel } from '../posts/post.model.js';

@ObjectType('Relationship', {
  description: 'How the reading account stands with someone, as their network says.',
})
export class RelationshipModel {
  @Field({ description: 'The account follows them (or asked to, where they approve followers).' })
  following!: boolean;
  @Field({ description: 'They follow the account.' }) followedBy!: boolean;
  @Field({ description: 'The account muted them.' }) muted!: boolean;
  @Field({ description: 'The account blocks them.' }) blocked!: boolean;
  @Field({ description: 'They block the account (false where the network does not tell).' })
  blockedBy!: boolean;
}

@ObjectType('Profile')
export class ProfileModel {
  @Field(() => NetworkEnum) network!: string;
  @Field({ description: 'DID on Bluesky, ActivityPub account URI on Mastodon; what `author(id:)` takes.' })
  networkId!: string;
  @Field({ description: '`alice.bsky.social` or `alice@example.social`.' }) handle!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field({ description: 'The bio as plain text.' }) bio!: string;
  @Field(() => String, { nullable: true }) avatarUrl!: string | null;
  @Field(() => String, { nullable: true }) bannerUrl!: string | null;
  @Field(() => String, { nullable: true, description: 'Where a person opens the profile.' })
  webUrl!: string | null;
  @Field() bot!: boolean;
  @Field(() => Int, { nullable: true }) followersCount!: number | null;
  @Field(() => Int, { nullable: true }) followingCount!: number | null;
  @Field(() => Int, { nullable: true }) postsCount!: number | null;
  @Field(() => RelationshipModel) relationship!: RelationshipModel;
  @Field(() => ID, { description: 'The linked account it was read through (the relationship is its).' })
  linkedAccountId!: string;
}

@ObjectType('AuthorPost', { description: "A post on someone's profile: theirs, or one they reposted." })
export class AuthorPostModel {
  @Field(() => PostModel) post!: PostModel;
  @Field({ description: 'They reposted it (it is by someone else).' }) repost!: boolean;
}

@ObjectType('AuthorPostsPage')
export class AuthorPostsPageModel {
  @Field(() => [AuthorPostModel], { description: 'Newest first, as the network lists them.' })
  items!: AuthorPostModel[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for older posts; null at the end.' })
  nextCursor!: string | null;
  @Field(() => ID) linkedAccountId!: string;
}
