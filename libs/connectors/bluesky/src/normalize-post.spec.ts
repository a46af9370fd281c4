import { readFileSync } from 'node:fs';
import { BSKY_LABELER_DID } from '@atproto/api';
import { describe, expect, it } from '@jest/globals';
import type { IngestedItem, RichTextSegment } from '@tributary/core';
import { normalizeFeedViewPost, normalizePostView } from './normalize-post.js';

// Recorded from @atproto/dev-env by libs/testing/src/bluesky/record-bluesky-fixtures.ts (seed-timeline.ts there says what was posted).
interface Ref {
  uri: string;
  cid: string;
}
const recorded = JSON.parse(
  readFileSync(new URL('../test/fixtures/timeline.json', import.meta.url), 'utf8'),
) as {
  posts: Record<string, Ref | null>;
  richTextText: string;
  feed: Array<{ post: { uri: string; author: { did: string } }; reason?: { uri?: string } }>;
};
const malformed = JSON.parse(
  readFileSync(new URL('../test/fixtures/malformed.json', import.meta.url), 'utf8'),
) as Array<{
  name: string;
  expect: string;
  entry: unknown;
}>;

const ref = (name: string): Ref => {
  const r = recorded.posts[name];
  if (!r) throw new Error(`fixture has no ${name}`);
  return r;
};

function fixture(name: string, opts: { repost?: boolean } = {}): (typeof recorded.feed)[number] {
  const { uri } = ref(name);
  const entry = recorded.feed.find((e) => e.post.uri === uri && Boolean(e.reason) === Boolean(opts.repost));
  if (!entry) throw new Error(`fixture timeline has no entry for ${name}`);
  return entry;
}

function item(name: string, opts: { repost?: boolean } = {}): IngestedItem {
  const entry = fixture(name, opts);
  const result = normalizeFeedViewPost(entry);
  if (!result.ok) throw new Error(`${name} was skipped: ${result.skipped.reason}`);
  return result.item;
}

const alice = () => item('richText').post.author;
const bob = () => item('quote').post.author;

describe('normalizeFeedViewPost on a recorded dev-env timeline', () => {
  it('normalizes every recorded entry', () => {
    for (const entry of recorded.feed) expect(normalizeFeedViewPost(entry).ok).toBe(true);
  });

  it('turns text and facets into rich text with UTF-8 offsets resolved, emoji included', () => {
    const { post } = item('richText');
    expect(post.text).toBe(recorded.richTextText);
    expect(post.richText.segments.map((s) => s.text).join('')).toBe(post.text);
    const byType = (t: RichTextSegment['type']) => post.richText.segments.filter((s) => s.type === t);
    expect(byType('mention')).toEqual([
      { type: 'mention', text: `@${bob().handle}`, networkId: bob().networkId, handle: bob().handle },
    ]);
    expect(byType('link')).toEqual([
      { type: 'link', text: 'https://example.com/a?b=1', url: 'https://example.com/a?b=1' },
    ]);
    expect(byType('hashtag')).toEqual([{ type: 'hashtag', text: '#Tributary', tag: 'Tributary' }]);
    expect(byType('linebreak')).toHaveLength(1);
    expect(post.richText.segments[2]).toEqual({ type: 'text', text: ' 👋🏽 read ' });
    expect(post.hashtags).toEqual(['Tributary']);
    expect(post.languages).toEqual(['en', 'de']);
    expect(post.network).toBe('BLUESKY');
    expect(post.nativeId).toBe(ref('richText').cid);
    expect(post.webUrl).toBe(`https://bsky.app/profile/${alice().handle}/post/${post.uri.split('/').pop()}`);
    expect(post.counts).toEqual({ replies: 1, reposts: 1, likes: 0, quotes: 1 });
    expect(Date.parse(post.createdAt)).toBeLessThanOrEqual(Date.parse(post.indexedAt) + 1000);
    expect(post.raw).toBeDefined();
  });

  it('keeps reply parent and root, with the author and text the feed showed beside the reply', () => {
    const { post } = item('reply');
    const parent = {
      uri: ref('richText').uri,
      authorNetworkId: alice().networkId,
      authorHandle: alice().handle,
      authorDisplayName: alice().displayName,
      text: recorded.richTextText,
    };
    expect(post.replyParent).toEqual(parent);
    expect(post.replyRoot).toEqual(parent);
    expect(item('richText').post.replyParent).toBeNull();
  });

  it('takes no reply context from a deleted or blocked parent, nor from a view of another post', () => {
    const entry = fixture('reply') as unknown as { reply: { parent: Record<string, unknown> } };
    const parentUri = ref('richText').uri;
    const variants = [
      { $type: 'app.bsky.feed.defs#notFoundPost', uri: parentUri, notFound: true },
      {
        $type: 'app.bsky.feed.defs#blockedPost',
        uri: parentUri,
        blocked: true,
        author: { did: alice().networkId },
      },
      { ...entry.reply.parent, uri: `${parentUri}x` },
    ];
    for (const parent of variants) {
      const result = normalizeFeedViewPost({ ...entry, reply: { ...entry.reply, parent } });
      if (!result.ok) throw new Error(result.skipped.reason);
      expect(result.item.post.replyParent).toEqual({ uri: parentUri, authorNetworkId: alice().networkId });
    }
  });

  it('a post view (getPosts) has no reply context: only the refs', () => {
    const result = normalizePostView(fixture('reply').post);
    if (!result.ok) throw new Error(result.skipped.reason);
    expect(result.post.replyParent).toEqual({ uri: ref('richText').uri, authorNetworkId: alice().networkId });
  });

  it('gives a repost entry the reposter and the repost record as reason', () => {
    const { post, reason } = item('richText', { repost: true });
    expect(post.uri).toBe(ref('richText').uri);
    expect(reason?.by.networkId).toBe(bob().networkId);
    expect(reason?.uri).toBe(ref('repost').uri);
    expect(Number.isNaN(Date.parse(reason?.at ?? ''))).toBe(false);
    expect(item('richText').reason).toBeNull();
  });

  it('embeds the quoted post', () => {
    const { post } = item('quote');
    expect(post.quote?.uri).toBe(ref('richText').uri);
    expect(post.quote?.text).toBe(recorded.richTextText);
    expect(post.quote?.author.networkId).toBe(alice().networkId);
    expect(post.quote?.richText.segments.some((s) => s.type === 'mention')).toBe(true);
  });

  it('keeps images with alt text and aspect ratio', () => {
    const { post } = item('image');
    expect(post.media).toHaveLength(1);
    expect(post.media[0]).toMatchObject({ type: 'image', altText: 'A red rectangle', width: 4, height: 3 });
    expect(post.media[0]?.url).toContain('/img/feed_fullsize/');
    expect(post.media[0]?.previewUrl).toContain('/img/feed_thumbnail/');
  });

  it('keeps a record-with-media: the quote and its own media', () => {
    const { post } = item('recordWithMedia');
    expect(post.quote?.uri).toBe(ref('image').uri);
    expect(post.quote?.media[0]?.altText).toBe('A red rectangle');
    expect(post.media.map((m) => m.altText)).toEqual(['Another rectangle']);
  });

  it('keeps link cards', () => {
    const { post } = item('linkCard');
    expect(post.linkCard).toMatchObject({
      url: 'https://example.com/article',
      title: 'An article',
      description: 'What it is about',
    });
    expect(post.linkCard?.imageUrl).toContain('/img/');
    expect(post.media).toEqual([]);
  });

  it('keeps video with its playlist, thumbnail, alt text and aspect ratio', () => {
    const { post } = item('video');
    expect(post.media).toEqual([
      expect.objectContaining({ type: 'video', altText: 'A short clip', width: 16, height: 9 }),
    ]);
    expect(post.media[0]?.url).toMatch(/playlist\.m3u8$/);
    expect(post.media[0]?.previewUrl).toMatch(/thumbnail/);
  });

  it('tells self-labels from labeler labels', () => {
    const self = item('selfLabelled').post;
    expect(self.labels).toEqual([{ value: 'graphic-media', source: alice().networkId, action: 'blur' }]);
    expect(self.sensitive).toBe(true);
    // A labeler the viewer subscribes to labels for that viewer only: personal, and kept out of the
    // native record other members share.
    const labelled = item('labellerLabelled').post;
    expect(labelled.labels).toEqual([
      { value: 'rude', source: 'did:example:labeler', action: null, personal: true },
    ]);
    expect(labelled.sensitive).toBe(false);
    expect(JSON.stringify(labelled.raw)).not.toContain('did:example:labeler');
    expect(item('image').post.labels).toEqual([]);
  });

  it("keeps the labels of Bluesky's own moderation service on the post, and a labeler's apart", () => {
    const view = structuredClone(fixture('labellerLabelled')) as {
      post: { uri: string; labels?: unknown[] };
    };
    const label = (src: string, val: string) => ({
      src,
      uri: view.post.uri,
      val,
      cts: '2026-11-23T10:00:00.000Z',
    });
    view.post.labels = [label(BSKY_LABELER_DID, 'porn'), label('did:plc:mylabeler', '!hide')];
    const result = normalizeFeedViewPost(view);
    if (!result.ok) throw new Error(result.skipped.reason);
    const { post } = result.item;
    expect(post.labels).toEqual([
      { value: 'porn', source: BSKY_LABELER_DID, action: 'blur' },
      { value: '!hide', source: 'did:plc:mylabeler', action: 'hide', personal: true },
    ]);
    // Only the post's own labels make it sensitive.
    expect(post.sensitive).toBe(true);
    expect(JSON.stringify(post.raw)).not.toContain('did:plc:mylabeler');
    expect(JSON.stringify(post.raw)).toContain(BSKY_LABELER_DID);
  });
});

describe('malformed records', () => {
  it.each(malformed.map((c) => [c.name, c] as const))('%s is skipped with a reason', (_name, c) => {
    const result = normalizeFeedViewPost(c.entry);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.skipped.reason).toContain(c.expect);
      expect(result.skipped.record).toBe(c.entry);
    }
  });

  it('ignores broken facets instead of skipping the post', () => {
    const entry = structuredClone(
      recorded.feed.find((e) => e.post.uri === ref('richText').uri && !e.reason),
    ) as unknown as {
      post: { record: { facets: unknown[] } };
    };
    entry.post.record.facets = [
      {
        index: { byteStart: 21, byteEnd: 23 },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://x' }],
      }, // inside an emoji
      {
        index: { byteStart: 0, byteEnd: 9999 },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'x' }],
      },
      { index: { byteStart: 0, byteEnd: 2 }, features: [{ $type: 'app.bsky.richtext.facet#unknown' }] },
      'garbage',
    ];
    const result = normalizeFeedViewPost(entry);
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(
        result.item.post.richText.segments.every((s) => s.type === 'text' || s.type === 'linebreak'),
      ).toBe(true);
  });

  it('normalizePostView reports a reason too', () => {
    expect(normalizePostView(null)).toEqual({
      ok: false,
      skipped: { reason: 'post is not an object', record: null },
    });
  });
});
