// A search of the member's networks as GraphQL types: posts, people or hashtags merged from every
// network searched, with what each network answered (or why it did not) beside them.
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SearchKind } from '@tributary/core';
import type { Network } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';
import { DecisionModel } from '../posts/decision.model.js';
import { AuthorModel, PostModel } from '../posts/post.model.js';
import { ProfileModel } from '../profiles/profile.model.js';
import { PageInfoModel } from '../timeline/timeline-item.model.js';

export const SearchKindEnum = Object.fromEntries(Object.values(SearchKind).map((v) => [v, v])) as Record<
  SearchKind,
  SearchKind
>;
registerEnumType(SearchKindEnum, {
  name: 'SearchKind',
  valuesMap: {
    POSTS: { description: 'Posts whose text matches (Bluesky searchPosts, Mastodon statuses search).' },
    PEOPLE: { description: 'Accounts by name or handle.' },
    HASHTAGS: { description: 'Hashtags containing the term.' },
  },
});

@ObjectType('SearchFoundBy', {
  description: 'Where a result was found: which linked account, under which URI.',
})
export class SearchFoundByModel {
  @Field(() => NetworkEnum) network!: Network;
  @Field(() => ID) linkedAccountId!: string;
  @Field({ description: 'The URI of the copy found there (a Bridgy Fed copy has its own).' }) uri!: string;
}

@ObjectType('SearchPost')
export class SearchPostModel {
  @Field(() => PostModel, { description: 'Stored: yours to open and act on like any post you saw.' })
  post!: PostModel;
  @Field(() => [SearchFoundByModel], {
    description: 'Every network that found it (and any copy of it merged into this result).',
  })
  foundBy!: SearchFoundByModel[];
  @Field({ description: 'Hidden by your mute stages (shown only with includeHidden).' }) hidden!: boolean;
  @Field(() => String, { nullable: true }) hiddenReason!: string | null;
  @Field(() => [DecisionModel], {
    description:
      "The verdicts of your default pipeline's mute and dedupe stages, as on a timeline entry (index -1: the dedupe every search applies, when your pipeline has none).",
  })
  decisions!: DecisionModel[];
  @Field(() => [String], { description: 'Warn / blur verdicts as `warn: <reason>` or `blur: <reason>`.' })
  warnings!: string[];
}

@ObjectType('SearchPerson')
export class SearchPersonModel {
  @Field(() => ProfileModel, {
    description: 'As the network that found them shows them (counts and banner may be null in a search).',
  })
  profile!: ProfileModel;
  @Field(() => [AuthorModel], {
    description: 'The same person found again: a Bridgy Fed copy of the account on the other network.',
  })
  sameAs!: AuthorModel[];
}

@ObjectType('SearchHashtag')
export class SearchHashtagModel {
  @Field({ description: 'Without the `#`.' }) name!: string;
  @Field(() => [NetworkEnum], { description: 'The networks that know it.' }) networks!: Network[];
  @Field(() => String, { nullable: true, description: "Its page on the first network's web." })
  webUrl!: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Posts that used it over the last week, where a network counts them (Mastodon).',
  })
  usesLastWeek!: number | null;
}

@ObjectType('SearchNetwork', {
  description: 'What one network answered for this page; a failure here leaves the others’ results.',
})
export class SearchNetworkModel {
  @Field(() => NetworkEnum) network!: Network;
  @Field(() => ID, {
    nullable: true,
    description: 'The linked account searched through; null when you have none usable.',
  })
  linkedAccountId!: string | null;
  @Field(() => Int, { description: 'Results it gave to this page (before merging and filtering).' })
  found!: number;
  @Field(() => String, {
    nullable: true,
    description: 'Why it gave nothing this time (try again with the same `after`).',
  })
  error!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The error as a code: UPSTREAM_UNAVAILABLE, RATE_LIMITED, BAD_USER_INPUT, NOT_FOUND.',
  })
  errorCode!: string | null;
}

@ObjectType('SearchResults')
export class SearchResultsModel {
  @Field(() => SearchKindEnum) kind!: SearchKind;
  @Field(() => [SearchPostModel], {
    description: 'POSTS: newest first, merged from every network, duplicates merged.',
  })
  posts!: SearchPostModel[];
  @Field(() => [SearchPersonModel], { description: "PEOPLE: each network's best matches in turn." })
  people!: SearchPersonModel[];
  @Field(() => [SearchHashtagModel], {
    description: "HASHTAGS: each network's best matches in turn, one per name.",
  })
  hashtags!: SearchHashtagModel[];
  @Field(() => [SearchNetworkModel]) networks!: SearchNetworkModel[];
  @Field(() => PageInfoModel, {
    description: 'Pass `endCursor` as `after` (with the same query and kind) for more.',
  })
  pageInfo!: PageInfoModel;
}
