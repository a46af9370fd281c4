// What each network accepts in one post, checked before anything is queued, so the user learns at
// once (with the network and the limit named) instead of from a failed action later.
import type { MastodonPostLimits } from '@tributary/connector-mastodon';
import type { ActionDraft } from '@tributary/core';

/** Bluesky's app.bsky.feed.post `text` limit, in graphemes. */
export const BLUESKY_MAX_GRAPHEMES = 300;
/** app.bsky.embed.images: at most 4 images of at most 1,000,000 bytes each. */
export const BLUESKY_MAX_IMAGES = 4;
export const BLUESKY_MAX_IMAGE_BYTES = 1_000_000;
const BLUESKY_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
/** Mastodon refuses longer media descriptions. */
export const MASTODON_MAX_DESCRIPTION = 1500;

/** A problem with a draft for one network: the message names the network and the limit. */
export interface LimitProblem {
  network: 'BLUESKY' | 'MASTODON';
  message: string;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters: "👍🏽" and "é" (e + combining accent) are one each. */
export function countGraphemes(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/giu;
const REMOTE_MENTION = /(^|[^\p{L}\p{N}_/])@([\p{L}\p{N}_]+)@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;

/**
 * Length as Mastodon counts it (StatusLengthValidator): graphemes of the content warning plus the
 * text, where every URL counts as `charactersReservedPerUrl` and a remote mention `@user@domain`
 * as `@user`. An approximation: Mastodon's URL recognition (twitter-text) also finds a few bare
 * domains, which this counts at their full length, so it can only over-count, never let a too
 * long post through.
 */
export function mastodonLength(
  text: string,
  contentWarning: string | null,
  charactersReservedPerUrl: number,
): number {
  const countable = text
    .replace(URL_PATTERN, 'x'.repeat(charactersReservedPerUrl))
    .replace(REMOTE_MENTION, (_m, before: string, user: string) => `${before}@${user}`);
  return countGraphemes(countable) + countGraphemes(contentWarning ?? '');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of a base64 string, or null when it is not base64. */
export function base64Size(data: string): number | null {
  const clean = data.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) return null;
  return (clean.length / 4) * 3 - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
}

/** Problems that do not depend on the network: empty posts, malformed media, a bad language tag. */
export function draftProblems(draft: ActionDraft): string[] {
  const problems: string[] = [];
  if (!draft.text.trim() && draft.media.length === 0)
    problems.push('text: a post needs some text (or an image)');
  if (draft.language !== null && !/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(draft.language)) {
    problems.push(`language: "${draft.language}" is not a language code such as "en" or "pt-BR"`);
  }
  draft.media.forEach((m, i) => {
    const size = base64Size(m.data);
    if (size === null || size === 0) problems.push(`media[${i}].data: must be the file as non-empty base64`);
  });
  return problems;
}

export function blueskyProblems(draft: ActionDraft): LimitProblem[] {
  const problems: string[] = [];
  const length = countGraphemes(draft.text);
  if (length > BLUESKY_MAX_GRAPHEMES) {
    problems.push(
      `the text is ${length} characters, Bluesky allows at most ${BLUESKY_MAX_GRAPHEMES} (counted in graphemes)`,
    );
  }
  if (draft.contentWarning) {
    problems.push(
      'Bluesky has no content-warning text (only fixed self-labels); leave contentWarning out for Bluesky',
    );
  }
  if (draft.media.length > BLUESKY_MAX_IMAGES) {
    problems.push(`${draft.media.length} images, Bluesky allows at most ${BLUESKY_MAX_IMAGES} per post`);
  }
  draft.media.forEach((m, i) => {
    if (!BLUESKY_IMAGE_TYPES.includes(m.mimeType)) {
      problems.push(
        `media[${i}]: ${m.mimeType} is not an image type Bluesky takes (${BLUESKY_IMAGE_TYPES.join(', ')})`,
      );
    }
    const size = base64Size(m.data) ?? 0;
    if (size > BLUESKY_MAX_IMAGE_BYTES) {
      problems.push(
        `media[${i}]: ${size} bytes, Bluesky allows at most ${BLUESKY_MAX_IMAGE_BYTES} bytes per image`,
      );
    }
  });
  return problems.map((message) => ({ network: 'BLUESKY', message: `Bluesky: ${message}` }));
}

export function mastodonProblems(
  draft: ActionDraft,
  limits: MastodonPostLimits,
  instance: string,
  options: { quote?: boolean } = {},
): LimitProblem[] {
  const problems: string[] = [];
  if (options.quote && !limits.quotePosts) {
    problems.push(`${instance} does not take quote posts (Mastodon 4.5 and later do)`);
  }
  if (options.quote && draft.media.length > 0) {
    problems.push('a quote post takes no media');
  }
  const length = mastodonLength(draft.text, draft.contentWarning, limits.charactersReservedPerUrl);
  if (length > limits.maxCharacters) {
    problems.push(
      `${draft.contentWarning ? 'the text and content warning are' : 'the text is'} ${length} characters${draft.contentWarning ? ' together' : ''}, ${instance} allows at most ${limits.maxCharacters} (URLs count as ${limits.charactersReservedPerUrl})`,
    );
  }
  if (draft.media.length > limits.maxMediaAttachments) {
    problems.push(
      `${draft.media.length} attachments, ${instance} allows at most ${limits.maxMediaAttachments} per post`,
    );
  }
  draft.media.forEach((m, i) => {
    if (limits.supportedMimeTypes && !limits.supportedMimeTypes.includes(m.mimeType)) {
      problems.push(`media[${i}]: ${instance} does not take ${m.mimeType}`);
    }
    const size = base64Size(m.data) ?? 0;
    if (limits.imageSizeLimit !== null && m.mimeType.startsWith('image/') && size > limits.imageSizeLimit) {
      problems.push(
        `media[${i}]: ${size} bytes, ${instance} allows at most ${limits.imageSizeLimit} bytes per image`,
      );
    }
    if (m.altText && countGraphemes(m.altText) > MASTODON_MAX_DESCRIPTION) {
      problems.push(`media[${i}].altText: Mastodon allows at most ${MASTODON_MAX_DESCRIPTION} characters`);
    }
  });
  return problems.map((message) => ({ network: 'MASTODON', message: `Mastodon: ${message}` }));
}
