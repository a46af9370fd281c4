// Notifications of every linked account, merged, as GraphQL types: one list (keyset-paged), groups
// ("12 people liked…"), and the member's mute verdicts with why, as on timeline entries.
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { NotificationKind } from '@tributary/core';
import type { Network } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';
import { DecisionModel } from '../posts/decision.model.js';
import { AuthorModel, PostModel } from '../posts/post.model.js';
import { PageInfoModel } from '../timeline/timeline-item.model.js';

export const NotificationKindEnum = Object.fromEntries(
  Object.values(NotificationKind).map((v) => [v, v]),
) as Record<NotificationKind, NotificationKind>;
registerEnumType(NotificationKindEnum, {
  name: 'NotificationKind',
  valuesMap: {
    MENTION: { description: 'A post mentions you.' },
    REPLY: { description: 'A reply to your post (Mastodon: a mention that replies).' },
    QUOTE: { description: 'A post quotes yours.' },
    LIKE: { description: 'Your post was liked (favourited).' },
    REPOST: { description: 'Your post was reposted (boosted).' },
    FOLLOW: { description: 'Someone followed you.' },
    FOLLOW_REQUEST: { description: 'Someone asks to follow you (Mastodon).' },
    POLL_ENDED: { description: 'A poll you voted in or made has ended (Mastodon).' },
    EDIT: { description: 'A post you boosted was edited (Mastodon).' },
    POST: { description: 'Someone you asked to be notified of posted (Mastodon).' },
  },
});

@ObjectType('Notification', { description: 'One notification of one of your linked accounts.' })
export class NotificationModel {
  @Field(() => ID) id!: string;
  @Field(() => NotificationKindEnum) kind!: NotificationKind;
  @Field(() => NetworkEnum) network!: Network;
  @Field(() => ID, { description: 'The linked account it came to.' }) linkedAccountId!: string;
  @Field(() => AuthorModel, { description: 'Who did it.' }) actor!: AuthorModel;
  @Field(() => PostModel, {
    nullable: true,
    description:
      'The post it is about: the mention, reply or quote itself, or your post that was liked or reposted. Null for follows and posts that could not be read.',
  })
  post!: PostModel | null;
  @Field(() => String, { nullable: true, description: 'The URI of the post it is about, when it has one.' })
  subjectUri!: string | null;
  @Field({ description: 'Notifications with the same key can be shown as one (see notificationGroups).' })
  groupKey!: string;
  @Field() createdAt!: Date;
  @Field({ description: 'At or before your read marker (markNotificationsRead).' }) read!: boolean;
  @Field({ description: 'Hidden by your mute stages (shown only with includeHidden).' }) hidden!: boolean;
  @Field(() => String, { nullable: true }) hiddenReason!: string | null;
  @Field(() => [DecisionModel], {
    description: "The verdicts of your default pipeline's mute stages: why it is hidden.",
  })
  decisions!: DecisionModel[];
}

@ObjectType('NotificationEdge')
export class NotificationEdgeModel {
  @Field({ description: 'Opaque; pass it as `after` to continue below this notification.' }) cursor!: string;
  @Field(() => NotificationModel) node!: NotificationModel;
}

@ObjectType('NotificationConnection')
export class NotificationConnectionModel {
  @Field(() => [NotificationEdgeModel]) edges!: NotificationEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@ObjectType('NotificationGroup', {
  description: 'Notifications shown as one: likes or reposts of one post, follows of one account on one day.',
})
export class NotificationGroupModel {
  @Field() key!: string;
  @Field(() => NotificationKindEnum) kind!: NotificationKind;
  @Field(() => Int, { description: 'How many notifications it holds.' }) count!: number;
  @Field(() => [AuthorModel], { description: 'The newest actors first, at most 5.' }) actors!: AuthorModel[];
  @Field(() => PostModel, { nullable: true }) post!: PostModel | null;
  @Field({ description: 'The newest notification in it.' }) latestAt!: Date;
  @Field(() => ID, { description: 'The newest notification in it (to mark read up to it).' })
  latestId!: string;
  @Field({ description: 'Every notification in it is at or before your read marker.' }) read!: boolean;
}

@ObjectType('NotificationGroupEdge')
export class NotificationGroupEdgeModel {
  @Field() cursor!: string;
  @Field(() => NotificationGroupModel) node!: NotificationGroupModel;
}

@ObjectType('NotificationGroupConnection')
export class NotificationGroupConnectionModel {
  @Field(() => [NotificationGroupEdgeModel]) edges!: NotificationGroupEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}
