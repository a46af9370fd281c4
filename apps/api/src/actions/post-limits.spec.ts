import { describe, expect, it } from '@jest/globals';
import type { ActionDraft } from '@tributary/core';
import {
  base64Size,
  blueskyProblems,
  countGraphemes,
  draftProblems,
  mastodonLength,
  mastodonProblems,
} from './post-limits.js';

const draft = (over: Partial<ActionDraft> = {}): ActionDraft => ({
  text: 'hi',
  contentWarning: null,
  language: null,
  media: [],
  ...over,
});
const limits = {
  maxCharacters: 500,
  charactersReservedPerUrl: 23,
  maxMediaAttachments: 4,
  supportedMimeTypes: ['image/png'],
  imageSizeLimit: 10,
  quotePosts: true,
};
const png = (bytes: number) => ({
  data: Buffer.alloc(bytes, 1).toString('base64'),
  mimeType: 'image/png',
  altText: null,
});

describe('countGraphemes', () => {
  it('counts what a reader sees as one character once', () => {
    expect(countGraphemes('👍🏽')).toBe(1); // emoji + skin tone modifier
    expect(countGraphemes('e\u0301')).toBe(1); // e + combining acute
    expect(countGraphemes('👨‍👩‍👧')).toBe(1); // ZWJ family
    expect(countGraphemes('日本語')).toBe(3);
    expect(countGraphemes('')).toBe(0);
  });
});

describe('mastodonLength', () => {
  it('counts every URL as the reserved length and remote mentions by the username only', () => {
    expect(mastodonLength(`see https://example.com/${'x'.repeat(100)} now`, null, 23)).toBe(4 + 23 + 4);
    expect(mastodonLength('hi @alice@example.social!', null, 23)).toBe('hi @alice!'.length);
    expect(mastodonLength('@bob hi', null, 23)).toBe(7);
  });

  it('adds the content warning', () => {
    expect(mastodonLength('body', 'spoiler', 23)).toBe(11);
  });
});

describe('base64Size', () => {
  it('gives the decoded size, or null for what is not base64', () => {
    expect(base64Size(Buffer.from('hello').toString('base64'))).toBe(5);
    expect(base64Size('aGk=')).toBe(2);
    expect(base64Size('not base64!')).toBeNull();
    expect(base64Size('abc')).toBeNull();
  });
});

describe('draft problems', () => {
  it('refuses empty posts, bad language tags and non-base64 media', () => {
    expect(draftProblems(draft({ text: ' \n ' }))).toEqual([expect.stringMatching(/needs some text/)]);
    expect(draftProblems(draft({ text: '', media: [png(3)] }))).toEqual([]);
    expect(draftProblems(draft({ language: 'pt-BR' }))).toEqual([]);
    expect(draftProblems(draft({ language: 'Portuguese' }))).toEqual([expect.stringMatching(/language/)]);
    expect(draftProblems(draft({ media: [{ data: '***', mimeType: 'image/png', altText: null }] }))).toEqual([
      expect.stringMatching(/media\[0\]\.data/),
    ]);
  });

  it('Bluesky: 300 graphemes, no content-warning text, 4 images of accepted types and size', () => {
    expect(blueskyProblems(draft({ text: '👍🏽'.repeat(300) }))).toEqual([]);
    expect(blueskyProblems(draft({ text: '👍🏽'.repeat(301) })).map((p) => p.message)).toEqual([
      expect.stringMatching(/^Bluesky: .*301.*at most 300/),
    ]);
    expect(blueskyProblems(draft({ contentWarning: 'cw' }))).toHaveLength(1);
    expect(
      blueskyProblems(draft({ media: [png(1), png(1), png(1), png(1), png(1)] })).map((p) => p.message),
    ).toEqual([expect.stringMatching(/5 images.*at most 4/)]);
    expect(blueskyProblems(draft({ media: [{ ...png(1), mimeType: 'video/mp4' }] }))).toHaveLength(1);
  });

  it("Mastodon: the instance's limits, named in the message", () => {
    expect(mastodonProblems(draft({ text: 'a'.repeat(500) }), limits, 'x.test')).toEqual([]);
    expect(
      mastodonProblems(
        draft({ text: 'a'.repeat(490), contentWarning: 'b'.repeat(11) }),
        limits,
        'x.test',
      ).map((p) => p.message),
    ).toEqual([
      'Mastodon: the text and content warning are 501 characters together, x.test allows at most 500 (URLs count as 23)',
    ]);
    expect(
      mastodonProblems(draft({ text: 'a'.repeat(501) }), limits, 'x.test').map((p) => p.message),
    ).toEqual(['Mastodon: the text is 501 characters, x.test allows at most 500 (URLs count as 23)']);
    expect(mastodonProblems(draft({ media: [png(11)] }), limits, 'x.test').map((p) => p.message)).toEqual([
      expect.stringMatching(/11 bytes.*at most 10/),
    ]);
    expect(
      mastodonProblems(draft({ media: [{ ...png(1), mimeType: 'image/gif' }] }), limits, 'x.test'),
    ).toHaveLength(1);
  });

  it('Mastodon: a quote post only where the instance takes them, and without media', () => {
    expect(mastodonProblems(draft(), limits, 'x.test', { quote: true })).toEqual([]);
    expect(
      mastodonProblems(draft(), { ...limits, quotePosts: false }, 'x.test', { quote: true }).map(
        (p) => p.message,
      ),
    ).toEqual(['Mastodon: x.test does not take quote posts (Mastodon 4.5 and later do)']);
    expect(mastodonProblems(draft(), { ...limits, quotePosts: false }, 'x.test')).toEqual([]);
    expect(
      mastodonProblems(draft({ media: [png(1)] }), limits, 'x.test', { quote: true }).map((p) => p.message),
    ).toEqual(['Mastodon: a quote post takes no media']);
  });
});
