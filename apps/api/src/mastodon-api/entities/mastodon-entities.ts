// Tributary's normalized posts and authors (libs/core) as Mastodon API entities. Pure: ids come in
// through an IdMap built from `statusIdRequests` (one round trip per page), viewer state from the
// caller.
import type { Author, Label, Media, Post, QuotedPost, RepostReason } from '@tributary/core';
import type { IdMap } from '../ids/mastodon-ids.service.js';
import type { IdRequest } from '../ids/id-keys.js';
import { accountKey, postKey, reblogKey } from '../ids/id-keys.js';
import { snowflakeTime } from '../ids/snowflake.js';
import { profileUrl, quoteFallbackHtml, richTextHtml, tagUrl } from './html.js';

type Json = Record<string, unknown>;
export type StoredPostData = Omit<Post, 'raw'>;

/**
 * What the member did to a post (favourited, reblogged, bookmarked, and the options they voted for
 * in its poll through Tributary, or null), from the client surface.
 */
export interface ViewerState {
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  ownVotes: readonly number[] | null;
  /**
   * The same of the post it quotes, when that post is stored: the quoted status is a status of its
   * own in a client, liked, boosted and voted in as any. Absent or null: nothing done to it.
   */
  quote?: ViewerState | null;
}

export const NO_VIEWER_STATE: ViewerState = {
  favourited: false,
  reblogged: false,
  bookmarked: false,
  ownVotes: null,
};

/** A pipeline decision that asks a client to warn before showing (a timeline entry's). */
export interface Warning {
  stage: string;
  verdict: string;
  reason: string | null;
}

/** One status to show: a post, the repost that brought it, and the member's view of it. */
export interface StatusSource {
  post: StoredPostData;
  reason: RepostReason | null;
  warnings: readonly Warning[];
  viewer: ViewerState;
}

/** Where this instance's own URLs start (the missing-avatar image). */
export interface EntityContext {
  baseUrl: string;
}

/** Self-labels and network labels that mean "hide the media until asked" in a Mastodon client. */
const SENSITIVE_LABELS = new Set(['porn', 'sexual', 'nudity', 'graphic-media', 'gore', '!warn']);

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

export function accountRequest(author: Pick<Author, 'network' | 'networkId'>): IdRequest {
  return { kind: 'ACCOUNT', key: accountKey(author.network, author.networkId), at: Date.now() };
}

function postRequests(post: StoredPostData | QuotedPost, out: IdRequest[]): void {
  out.push({ kind: 'POST', key: postKey(post.network, post.uri), at: ms(post.createdAt) });
  out.push(accountRequest(post.author));
  for (const s of post.richText.segments) {
    if (s.type === 'mention') out.push(accountRequest({ network: post.network, networkId: s.networkId }));
  }
  if (post.replyParent) {
    out.push({ kind: 'POST', key: postKey(post.network, post.replyParent.uri), at: ms(post.createdAt) });
    if (post.replyParent.authorNetworkId) {
      out.push(accountRequest({ network: post.network, networkId: post.replyParent.authorNetworkId }));
    }
  }
  post.media.forEach((_m, i) => out.push({ kind: 'MEDIA', key: mediaKey(post, i), at: ms(post.createdAt) }));
}

const mediaKey = (post: StoredPostData | QuotedPost, index: number): string =>
  `${postKey(post.network, post.uri)} ${index}`;

/** Every id `toStatus` needs for these sources. */
export function statusIdRequests(sources: readonly Pick<StatusSource, 'post' | 'reason'>[]): IdRequest[] {
  const out: IdRequest[] = [];
  for (const { post, reason } of sources) {
    postRequests(post, out);
    if (post.quote) postRequests(post.quote, out);
    if (reason) {
      out.push({ kind: 'REBLOG', key: reblogKey(post.network, post.uri, reason), at: ms(reason.at) });
      out.push(accountRequest(reason.by));
    }
  }
  return out;
}

/** `username` and `acct`: Mastodon handles carry their instance, Bluesky handles are domains. */
function names(author: Pick<Author, 'network' | 'handle'>): { username: string; acct: string } {
  if (author.network === 'MASTODON') {
    const [user] = author.handle.split('@');
    return { username: user || author.handle, acct: author.handle };
  }
  return { username: author.handle, acct: author.handle };
}

/** An author as an Account; counts are unknown to Tributary and sent as 0. */
export function toAccount(author: Author, ids: IdMap, ctx: EntityContext): Json {
  const id = ids.get('ACCOUNT', accountKey(author.network, author.networkId));
  const avatar = author.avatarUrl ?? `${ctx.baseUrl}/avatars/original/missing.png`;
  const header = `${ctx.baseUrl}/headers/original/missing.png`;
  // Strict clients need a date: the day Tributary first saw the account (its id's time).
  const seen = new Date(snowflakeTime(id) ?? 0);
  seen.setUTCHours(0, 0, 0, 0);
  return {
    id,
    ...names(author),
    display_name: author.displayName ?? '',
    locked: false,
    bot: author.bot,
    discoverable: null,
    group: false,
    indexable: false,
    created_at: seen.toISOString(),
    note: '',
    url: profileUrl(author),
    uri: author.network === 'BLUESKY' ? `at://${author.networkId}` : author.networkId,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    followers_count: 0,
    following_count: 0,
    statuses_count: 0,
    last_status_at: null,
    emojis: [],
    fields: [],
  };
}

function toMedia(post: StoredPostData | QuotedPost, media: Media, index: number, ids: IdMap): Json {
  const size =
    media.width && media.height
      ? {
          width: media.width,
          height: media.height,
          size: `${media.width}x${media.height}`,
          aspect: media.width / media.height,
        }
      : null;
  return {
    id: ids.get('MEDIA', mediaKey(post, index)),
    type: media.type,
    url: media.url,
    preview_url: media.previewUrl ?? media.url,
    remote_url: null,
    description: media.altText,
    blurhash: media.blurhash,
    meta: {
      ...(size ? { original: size, small: size } : {}),
      ...(media.focus ? { focus: media.focus } : {}),
    },
  };
}

/**
 * A post's poll as a Poll (its id is the status's): as stored, or with `own` votes the member has
 * just cast (counted in at once: the network counts them when the queued vote reaches it). Whether a
 * member voted is theirs, not the post's: a status's poll is shared without it (sharedStatusJson)
 * and completed with the member's vote (`memberPoll`), as `GET /api/v1/polls/:id` answers.
 */
export function toPoll(
  post: StoredPostData | QuotedPost,
  ids: IdMap,
  own: { choices: readonly number[]; counted: boolean } | null,
): Json | null {
  const poll = post.poll;
  if (!poll) return null;
  const add = own && !own.counted ? 1 : 0;
  const chosen = new Set(own?.choices ?? []);
  return {
    id: ids.get('POST', postKey(post.network, post.uri)),
    expires_at: poll.expiresAt,
    expired: poll.expired,
    multiple: poll.multiple,
    votes_count: poll.votes + add * chosen.size,
    voters_count: poll.voters === null ? null : poll.voters + add,
    options: poll.options.map((o, i) => ({
      title: o.title,
      votes_count: o.votes === null ? null : o.votes + (chosen.has(i) ? add : 0),
    })),
    emojis: [],
    voted: own !== null,
    own_votes: [...(own?.choices ?? [])],
  };
}

/** The member's part of a poll: whether they voted (through Tributary) and for what. */
const votedFields = (viewer: ViewerState): Json => ({
  voted: viewer.ownVotes !== null,
  own_votes: [...(viewer.ownVotes ?? [])],
});

/** `votedFields` as the end of a poll's JSON, after its shared part. */
const votedFieldsJson = (viewer: ViewerState): string =>
  `,"voted":${viewer.ownVotes !== null},"own_votes":${JSON.stringify(viewer.ownVotes ?? [])}}`;

/** A shared status's poll as the member sees it (null without one): a vote counted, as stored. */
const memberPoll = (poll: unknown, viewer: ViewerState): Json | null =>
  poll ? { ...(poll as Json), ...votedFields(viewer) } : null;

/** What the member did to the post a status quotes (nothing, when it is not stored). */
const quotedViewer = (viewer: ViewerState): ViewerState => viewer.quote ?? NO_VIEWER_STATE;

function isSensitive(post: StoredPostData | QuotedPost): boolean {
  return (
    post.sensitive ||
    post.contentWarning !== null ||
    post.labels.some((l: Label) => !l.personal && SENSITIVE_LABELS.has(l.value))
  );
}

/**
 * The post itself as a Status (no repost wrapper), `quote` one level deep, without what is the
 * member's own (`memberFields`, the quoted status's too): the same for every member who reads this
 * version of the post.
 */
function postStatus(
  post: StoredPostData | QuotedPost,
  ids: IdMap,
  ctx: EntityContext,
  quoted: Json | null,
): Json {
  const content =
    richTextHtml(post.richText.segments, post.network, post.author.handle) +
    (post.quote ? quoteFallbackHtml(quoteUrl(post)) : '');
  const mentions = post.richText.segments.flatMap((s) =>
    s.type === 'mention'
      ? [
          {
            id: ids.get('ACCOUNT', accountKey(post.network, s.networkId)),
            username: names({ network: post.network, handle: s.handle ?? s.text.replace(/^@/, '') }).username,
            acct: s.handle ?? s.text.replace(/^@/, ''),
            url: profileUrl({ network: post.network, networkId: s.networkId, handle: s.handle ?? '' }),
          },
        ]
      : [],
  );
  const poll = post.poll ? toPoll(post, ids, null) : null;
  return {
    id: ids.get('POST', postKey(post.network, post.uri)),
    uri: post.uri,
    url: post.webUrl,
    created_at: new Date(ms(post.createdAt)).toISOString(),
    edited_at: post.editedAt ?? null,
    account: toAccount(post.author, ids, ctx),
    content,
    text: null,
    visibility: post.visibility,
    sensitive: isSensitive(post),
    spoiler_text: post.contentWarning ?? '',
    media_attachments: post.media.map((m, i) => toMedia(post, m, i, ids)),
    mentions,
    tags: post.hashtags.map((tag) => ({ name: tag, url: tagUrl(post.network, tag, post.author.handle) })),
    emojis: [],
    reblogs_count: post.counts.reposts,
    favourites_count: post.counts.likes,
    replies_count: post.counts.replies,
    quotes_count: post.counts.quotes,
    in_reply_to_id: post.replyParent ? ids.get('POST', postKey(post.network, post.replyParent.uri)) : null,
    in_reply_to_account_id: post.replyParent?.authorNetworkId
      ? ids.get('ACCOUNT', accountKey(post.network, post.replyParent.authorNetworkId))
      : null,
    reblog: null,
    quote: quoted ? { state: 'accepted', quoted_status: quoted } : null,
    card: post.linkCard
      ? {
          url: post.linkCard.url,
          title: post.linkCard.title,
          description: post.linkCard.description,
          type: 'link',
          author_name: '',
          author_url: '',
          authors: [],
          provider_name: '',
          provider_url: '',
          html: '',
          width: 0,
          height: 0,
          image: post.linkCard.imageUrl,
          embed_url: '',
          blurhash: null,
        }
      : null,
    poll,
    language: post.languages[0] ?? null,
    application: null,
  };
}

/** What a status says of the member reading it: their viewer state, and the pipeline's warnings. */
function memberFields(viewer: ViewerState, warnings: readonly Warning[]): Json {
  return {
    favourited: viewer.favourited,
    reblogged: viewer.reblogged,
    bookmarked: viewer.bookmarked,
    muted: false,
    pinned: false,
    filtered: warnings.map(toFilterResult),
  };
}

/** `memberFields` as the end of a status's JSON, after its shared part. */
function memberFieldsJson(viewer: ViewerState, warnings: readonly Warning[]): string {
  return (
    `,"favourited":${viewer.favourited},"reblogged":${viewer.reblogged},"bookmarked":${viewer.bookmarked}` +
    `,"muted":false,"pinned":false,"filtered":${warnings.length ? JSON.stringify(warnings.map(toFilterResult)) : '[]'}`
  );
}

function quoteUrl(post: StoredPostData | QuotedPost): string {
  const quote = post.quote;
  if (!quote) return '';
  if ('webUrl' in quote && quote.webUrl) return quote.webUrl;
  const at = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(quote.uri);
  return at ? `https://bsky.app/profile/${at[1]}/post/${at[2]}` : quote.uri;
}

/**
 * A pipeline's warn or blur as a Mastodon filter result: every client shows "filtered: <title>"
 * with its own "show anyway". The filter is not one of the member's Mastodon filters; its id says so.
 */
function toFilterResult(warning: Warning): Json {
  return {
    filter: {
      id: `tributary-${warning.stage}`,
      title: warning.reason ?? warning.stage,
      context: ['home', 'public', 'thread', 'account'],
      filter_action: warning.verdict === 'blur' ? 'blur' : 'warn',
      expires_at: null,
      keywords: [],
      statuses: [],
    },
    keyword_matches: null,
    status_matches: null,
  };
}

/** A shared status (a post's, or the one it quotes) completed with what is the member's own. */
const memberStatus = (status: Json, viewer: ViewerState, warnings: readonly Warning[]): Json => ({
  ...status,
  poll: memberPoll(status['poll'], viewer),
  ...memberFields(viewer, warnings),
});

/** A shared status's `quote` (null without one), its quoted status completed as the member sees it. */
function memberQuote(quote: unknown, viewer: ViewerState): Json | null {
  if (!quote) return null;
  const { quoted_status: quoted, ...rest } = quote as Json;
  return { ...rest, quoted_status: memberStatus(quoted as Json, quotedViewer(viewer), []) };
}

/**
 * A status as a timeline shows it: a repost is a wrapper whose `reblog` is the post. The wrapper's
 * `reblog` comes last (key order means nothing to JSON readers): see `SharedStatus`.
 */
export function toStatus(source: StatusSource, ids: IdMap, ctx: EntityContext): Json {
  const { post, reason, viewer, warnings } = source;
  const shared = sharedStatus(post, reason, ids, ctx);
  const own = {
    ...memberStatus(shared.post, viewer, warnings),
    quote: memberQuote(shared.post['quote'], viewer),
  };
  if (!shared.wrapper) return own;
  return { ...shared.wrapper, ...memberFields(viewer, []), reblog: own };
}

/**
 * A status's parts that are the same for every member who reads this version of the post (and
 * repost): the post's own (with the status it quotes), and the repost wrapper's when there is one,
 * without `memberFields` (nor, for the wrapper, `reblog`). Personal labels play no part (they never
 * make a post sensitive).
 */
export interface SharedStatus {
  /** The status's id: the wrapper's for a repost. */
  id: string;
  post: Json;
  wrapper: Json | null;
}

export function sharedStatus(
  post: StoredPostData,
  reason: RepostReason | null,
  ids: IdMap,
  ctx: EntityContext,
): SharedStatus {
  const quoted = post.quote && 'author' in post.quote ? postStatus(post.quote, ids, ctx, null) : null;
  const status = postStatus(post, ids, ctx, quoted);
  if (!reason) return { id: status['id'] as string, post: status, wrapper: null };
  const wrapper: Json = {
    ...status,
    id: ids.get('REBLOG', reblogKey(post.network, post.uri, reason)),
    uri: reason.uri ?? `${post.uri}#reblog`,
    url: null,
    created_at: new Date(ms(reason.at)).toISOString(),
    edited_at: null,
    account: toAccount(reason.by, ids, ctx),
    content: '',
    spoiler_text: '',
    sensitive: false,
    media_attachments: [],
    mentions: [],
    tags: [],
    card: null,
    poll: null,
    quote: null,
    in_reply_to_id: null,
    in_reply_to_account_id: null,
  };
  delete wrapper['reblog'];
  return { id: wrapper['id'] as string, post: status, wrapper };
}

/**
 * A status's own JSON (a post's, or the one it quotes) serialized once, to be completed with the
 * member's poll votes and fields: without the closing brace (as text, or its UTF-8 bytes: `T`).
 */
export interface OpenStatusJson<T = string> {
  /** The status, without `poll` when it has one (`"poll":null` when it has none). */
  post: T;
  /** Its poll without the member's `voted` and `own_votes` (kept apart: never shared). */
  poll: T | null;
}

/**
 * A shared status serialized once, to be completed for each member who reads it: `wrapper` too is
 * its JSON without the closing brace.
 */
export interface SharedStatusJson<T = string> extends OpenStatusJson<T> {
  /** The status's id: the wrapper's for a repost. */
  id: string;
  /** The post's own status id. */
  postStatusId: string;
  /**
   * The quoted status, when the post embeds one (`post` is then without `quote`), as `,"quote":`
   * and the quote up to the end of the quoted status, without its member's fields: they are
   * another member's to the next reader, so never shared.
   */
  quote: OpenStatusJson<T> | null;
  wrapper: T | null;
}

const open = (json: Json): string => JSON.stringify(json).slice(0, -1);

/** A status as `OpenStatusJson`, its text after `prefix`. */
function openStatusJson(status: Json, prefix = ''): OpenStatusJson {
  const { poll, ...rest } = status;
  const pollShared = poll ? (({ voted: _v, own_votes: _o, ...p }: Json) => p)(poll as Json) : null;
  return { post: prefix + open(pollShared ? rest : status), poll: pollShared ? open(pollShared) : null };
}

/** A `quote` as `SharedStatusJson.quote`: what precedes its quoted status (`state`) opens it. */
function openQuoteJson(quote: Json): OpenStatusJson {
  const { quoted_status: quoted, ...rest } = quote;
  return openStatusJson(quoted as Json, `,"quote":${open(rest)},"quoted_status":`);
}

export function sharedStatusJson(shared: SharedStatus): SharedStatusJson {
  const { quote, ...unquoted } = shared.post;
  return {
    id: shared.id,
    postStatusId: shared.post['id'] as string,
    ...openStatusJson(quote ? unquoted : shared.post),
    quote: quote ? openQuoteJson(quote as Json) : null,
    wrapper: shared.wrapper ? open(shared.wrapper) : null,
  };
}

/** An open status's pieces with the member's poll votes, up to its member's fields. */
const withVotes = <T>(status: OpenStatusJson<T>, viewer: ViewerState): (T | string)[] =>
  status.poll === null ? [status.post] : [status.post, ',"poll":', status.poll, votedFieldsJson(viewer)];

/**
 * The pieces of `toStatus`'s JSON, in order, from a shared status serialized once and the member's
 * fields (text): joined, the same JSON value as `toStatus` gives.
 */
export function statusJsonParts<T>(
  shared: SharedStatusJson<T>,
  viewer: ViewerState,
  warnings: readonly Warning[],
): (T | string)[] {
  const end = `${memberFieldsJson(viewer, warnings)}}`;
  const quoted = quotedViewer(viewer);
  const quote =
    shared.quote === null ? [] : [...withVotes(shared.quote, quoted), `${memberFieldsJson(quoted, [])}}}`];
  const post = [...withVotes(shared, viewer), ...quote];
  if (shared.wrapper === null) return [...post, end];
  return [shared.wrapper, `${memberFieldsJson(viewer, [])},"reblog":`, ...post, `${end}}`];
}

/** `toStatus` as JSON text, from a shared status serialized once. */
export function statusJson(
  shared: SharedStatusJson,
  viewer: ViewerState,
  warnings: readonly Warning[],
): string {
  return statusJsonParts(shared, viewer, warnings).join('');
}
