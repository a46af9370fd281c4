// A post built from its record as an event stream carried it (a Jetstream commit, a firehose
// create), before the AppView has indexed it: text, facets, langs, tags, reply refs, createdAt and
// self-labels are all in the record, the author comes from what the caller knows of the account.
// What only the AppView's view has (counts, labelers' labels, media URLs, the quoted post) comes
// with a later `getPosts`. The record is normalized the way a view's record is (normalize-post.ts),
// so both give the same post for the same record.
import type { Author, Post, SkippedItem } from '@tributary/core';
import { normalizePostView } from './normalize-post.js';

export interface StreamedPost {
  uri: string;
  cid: string;
  /** The `app.bsky.feed.post` record, as JSON. */
  record: Record<string, unknown>;
  author: Author;
  /** When the stream saw it (ISO-8601): the post's `indexedAt` until the AppView's view replaces it. */
  seenAt: string;
}

export type RecordPost = { ok: true; post: Post } | { ok: false; skipped: SkippedItem };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The embed's view as far as the record alone gives it, or `false` when showing the post without
 * the AppView's view would misrepresent it: images, video and galleries need their URLs, a quote
 * the quoted post. A link card is whole but for its thumbnail (a blob the view gives a URL for).
 */
function embedView(record: Obj): Obj | undefined | false {
  const embed = record.embed;
  if (embed === undefined) return undefined;
  if (!isObject(embed) || embed.$type !== 'app.bsky.embed.external' || !isObject(embed.external))
    return false;
  const { uri, title, description } = embed.external;
  return { $type: 'app.bsky.embed.external#view', external: { uri, title, description } };
}

/** True when the record alone shows the post as the AppView would (but for counts and labelers' labels). */
export function recordSuffices(record: Record<string, unknown>): boolean {
  return embedView(record) !== false;
}

/**
 * The post of a streamed record, or why not: a malformed record, or one that needs the AppView's
 * view to be shown (see recordSuffices).
 */
export function postFromRecord(streamed: StreamedPost): RecordPost {
  const { uri, cid, record, author } = streamed;
  const embed = embedView(record);
  if (embed === false)
    return { ok: false, skipped: { reason: 'the record needs the AppView’s view', record } };
  return normalizePostView({
    $type: 'app.bsky.feed.defs#postView',
    uri,
    cid,
    author: {
      did: author.networkId,
      handle: author.handle,
      ...(author.displayName !== null ? { displayName: author.displayName } : {}),
      ...(author.avatarUrl !== null ? { avatar: author.avatarUrl } : {}),
      labels: author.bot ? [{ src: author.networkId, uri: author.networkId, val: 'bot' }] : [],
    },
    record,
    ...(embed ? { embed } : {}),
    indexedAt: streamed.seenAt,
    labels: [],
  });
}
