// The normalized post (libs/core `Post`) as GraphQL types: the same shape for both networks, with
// nothing lost but the native record. Stored `Post.data` maps onto these with `toPostModel`.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Post, PostRef, QuotedPost } from '@tributary/core';
import { NetworkEnum } from '../accounts/linked-account.model.js';
import type { IsoDateTime } from '../common/date-time.scalar.js';

export enum RichTextSegmentType {
  TEXT = 'text',
  LINK = 'link',
  MENTION = 'mention',
  HASHTAG = 'hashtag',
  LINEBREAK = 'linebreak',
}
registerEnumType(RichTextSegmentType, { name: 'RichTextSegmentType' });

export enum MediaTypeModel {
  IMAGE = 'image',
  VIDEO = 'video',
  GIFV = 'gifv',
  AUDIO = 'audio',
  UNKNOWN = 'unknown',
}
registerEnumType(MediaTypeModel, { name: 'MediaType' });

export enum VisibilityModel {
  PUBLIC = 'public',
  UNLISTED = 'unlisted',
  PRIVATE = 'private',
  DIRECT = 'direct',
}
registerEnumType(VisibilityModel, { name: 'Visibility' });

export enum LabelActionModel {
  HIDE = 'hide',
  WARN = 'warn',
  BLUR = 'blur',
  INFORM = 'inform',
}
registerEnumType(LabelActionModel, { name: 'LabelAction' });

@ObjectType('Author')
export class AuthorModel {
  @Field(() => NetworkEnum) network!: string;
  @Field({ description: 'DID on Bluesky, ActivityPub account URI on Mastodon; stable across renames.' })
  networkId!: string;
  @Field({ description: '`alice.bsky.social` or `alice@example.social`.' }) handle!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => String, { nullable: true }) avatarUrl!: string | null;
  @Field() bot!: boolean;
}

@ObjectType('RichTextSegment', {
  description: "A run of rich text; the plain text is the concatenation of every segment's `text`.",
})
export class RichTextSegmentModel {
  @Field(() => RichTextSegmentType) type!: RichTextSegmentType;
  @Field() text!: string;
  @Field(() => String, { nullable: true, description: 'For links.' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'For mentions: DID or account URI.' }) networkId?:
    string | null;
  @Field(() => String, { nullable: true, description: 'For mentions.' }) handle?: string | null;
  @Field(() => String, { nullable: true, description: 'For hashtags, without `#`.' }) tag?: string | null;
}

@ObjectType('MediaFocus')
export class MediaFocusModel {
  @Field(() => Float) x!: number;
  @Field(() => Float) y!: number;
}

@ObjectType('Media')
export class MediaModel {
  @Field(() => MediaTypeModel) type!: string;
  @Field() url!: string;
  @Field(() => String, { nullable: true }) previewUrl!: string | null;
  @Field(() => String, { nullable: true, description: 'Alt text, as the author wrote it.' }) altText!:
    string | null;
  @Field(() => Int, { nullable: true }) width!: number | null;
  @Field(() => Int, { nullable: true }) height!: number | null;
  @Field(() => MediaFocusModel, { nullable: true }) focus!: MediaFocusModel | null;
  @Field(() => String, { nullable: true }) blurhash!: string | null;
}

@ObjectType('LinkCard')
export class LinkCardModel {
  @Field() url!: string;
  @Field() title!: string;
  @Field() description!: string;
  @Field(() => String, { nullable: true }) imageUrl!: string | null;
}

@ObjectType('Counts')
export class CountsModel {
  @Field(() => Int) replies!: number;
  @Field(() => Int) reposts!: number;
  @Field(() => Int) likes!: number;
  @Field(() => Int) quotes!: number;
}

@ObjectType('PollOption')
export class PollOptionModel {
  @Field() title!: string;
  @Field(() => Int, { nullable: true, description: 'Null while the server hides the totals.' })
  votes!: number | null;
}

@ObjectType('Poll', {
  description: "A poll as everyone sees it; a member's own vote is theirs, not part of the shared post.",
})
export class PollModel {
  @Field({ description: "The poll's id on the server the post came from." }) id!: string;
  @Field(() => [PollOptionModel]) options!: PollOptionModel[];
  @Field(() => Date, { nullable: true }) expiresAt!: IsoDateTime | null;
  @Field() expired!: boolean;
  @Field({ description: 'Several options may be chosen.' }) multiple!: boolean;
  @Field(() => Int) votes!: number;
  @Field(() => Int, { nullable: true, description: 'People who voted; null when the server does not say.' })
  voters!: number | null;
}

@ObjectType('Label')
export class LabelModel {
  @Field({ description: 'e.g. `porn`, `ai-generated`, `!warn`, `sensitive`, `filter:<title>`.' })
  value!: string;
  @Field({ description: "Who applied it: the author, a labeler's DID, a Mastodon filter or the network." })
  source!: string;
  @Field(() => LabelActionModel, { nullable: true }) action!: string | null;
}

@ObjectType('PostRef', {
  description:
    'Another post (reply parent or root, quote) by its canonical URI, with its author and text when known: a client can show "replying to @bob" without opening the thread.',
})
export class PostRefModel {
  @Field() uri!: string;
  @Field(() => String, { nullable: true }) authorNetworkId!: string | null;
  /** Resolved by PostRefResolver: as the network showed it beside the post, else a stored copy the caller may read. */
  authorHandle?: string;
  authorDisplayName?: string | null;
  text?: string;
  /** Not a field: the network of the post that refers to it (a ref is on the same one). */
  network?: string;
}

@ObjectType('RepostReason', { description: 'Why a post is in a timeline: a repost / boost by someone.' })
export class RepostReasonModel {
  @Field(() => AuthorModel) by!: AuthorModel;
  @Field(() => Date) at!: IsoDateTime;
  @Field(() => String, { nullable: true }) uri!: string | null;
}

/** The fields a post and a quoted post share. */
@ObjectType({ isAbstract: true })
abstract class PostFields {
  @Field(() => NetworkEnum) network!: string;
  @Field({ description: 'Canonical URI: `at://…` or the Mastodon status URI.' }) uri!: string;
  @Field({ description: 'Network-side id (Bluesky CID, Mastodon status id). Opaque.' }) nativeId!: string;
  @Field(() => String, { nullable: true, description: 'Where a person opens it in a browser.' }) webUrl!:
    string | null;
  @Field(() => AuthorModel) author!: AuthorModel;
  @Field({ description: 'Plain text.' }) text!: string;
  @Field(() => [RichTextSegmentModel]) richText!: RichTextSegmentModel[];
  @Field(() => [String]) languages!: string[];
  @Field(() => Date) createdAt!: IsoDateTime;
  @Field(() => Date) indexedAt!: IsoDateTime;
  @Field(() => PostRefModel, { nullable: true }) replyParent!: PostRefModel | null;
  @Field(() => PostRefModel, { nullable: true }) replyRoot!: PostRefModel | null;
  @Field(() => [MediaModel]) media!: MediaModel[];
  @Field(() => LinkCardModel, { nullable: true }) linkCard!: LinkCardModel | null;
  @Field(() => CountsModel) counts!: CountsModel;
  @Field(() => String, {
    nullable: true,
    description: 'Content warning / spoiler text shown before the content.',
  })
  contentWarning!: string | null;
  @Field() sensitive!: boolean;
  @Field(() => [LabelModel]) labels!: LabelModel[];
  @Field(() => VisibilityModel) visibility!: string;
  @Field(() => [String]) hashtags!: string[];
  @Field(() => PollModel, { nullable: true }) poll!: PollModel | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the post was found deleted at its origin (it then shows only in the audit).',
  })
  deletedAt!: IsoDateTime | null;
}

@ObjectType('QuotedPost', { description: 'A quoted post, nested one level (its own quote is a reference).' })
export class QuotedPostModel extends PostFields {
  @Field(() => PostRefModel, { nullable: true }) quote!: PostRefModel | null;
}

@ObjectType('UnavailableQuote', { description: 'A quoted post the network does not show.' })
export class UnavailableQuoteModel {
  @Field() uri!: string;
  @Field({
    description:
      '`not-found` (deleted), `blocked` (a block between the authors) or `detached` (its author detached the quote).',
  })
  reason!: string;
}

@ObjectType('Post')
export class PostModel extends PostFields {
  @Field(() => ID, { description: "Tributary's id of the stored post." }) id!: string;
  @Field(() => QuotedPostModel, { nullable: true }) quote!: QuotedPostModel | null;
  @Field(() => UnavailableQuoteModel, {
    nullable: true,
    description: 'Set when the post quotes one the network does not show (`quote` is then null).',
  })
  quoteUnavailable!: UnavailableQuoteModel | null;
}

/** A ref with its network, so the reply context can be looked up. */
const withNetwork = (ref: PostRef | null, network: string) => (ref ? { ...ref, network } : null);

/**
 * The fields a post and its quote share, in one copy of the stored object. Dates stay the stored
 * ISO text, which the DateTime scalar prints as their Dates would (common/date-time.scalar.ts).
 */
function fields(data: Omit<QuotedPost, 'quote'>): PostFields {
  const view = { ...data } as unknown as PostFields;
  view.replyParent = withNetwork(data.replyParent, data.network);
  view.replyRoot = withNetwork(data.replyRoot, data.network);
  view.richText = data.richText.segments as RichTextSegmentModel[];
  view.poll = data.poll ? { ...data.poll, expiresAt: data.poll.expiresAt || null } : null;
  view.deletedAt = data.deletedAt || null;
  return view;
}

/** A stored post (`Post.id`, `Post.data`) as the GraphQL `Post`. */
export function toPostModel(id: bigint | string, data: Omit<Post, 'raw'>): PostModel {
  // One copy of the stored post per page item: a second spread copied its ~25 fields again.
  const post = fields(data) as PostModel;
  post.id = String(id);
  post.quote = data.quote
    ? Object.assign(fields(data.quote), { quote: withNetwork(data.quote.quote, data.network) })
    : null;
  post.quoteUnavailable = data.quoteUnavailable ?? null;
  return post;
}
