import { MalformedRecordError, Network } from '@tributary/core';
import type {
  Author,
  IngestedItem,
  Label,
  LinkCard,
  Media,
  MediaType,
  Poll,
  Post,
  PostRef,
  PostViewer,
  QuotedPost,
  RepostReason,
  SkippedItem,
  Visibility,
} from '@tributary/core';
import type {
  MastodonAccount,
  MastodonFilterResult,
  MastodonMediaAttachment,
  MastodonQuote,
  MastodonStatus,
} from './mastodon-types.js';
import { wireShape } from './masto-shape.js';
import { htmlToRichText } from './rich-text.js';

export type NormalizeResult = { ok: IngestedItem } | { skipped: SkippedItem };

export interface NormalizeOptions {
  /** Indexing time stamped on the post; defaults to now. */
  now?: Date;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;

/** Only http(s) URLs leave the connector: a `javascript:` or `data:` URL from a remote server never does. */
export function safeUrl(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function requireString(record: unknown, value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw new MalformedRecordError(`missing or non-string \`${field}\``, record);
  return value;
}

function isoDate(record: unknown, value: unknown, field: string): string {
  const raw = requireString(record, value, field);
  const t = Date.parse(raw);
  if (Number.isNaN(t))
    throw new MalformedRecordError(`\`${field}\` is not a date: ${raw.slice(0, 40)}`, record);
  return new Date(t).toISOString();
}

export function normalizeAuthor(record: unknown, account: unknown, host: string, field: string): Author {
  if (!isObject(account)) throw new MalformedRecordError(`missing \`${field}\``, record);
  const a = account as MastodonAccount;
  const acct = requireString(record, a.acct, `${field}.acct`);
  const handle = acct.includes('@') ? acct : `${acct}@${host}`;
  return {
    network: Network.Mastodon,
    // `uri` is the stable ActivityPub id; some servers omit it, then the profile URL, then the handle.
    networkId: safeUrl(a.uri) ?? safeUrl(a.url) ?? `acct:${handle}`,
    handle,
    displayName: str(a.displayName) || null,
    avatarUrl: safeUrl(a.avatarStatic) ?? safeUrl(a.avatar),
    bot: a.bot === true,
  };
}

const MEDIA_TYPES: Record<string, MediaType> = {
  image: 'image',
  video: 'video',
  gifv: 'gifv',
  audio: 'audio',
};

function normalizeMedia(m: MastodonMediaAttachment): Media | null {
  if (!isObject(m)) return null;
  const url = safeUrl(m.url) ?? safeUrl(m.remoteUrl);
  if (!url) return null;
  const original = isObject(m.meta) && isObject(m.meta.original) ? m.meta.original : null;
  const focus = isObject(m.meta) && isObject(m.meta.focus) ? m.meta.focus : null;
  const fx = focus?.x;
  const fy = focus?.y;
  const dim = (v: unknown): number | null => (typeof v === 'number' && v > 0 ? Math.round(v) : null);
  return {
    type: MEDIA_TYPES[str(m.type) ?? ''] ?? 'unknown',
    url,
    previewUrl: safeUrl(m.previewUrl),
    altText: str(m.description)?.trim() || null,
    width: dim(original?.width),
    height: dim(original?.height),
    focus:
      typeof fx === 'number' && typeof fy === 'number' && Number.isFinite(fx) && Number.isFinite(fy)
        ? { x: Math.max(-1, Math.min(1, fx)), y: Math.max(-1, Math.min(1, fy)) }
        : null,
    blurhash: str(m.blurhash),
  };
}

function normalizeCard(card: unknown): LinkCard | null {
  if (!isObject(card)) return null;
  const url = safeUrl(card['url']);
  if (!url) return null;
  return {
    url,
    title: str(card['title']) ?? '',
    description: str(card['description']) ?? '',
    imageUrl: safeUrl(card['image']),
  };
}

const FILTER_ACTIONS = { warn: 'warn', hide: 'hide', blur: 'blur' } as const;

function filterLabels(filtered: unknown): Label[] {
  if (!Array.isArray(filtered)) return [];
  const labels: Label[] = [];
  for (const r of filtered as MastodonFilterResult[]) {
    if (!isObject(r) || !isObject(r.filter)) continue;
    const title = str(r.filter.title) ?? '';
    const action = str(r.filter.filterAction) ?? '';
    // The reading account's own filter: that member's alone (Label.personal).
    labels.push({
      value: `filter:${title}`,
      source: `mastodon-filter:${str(r.filter.id) ?? title}`,
      action: action in FILTER_ACTIONS ? FILTER_ACTIONS[action as keyof typeof FILTER_ACTIONS] : 'warn',
      personal: true,
    });
  }
  return labels;
}

const VISIBILITIES: Record<string, Visibility> = {
  public: 'public',
  unlisted: 'unlisted',
  private: 'private',
  direct: 'direct',
};

/** The reading account's favourite, boost and bookmark of a status (its own, as its instance says). */
export function viewerOf(status: MastodonStatus): PostViewer {
  return {
    liked: status.favourited === true,
    likeUri: null,
    reposted: status.reblogged === true,
    repostUri: null,
    bookmarked: status.bookmarked === true,
  };
}

/**
 * The native record without `filtered` and a poll's `voted`/`own_votes`: the reading account's
 * filters (titles, keywords) and votes are that member's own, kept with their labels, never in the record other members share.
 */
function withoutFilterResults(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  // The reader's own favourite, boost, bookmark, mute and pin are theirs (IngestedItem.viewer).
  const {
    filtered: _filtered,
    favourited: _favourited,
    reblogged: _reblogged,
    bookmarked: _bookmarked,
    muted: _muted,
    pinned: _pinned,
    ...rest
  } = raw;
  // The reader's own vote is theirs too.
  if (isObject(rest['poll'])) {
    const { voted: _voted, own_votes: _ownVotes, ...poll } = rest['poll'] as Record<string, unknown>;
    rest['poll'] = poll;
  }
  const quote = rest['quote'];
  if (isObject(quote) && isObject(quote['quoted_status'])) {
    rest['quote'] = { ...quote, quoted_status: withoutFilterResults(quote['quoted_status']) };
  }
  return rest;
}

/** A status the API names only by its id on this instance; the API address is its only handle. */
function localRef(origin: string, id: string, authorNetworkId: string | null): PostRef {
  return { uri: `${origin}/api/v1/statuses/${encodeURIComponent(id)}`, authorNetworkId };
}

function normalizePostBody(
  s: MastodonStatus,
  origin: string,
  host: string,
  now: Date,
): Omit<Post, 'quote' | 'raw'> {
  const id = requireString(s, s.id, 'id');
  const uri = safeUrl(s.uri) ?? requireString(s, s.uri, 'uri');
  const createdAt = isoDate(s, s.createdAt, 'created_at');
  const edited = str(s.editedAt);
  const editedAt = edited && !Number.isNaN(Date.parse(edited)) ? new Date(edited).toISOString() : null;
  const author = normalizeAuthor(s, s.account, host, 'account');
  if (typeof s.content !== 'string') throw new MalformedRecordError('missing or non-string `content`', s);
  const mentions = Array.isArray(s.mentions) ? s.mentions.filter(isObject) : [];
  const tags = Array.isArray(s.tags) ? s.tags.filter(isObject) : [];
  const { richText, text } = htmlToRichText(s.content, { mentions, tags, instanceHost: host });
  const hashtags = [
    ...new Set(
      [
        ...tags.map((t) => str(t.name)),
        ...richText.segments.map((seg) => (seg.type === 'hashtag' ? seg.tag : null)),
      ]
        .filter((t): t is string => !!t)
        .map((t) => t.toLowerCase()),
    ),
  ];
  const sensitive = s.sensitive === true;
  const labels: Label[] = [
    ...(sensitive ? [{ value: 'sensitive', source: 'mastodon', action: 'blur' as const }] : []),
    ...filterLabels(s.filtered),
  ];
  const inReplyTo = str(s.inReplyToId);
  // A reply to oneself (a thread) names no mention; otherwise the parent's author is mentioned.
  const parentAuthor = !inReplyTo
    ? null
    : str(s.inReplyToAccountId) !== null && s.inReplyToAccountId === s.account?.id
      ? author.networkId
      : safeUrl(mentions.find((m) => m.id === s.inReplyToAccountId)?.url);
  return {
    network: Network.Mastodon,
    uri,
    nativeId: id,
    webUrl: safeUrl(s.url),
    author,
    text,
    richText,
    languages: str(s.language) ? [str(s.language) as string] : [],
    createdAt,
    indexedAt: now.toISOString(),
    ...(editedAt ? { editedAt } : {}),
    // Only the parent's id on this instance: its URI is filled in where the parent is known.
    replyParent: inReplyTo ? { ...localRef(origin, inReplyTo, parentAuthor), nativeId: inReplyTo } : null,
    // Mastodon does not tell the thread root without another request.
    replyRoot: null,
    media: (Array.isArray(s.mediaAttachments) ? s.mediaAttachments : [])
      .map(normalizeMedia)
      .filter((m): m is Media => m !== null),
    linkCard: normalizeCard(s.card),
    counts: {
      replies: count(s.repliesCount),
      reposts: count(s.reblogsCount),
      likes: count(s.favouritesCount),
      quotes: count(s.quotesCount),
    },
    contentWarning: str(s.spoilerText)?.trim() || null,
    sensitive,
    labels,
    visibility: VISIBILITIES[str(s.visibility) ?? 'public'] ?? 'private',
    hashtags,
    poll: normalizePoll(s.poll),
  };
}

/** The shared part of a poll: `voted` and `own_votes` are the reading account's, left out. */
export function normalizePoll(value: unknown): Poll | null {
  if (!isObject(value)) return null;
  const p = value;
  const id = str(p['id']);
  if (!id || !Array.isArray(p['options'])) return null;
  const expiresAt = str(p['expiresAt']);
  const voters = p['votersCount'];
  return {
    id,
    options: (p['options'] as unknown[]).filter(isObject).map((o) => ({
      title: str(o.title) ?? '',
      votes: typeof o.votesCount === 'number' && o.votesCount >= 0 ? o.votesCount : null,
    })),
    expiresAt: expiresAt && !Number.isNaN(Date.parse(expiresAt)) ? new Date(expiresAt).toISOString() : null,
    expired: p['expired'] === true,
    multiple: p['multiple'] === true,
    votes: count(p['votesCount']),
    voters: typeof voters === 'number' && voters >= 0 ? voters : null,
  };
}

/**
 * The quoted status in either shape servers send: Mastodon ≥ 4.4's `Quote` (`state` plus the
 * `quoted_status`, or only its id when nested), or the quoted status itself next to `quote_id`
 * (servers that are not Mastodon, forks from before 4.4). A quote not `accepted` is not shown.
 */
function quoted(s: MastodonStatus): { status: MastodonStatus | null; id: string | null } | null {
  const q: unknown = s.quote;
  if (isObject(q) && 'state' in q) {
    const quote = q as MastodonQuote;
    if (quote.state !== 'accepted') return null;
    return {
      status: isObject(quote.quotedStatus) ? quote.quotedStatus : null,
      id: str(quote.quotedStatusId),
    };
  }
  if (isObject(q) && 'content' in q) return { status: q as MastodonStatus, id: str(q['id']) };
  const id = str(s.quoteId);
  return id ? { status: null, id } : null;
}

/** The quoted post, embedded one level deep; a quote inside it is only referenced. */
function normalizeQuote(s: MastodonStatus, origin: string, host: string, now: Date): QuotedPost | null {
  const inner = quoted(s)?.status;
  if (!inner) return null;
  try {
    const body = normalizePostBody(inner, origin, host, now);
    const nested = quoted(inner);
    const nestedUri = safeUrl(nested?.status?.uri);
    const ref: PostRef | null = nestedUri
      ? { uri: nestedUri, authorNetworkId: null }
      : nested?.id
        ? localRef(origin, nested.id, null)
        : null;
    return { ...body, quote: ref };
  } catch (err) {
    // A broken quoted status does not make the quoting one unreadable.
    if (err instanceof MalformedRecordError) return null;
    throw err;
  }
}

/**
 * Reply parents named only by id, resolved against the posts of the same answer (a thread's
 * statuses come together; a boost's target, a quote). Unresolved ones keep their id.
 */
export function resolveReplyParents(items: IngestedItem[]): void {
  const known = new Map<string, PostRef>();
  for (const { post } of items) {
    known.set(post.nativeId, { uri: post.uri, authorNetworkId: post.author.networkId });
    if (post.quote)
      known.set(post.quote.nativeId, { uri: post.quote.uri, authorNetworkId: post.quote.author.networkId });
  }
  for (const { post } of items) {
    const id = post.replyParent?.nativeId;
    const parent = id === undefined ? undefined : known.get(id);
    if (parent) post.replyParent = parent;
  }
}

/**
 * Normalizes one Mastodon `Status` (in masto's camelCase shape, from REST or the stream) into a
 * `Post`; a boost becomes the boosted post with a repost reason. Never throws on bad input: a
 * status that cannot be read comes back as `skipped` with the reason.
 */
export function normalizeStatus(
  status: unknown,
  instanceOrigin: string,
  options: NormalizeOptions = {},
): NormalizeResult {
  const now = options.now ?? new Date();
  try {
    if (!isObject(status)) throw new MalformedRecordError('status is not an object', status);
    const origin = new URL(instanceOrigin).origin;
    const host = new URL(origin).host;
    const wrapper = status as MastodonStatus;
    let reason: RepostReason | null = null;
    let target = wrapper;
    if (isObject(wrapper.reblog)) {
      reason = {
        by: normalizeAuthor(wrapper, wrapper.account, host, 'account'),
        at: isoDate(wrapper, wrapper.createdAt, 'created_at'),
        uri: safeUrl(wrapper.uri),
        // What Mastodon clients show and mark read: the boost, not the boosted status.
        nativeId: requireString(wrapper, wrapper.id, 'id'),
      };
      target = wrapper.reblog;
    }
    const body = normalizePostBody(target, origin, host, now);
    // Filter results are attached to the timeline entry, i.e. the boost, on some versions.
    const wrapperLabels = reason ? filterLabels(wrapper.filtered) : [];
    const labels = [...body.labels];
    for (const l of wrapperLabels) if (!labels.some((x) => x.source === l.source)) labels.push(l);
    const post: Post = {
      ...body,
      labels,
      quote: normalizeQuote(target, origin, host, now),
      raw: withoutFilterResults(wireShape(target)),
    };
    return { ok: { post, reason, viewer: viewerOf(target) } };
  } catch (err) {
    if (err instanceof MalformedRecordError)
      return { skipped: { reason: err.reason, record: wireShape(err.record) } };
    return { skipped: { reason: `unreadable status: ${(err as Error).message}`, record: wireShape(status) } };
  }
}
