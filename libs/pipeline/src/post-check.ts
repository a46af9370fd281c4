// Stored posts come back from the database as JSON written by a connector, possibly an older one:
// a post with a missing or mistyped field must not take its whole batch down with a TypeError in
// some stage. The engine checks each post's shape once, before any stage runs, and hides a
// malformed one with the reason recorded.
//
// The check reads every part of a post the built-in stages dereference (text, author, the arrays,
// counts), in one tight pass over the batch: the CPU then has many of those cache misses in flight
// at once instead of meeting them one by one inside the stages, which made this pass pay for
// itself several times over on the 1M-post bench (tools/bench/pipeline-engine.bench.ts).

import type { Post } from '@tributary/core';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** `field missing` or `field is not <what>`. */
function wrong(field: string, value: unknown, what: string): string {
  return value === undefined ? `${field} missing` : `${field} is not ${what}`;
}

function stringsProblem(field: string, list: unknown): string | null {
  if (!Array.isArray(list)) return wrong(field, list, 'a list');
  for (let i = 0; i < list.length; i++)
    if (typeof list[i] !== 'string') return `${field}[${i}] is not a string`;
  return null;
}

function mediaProblem(field: string, media: unknown): string | null {
  if (!Array.isArray(media)) return wrong(field, media, 'a list');
  for (let i = 0; i < media.length; i++) {
    const m: unknown = media[i];
    if (!isObject(m) || (m.altText !== null && typeof m.altText !== 'string'))
      return `${field}[${i}] is not a media item`;
  }
  return null;
}

/** Why the stages cannot run on `post`, or null when its shape is sound (values are not judged). */
export function malformation(post: Post): string | null {
  // Typed as a Post, but read as what the database may hold.
  const p = post as unknown as Record<string, unknown>;
  if (typeof p.createdAt !== 'string') return wrong('createdAt', p.createdAt, 'a string');
  if (typeof p.text !== 'string') return wrong('text', p.text, 'a string');
  const author = p.author;
  if (!isObject(author) || typeof author.networkId !== 'string' || typeof author.handle !== 'string')
    return wrong('author', author, 'an author with networkId and handle');
  const problem =
    stringsProblem('languages', p.languages) ??
    stringsProblem('hashtags', p.hashtags) ??
    mediaProblem('media', p.media);
  if (problem !== null) return problem;
  const labels = p.labels;
  if (!Array.isArray(labels)) return wrong('labels', labels, 'a list');
  for (let i = 0; i < labels.length; i++) {
    const label: unknown = labels[i];
    if (!isObject(label) || typeof label.value !== 'string') return `labels[${i}] is not a label`;
  }
  const rich = p.richText;
  if (!isObject(rich) || !Array.isArray(rich.segments)) return wrong('richText', rich, 'rich text');
  const counts = p.counts;
  if (!isObject(counts)) return wrong('counts', counts, 'an object');
  if (p.contentWarning !== null && typeof p.contentWarning !== 'string')
    return wrong('contentWarning', p.contentWarning, 'a string or null');
  const card = p.linkCard;
  if (card !== null && !(isObject(card) && typeof card.title === 'string'))
    return wrong('linkCard', card, 'a link card or null');
  if (p.replyParent !== null && !isObject(p.replyParent))
    return wrong('replyParent', p.replyParent, 'a post reference or null');
  const quote = p.quote;
  if (quote !== null) {
    if (!isObject(quote) || typeof quote.text !== 'string') return wrong('quote', quote, 'a post or null');
    if (quote.contentWarning !== null && typeof quote.contentWarning !== 'string')
      return wrong('quote.contentWarning', quote.contentWarning, 'a string or null');
    return mediaProblem('quote.media', quote.media);
  }
  return null;
}
