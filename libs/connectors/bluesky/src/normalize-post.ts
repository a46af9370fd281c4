// AppView views (app.bsky.feed.defs#feedViewPost / #postView) -> Tributary's normalized Post.
// Input is treated as untrusted JSON: anything that is not a well-formed post becomes a
// `SkippedItem` with a reason instead of an exception.
import { AtpAgent } from '@atproto/api';
import { Network } from '@tributary/core';
import type {
  Author,
  IngestedItem,
  Label,
  LinkCard,
  Media,
  Post,
  PostRef,
  PostViewer,
  QuotedPost,
  RepostReason,
  SkippedItem,
} from '@tributary/core';
import { facetsToRichText } from './rich-text.js';

export type NormalizedItem = { ok: true; item: IngestedItem } | { ok: false; skipped: SkippedItem };
export type NormalizedPost = { ok: true; post: Post } | { ok: false; skipped: SkippedItem };

/** Where people open a post in a browser; the AppView's own client. */
const WEB_BASE = 'https://bsky.app';

type Obj = Record<string, unknown>;

class Malformed extends Error {}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  if (!isObject(v)) throw new Malformed(`${path} is not an object`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new Malformed(`${path} is missing or not a string`);
  return v;
}

function optStr(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

function time(v: unknown, path: string): string {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new Malformed(`${path} is not a valid datetime`);
  return new Date(ms).toISOString();
}

const AT_URI = /^at:\/\/(did:[a-z0-9]+:[a-zA-Z0-9._:%-]+)\/([a-zA-Z0-9.-]+)\/([a-zA-Z0-9._:~-]+)$/;

function atUri(v: unknown, path: string): { uri: string; did: string; collection: string; rkey: string } {
  const uri = str(v, path);
  const m = AT_URI.exec(uri);
  if (!m) throw new Malformed(`${path} is not an at:// record URI`);
  return { uri, did: m[1] as string, collection: m[2] as string, rkey: m[3] as string };
}

function postRef(v: unknown, path: string): PostRef {
  const ref = obj(v, path);
  return { uri: ref.uri as string, authorNetworkId: atUri(ref.uri, `${path}.uri`).did };
}

function author(v: unknown, path: string): Author {
  const a = obj(v, path);
  const did = str(a.did, `${path}.did`);
  if (!did.startsWith('did:')) throw new Malformed(`${path}.did is not a DID`);
  // Only the account's own labels (or the network's) describe it to everyone: a labeler one member
  // subscribes to does not make the author a bot for the others.
  const labels = Array.isArray(a.labels)
    ? a.labels.filter((l) => isObject(l) && !isPersonal(l.src, did))
    : [];
  return {
    network: Network.Bluesky,
    networkId: did,
    handle: optStr(a.handle) ?? did,
    displayName: optStr(a.displayName),
    avatarUrl: optStr(a.avatar),
    bot: labels.some((l) => isObject(l) && l.val === 'bot'),
  };
}

// Labels whose presence means the content should be hidden behind something; `!hide`/`!warn` are
// the global system labels, the others the adult/graphic self-labels Bluesky's apps offer.
const LABEL_ACTIONS: Record<string, Label['action']> = {
  '!hide': 'hide',
  '!warn': 'warn',
  porn: 'blur',
  sexual: 'blur',
  nudity: 'blur',
  'graphic-media': 'blur',
  gore: 'blur',
};

/** The action a label value calls for, where the value is one every client knows. */
export function labelAction(value: string): Label['action'] {
  return LABEL_ACTIONS[value] ?? null;
}

/**
 * The labelers every Bluesky client asks the AppView for (Bluesky's moderation service): their labels,
 * like an author's self-labels, belong to the post. Any other labeler's reach a member only because
 * their account subscribes to it: those labels are personal (Label.personal).
 */
const NETWORK_LABELERS: ReadonlySet<string> = new Set(AtpAgent.appLabelers);

/** True for the labelers every Bluesky client asks (their labels belong to the post). */
export function isNetworkLabeler(did: string): boolean {
  return NETWORK_LABELERS.has(did);
}

/** True for a label `src` applied that is neither the subject's own (`subjectDid`) nor the network's. */
function isPersonal(src: unknown, subjectDid: string): boolean {
  return typeof src === 'string' && src !== subjectDid && !NETWORK_LABELERS.has(src);
}

function labels(record: Obj, view: Obj, authorDid: string): Label[] {
  const out: Label[] = [];
  const seen = new Set<string>();
  const add = (value: string, source: string): void => {
    const key = `${source}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    const label: Label = { value, source, action: labelAction(value) };
    if (isPersonal(source, authorDid)) label.personal = true;
    out.push(label);
  };
  // Self-labels live in the record; the AppView echoes them in `labels` with the author as source.
  const self = isObject(record.labels) ? record.labels : null;
  if (self && Array.isArray(self.values)) {
    for (const v of self.values) if (isObject(v) && typeof v.val === 'string') add(v.val, authorDid);
  }
  if (Array.isArray(view.labels)) {
    const negated = new Set<string>();
    for (const l of view.labels) {
      if (isObject(l) && l.neg === true && typeof l.val === 'string' && typeof l.src === 'string') {
        negated.add(`${l.src}\u0000${l.val}`);
      }
    }
    for (const l of view.labels) {
      if (!isObject(l) || l.neg === true || typeof l.val !== 'string' || typeof l.src !== 'string') continue;
      if (typeof l.exp === 'string' && Date.parse(l.exp) < Date.now()) continue;
      if (negated.has(`${l.src}\u0000${l.val}`)) continue;
      add(l.val, l.src);
    }
  }
  return out;
}

/** Whether the post's own labels (not a member's personal ones) put its content behind something. */
function isSensitive(lbls: Label[]): boolean {
  return lbls.some((l) => l.personal !== true && l.action !== null && l.action !== 'inform');
}

/**
 * The native record as kept on the shared post: without the labels of labelers only the reading
 * account subscribes to, nor its `viewer` state, wherever the view nests them (the post, its
 * embeds, the reply context).
 */
function withoutPersonalLabels(v: unknown): unknown {
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x) => {
      const y = withoutPersonalLabels(x);
      changed ||= y !== x;
      return y;
    });
    return changed ? out : v;
  }
  if (!isObject(v)) return v;
  let out: Obj | null = null;
  for (const [key, value] of Object.entries(v)) {
    // `viewer` (on posts and profiles) is the reading account's own likes, follows, mutes…
    if (key === 'viewer') {
      out ??= { ...v };
      delete out[key];
      continue;
    }
    let next = withoutPersonalLabels(value);
    if (key === 'labels' && Array.isArray(next)) {
      const kept = next.filter((l) => !isObject(l) || !isPersonal(l.src, subjectDid(l.uri)));
      if (kept.length !== next.length) next = kept;
    }
    if (next !== value) (out ??= { ...v })[key] = next;
  }
  return out ?? v;
}

/** The DID a label's subject (`at://did/…` or a DID) belongs to. */
function subjectDid(uri: unknown): string {
  if (typeof uri !== 'string') return '';
  return uri.startsWith('at://') ? (uri.slice(5).split('/')[0] ?? '') : uri;
}

function aspect(v: unknown): { width: number | null; height: number | null } {
  if (isObject(v) && typeof v.width === 'number' && typeof v.height === 'number') {
    return { width: v.width, height: v.height };
  }
  return { width: null, height: null };
}

function media(partial: Partial<Media> & Pick<Media, 'type' | 'url'>): Media {
  return {
    previewUrl: null,
    altText: null,
    width: null,
    height: null,
    focus: null,
    blurhash: null,
    ...partial,
  };
}

/** The most images a gallery holds (the lexicon's cap; the AppView shows 10 of them today). */
export const GALLERY_MAX = 20;

/**
 * A blob reference's CID as a record carries it: `{ ref: { $link } }` in JSON, a CID object once
 * @atproto/api decoded it, or the legacy `cid`. Only a base32 CID string is taken.
 */
function blobCid(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return null;
  const { ref, cid } = v as { ref?: unknown; cid?: unknown };
  const link = isObject(ref) && typeof ref.$link === 'string' ? ref.$link : ref != null ? String(ref) : cid;
  return typeof link === 'string' && /^b[a-z2-7]{10,}$/.test(link) ? link : null;
}

/**
 * A gallery's images: those of its view, then the record's items the AppView trimmed from it (it
 * shows 10, a record may hold 20), their URLs made the way the view made the first one's (the
 * view's URL with the blob's CID in place of the first item's). Items that are not images are left out.
 */
function galleryMedia(view: Obj, record: unknown): Media[] {
  const items = Array.isArray(view.items) ? view.items.filter(isObject) : [];
  const out = items.slice(0, GALLERY_MAX).map((img, i) =>
    media({
      type: 'image',
      url: str(img.fullsize, `embed.items[${i}].fullsize`),
      previewUrl: optStr(img.thumbnail),
      altText: optStr(img.alt),
      ...aspect(img.aspectRatio),
    }),
  );
  const stored = isObject(record) && Array.isArray(record.items) ? record.items.filter(isObject) : [];
  const firstCid = blobCid(stored[0]?.image);
  const first = out[0];
  if (!firstCid || !first || !first.url.includes(firstCid)) return out;
  for (const item of stored.slice(out.length, GALLERY_MAX)) {
    const cid = blobCid(item.image);
    if (!cid) continue;
    out.push(
      media({
        type: 'image',
        url: first.url.replace(firstCid, cid),
        previewUrl: first.previewUrl?.replace(firstCid, cid) ?? null,
        altText: optStr(item.alt),
        ...aspect(item.aspectRatio),
      }),
    );
  }
  return out;
}

/** The media embed of a post record (inside recordWithMedia: its `media`), for what views trim. */
function recordMedia(record: Obj): unknown {
  const embed = isObject(record.embed) ? record.embed : null;
  if (embed?.$type === 'app.bsky.embed.recordWithMedia') return isObject(embed.media) ? embed.media : null;
  return embed;
}

/** Media and link card of an embed *view* (images, video, gallery, external); `record`: its record. */
function embedMedia(view: Obj, record?: unknown): { media: Media[]; linkCard: LinkCard | null } {
  switch (view.$type) {
    case 'app.bsky.embed.images#view': {
      const images = Array.isArray(view.images) ? view.images.filter(isObject) : [];
      return {
        media: images.map((img, i) =>
          media({
            type: 'image',
            url: str(img.fullsize, `embed.images[${i}].fullsize`),
            previewUrl: optStr(img.thumb),
            altText: optStr(img.alt),
            ...aspect(img.aspectRatio),
          }),
        ),
        linkCard: null,
      };
    }
    case 'app.bsky.embed.gallery#view':
      return { media: galleryMedia(view, record), linkCard: null };
    case 'app.bsky.embed.video#view':
      return {
        media: [
          media({
            type: 'video',
            url: str(view.playlist, 'embed.playlist'),
            previewUrl: optStr(view.thumbnail),
            altText: optStr(view.alt),
            ...aspect(view.aspectRatio),
          }),
        ],
        linkCard: null,
      };
    case 'app.bsky.embed.external#view': {
      const ext = obj(view.external, 'embed.external');
      return {
        media: [],
        linkCard: {
          url: str(ext.uri, 'embed.external.uri'),
          title: typeof ext.title === 'string' ? ext.title : '',
          description: typeof ext.description === 'string' ? ext.description : '',
          imageUrl: optStr(ext.thumb),
        },
      };
    }
    default:
      return { media: [], linkCard: null };
  }
}

interface Body {
  text: string;
  richText: Post['richText'];
  hashtags: string[];
  languages: string[];
  createdAt: string;
  replyParent: PostRef | null;
  replyRoot: PostRef | null;
}

/** The parts every post record has, validated. */
function body(record: Obj, path: string): Body {
  if (record.$type !== 'app.bsky.feed.post') throw new Malformed(`${path}.$type is not app.bsky.feed.post`);
  if (typeof record.text !== 'string') throw new Malformed(`${path}.text is not a string`);
  const { richText, hashtags } = facetsToRichText(record.text, record.facets);
  // Tags outside the text (`tags`) are hashtags too.
  if (Array.isArray(record.tags)) {
    for (const t of record.tags) if (typeof t === 'string' && !hashtags.includes(t)) hashtags.push(t);
  }
  const reply = isObject(record.reply) ? record.reply : null;
  return {
    text: record.text,
    richText,
    hashtags,
    languages: Array.isArray(record.langs)
      ? record.langs.filter((l): l is string => typeof l === 'string')
      : [],
    createdAt: time(record.createdAt, `${path}.createdAt`),
    replyParent: reply ? postRef(reply.parent, `${path}.reply.parent`) : null,
    replyRoot: reply ? postRef(reply.root, `${path}.reply.root`) : null,
  };
}

function webUrl(handleOrDid: string, rkey: string): string {
  return `${WEB_BASE}/profile/${handleOrDid}/post/${rkey}`;
}

const UNAVAILABLE: Record<string, NonNullable<Post['quoteUnavailable']>['reason']> = {
  'app.bsky.embed.record#viewNotFound': 'not-found',
  'app.bsky.embed.record#viewBlocked': 'blocked',
  'app.bsky.embed.record#viewDetached': 'detached',
};

/** A quoted post the AppView does not show: deleted, blocked, detached by its author; else null. */
function unavailableQuote(view: unknown): Post['quoteUnavailable'] | null {
  if (!isObject(view) || !isObject(view.record)) return null;
  const reason = UNAVAILABLE[String(view.record.$type)];
  if (!reason) return null;
  // A pointer to nothing readable takes nothing else of the post down with it.
  const uri = view.record.uri;
  const m = typeof uri === 'string' ? AT_URI.exec(uri) : null;
  return m && m[2] === 'app.bsky.feed.post' ? { uri: uri as string, reason } : null;
}

/** A quoted post (`app.bsky.embed.record#viewRecord`); other record kinds are not posts. */
function quotedPost(view: unknown): QuotedPost | null {
  // Inside recordWithMedia the record view is not a union member and carries no $type.
  if (!isObject(view) || (view.$type !== undefined && view.$type !== 'app.bsky.embed.record#view'))
    return null;
  const rec = view.record;
  if (!isObject(rec) || rec.$type !== 'app.bsky.embed.record#viewRecord') return null;
  const ref = atUri(rec.uri, 'embed.record.uri');
  if (ref.collection !== 'app.bsky.feed.post') return null;
  const value = obj(rec.value, 'embed.record.value');
  const a = author(rec.author, 'embed.record.author');
  const b = body(value, 'embed.record.value');
  let mediaOut: Media[] = [];
  let linkCard: LinkCard | null = null;
  let quote: PostRef | null = null;
  for (const e of Array.isArray(rec.embeds) ? rec.embeds.filter(isObject) : []) {
    if (e.$type === 'app.bsky.embed.record#view' || e.$type === 'app.bsky.embed.recordWithMedia#view') {
      const inner =
        e.$type === 'app.bsky.embed.record#view' ? e.record : isObject(e.record) ? e.record.record : null;
      if (isObject(inner) && typeof inner.uri === 'string')
        quote = { uri: inner.uri, authorNetworkId: atUri(inner.uri, 'quote.uri').did };
      if (e.$type === 'app.bsky.embed.recordWithMedia#view' && isObject(e.media))
        ({ media: mediaOut, linkCard } = embedMedia(e.media, recordMedia(value)));
    } else {
      ({ media: mediaOut, linkCard } = embedMedia(e, recordMedia(value)));
    }
  }
  const lbls = labels(value, rec, a.networkId);
  return {
    network: Network.Bluesky,
    uri: ref.uri,
    nativeId: str(rec.cid, 'embed.record.cid'),
    webUrl: webUrl(a.handle, ref.rkey),
    author: a,
    ...b,
    indexedAt: time(rec.indexedAt, 'embed.record.indexedAt'),
    quote,
    media: mediaOut,
    linkCard,
    counts: {
      replies: count(rec.replyCount),
      reposts: count(rec.repostCount),
      likes: count(rec.likeCount),
      quotes: count(rec.quoteCount),
    },
    contentWarning: null,
    sensitive: isSensitive(lbls),
    labels: lbls,
    visibility: 'public',
  };
}

function toPost(v: unknown): Post {
  const view = obj(v, 'post');
  const ref = atUri(view.uri, 'post.uri');
  if (ref.collection !== 'app.bsky.feed.post')
    throw new Malformed(`post.uri is a ${ref.collection} record, not a post`);
  const a = author(view.author, 'post.author');
  if (a.networkId !== ref.did) throw new Malformed('post.author.did does not match the DID in post.uri');
  const record = obj(view.record, 'post.record');
  const b = body(record, 'post.record');

  let mediaOut: Media[] = [];
  let linkCard: LinkCard | null = null;
  let quote: QuotedPost | null = null;
  let quoteUnavailable: Post['quoteUnavailable'] | null = null;
  if (isObject(view.embed)) {
    const embed = view.embed;
    const quoteView = embed.$type === 'app.bsky.embed.record#view' ? embed : null;
    const withMedia = embed.$type === 'app.bsky.embed.recordWithMedia#view' ? embed : null;
    if (quoteView || withMedia) {
      const inner = quoteView ?? withMedia!.record;
      quote = quotedPost(inner);
      if (quote === null) quoteUnavailable = unavailableQuote(inner);
    }
    if (withMedia)
      ({ media: mediaOut, linkCard } = embedMedia(
        obj(withMedia.media, 'post.embed.media'),
        recordMedia(record),
      ));
    else if (!quoteView) ({ media: mediaOut, linkCard } = embedMedia(embed, recordMedia(record)));
  }
  const lbls = labels(record, view, a.networkId);
  return {
    network: Network.Bluesky,
    uri: ref.uri,
    nativeId: str(view.cid, 'post.cid'),
    webUrl: webUrl(a.handle, ref.rkey),
    author: a,
    ...b,
    indexedAt: time(view.indexedAt, 'post.indexedAt'),
    quote,
    ...(quoteUnavailable ? { quoteUnavailable } : {}),
    media: mediaOut,
    linkCard,
    counts: {
      replies: count(view.replyCount),
      reposts: count(view.repostCount),
      likes: count(view.likeCount),
      quotes: count(view.quoteCount),
    },
    contentWarning: null,
    sensitive: isSensitive(lbls),
    labels: lbls,
    visibility: 'public',
    hashtags: b.hashtags,
    raw: view,
  };
}

function skip(err: unknown, record: unknown): { ok: false; skipped: SkippedItem } {
  if (err instanceof Malformed) return { ok: false, skipped: { reason: err.message, record } };
  // A bug of ours on odd input must not take the whole sync down either; keep what happened.
  return {
    ok: false,
    skipped: { reason: `normalizer error: ${err instanceof Error ? err.message : String(err)}`, record },
  };
}

/** Normalizes an `app.bsky.feed.defs#postView` (e.g. from `getPosts`). */
export function normalizePostView(postView: unknown): NormalizedPost {
  try {
    const post = toPost(postView);
    return { ok: true, post: { ...post, raw: withoutPersonalLabels(post.raw) } };
  } catch (err) {
    return skip(err, postView);
  }
}

/** The reading account's like and repost of a post view (`viewer`, present in authenticated views). */
export function viewerOf(postView: unknown): PostViewer | null {
  if (!isObject(postView) || !isObject(postView.viewer)) return null;
  const like = optStr(postView.viewer.like);
  const repost = optStr(postView.viewer.repost);
  return {
    liked: like !== null,
    likeUri: like,
    reposted: repost !== null,
    repostUri: repost,
    bookmarked: false,
  };
}

/**
 * A reply ref with the author and text of the post view the feed showed for it (`reply.parent` /
 * `reply.root`), when it is that post's readable view (not a deleted or blocked stand-in).
 */
function withReplyContext(ref: PostRef | null, view: unknown): PostRef | null {
  if (!ref || !isObject(view) || view.uri !== ref.uri) return ref;
  if (view.$type !== undefined && view.$type !== 'app.bsky.feed.defs#postView') return ref;
  if (!isObject(view.record) || typeof view.record.text !== 'string') return ref;
  const a = normalizeAuthor(view.author);
  if (!a || a.networkId !== ref.authorNetworkId) return ref;
  return { ...ref, authorHandle: a.handle, authorDisplayName: a.displayName, text: view.record.text };
}

/** Normalizes one timeline/feed entry: the post plus the repost that brought it, if any. */
export function normalizeFeedViewPost(feedViewPost: unknown): NormalizedItem {
  try {
    const item = obj(feedViewPost, 'feedViewPost');
    const post = toPost(item.post);
    if (isObject(item.reply)) {
      post.replyParent = withReplyContext(post.replyParent, item.reply.parent);
      post.replyRoot = withReplyContext(post.replyRoot, item.reply.root);
    }
    let reason: RepostReason | null = null;
    if (isObject(item.reason) && item.reason.$type === 'app.bsky.feed.defs#reasonRepost') {
      reason = {
        by: author(item.reason.by, 'reason.by'),
        at: time(item.reason.indexedAt, 'reason.indexedAt'),
        uri: optStr(item.reason.uri),
      };
    }
    // The feed view carries the reply context; keep it with the raw record.
    return {
      ok: true,
      item: {
        post: { ...post, raw: withoutPersonalLabels(feedViewPost) },
        reason,
        viewer: viewerOf(item.post),
      },
    };
  } catch (err) {
    return skip(err, feedViewPost);
  }
}

/** An actor view (`profileViewBasic` and the like, e.g. from `getProfiles`) as an Author; null when malformed. */
export function normalizeAuthor(profile: unknown): Author | null {
  try {
    return author(profile, 'profile');
  } catch {
    return null;
  }
}
