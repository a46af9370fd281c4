import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { Post } from '@tributary/core';
import { normalizeAuthor, normalizePostView } from './normalize-post.js';
import { postFromRecord, recordSuffices } from './record-post.js';

// Views recorded from the reference network (libs/testing record-bluesky-fixtures.ts): the record
// each carries is what a stream event of that post carries.
interface View {
  uri: string;
  cid: string;
  author: unknown;
  record: Record<string, unknown>;
  indexedAt: string;
}
const recorded = JSON.parse(
  readFileSync(new URL('../test/fixtures/timeline.json', import.meta.url), 'utf8'),
) as { posts: Record<string, { uri: string } | null>; feed: { post: View; reason?: unknown }[] };

function view(name: string): View {
  const uri = recorded.posts[name]!.uri;
  return recorded.feed.find((e) => e.post.uri === uri && !e.reason)!.post;
}

function fromRecord(v: View) {
  return postFromRecord({
    uri: v.uri,
    cid: v.cid,
    record: v.record,
    author: normalizeAuthor(v.author)!,
    seenAt: v.indexedAt,
  });
}

/** What only the AppView's view has: counts, labelers' labels, the view itself as `raw`. */
function withoutViewOnly(post: Post) {
  const { raw: _raw, counts: _counts, ...rest } = post;
  return { ...rest, labels: post.labels.filter((l) => l.source === post.author.networkId) };
}

describe('postFromRecord', () => {
  it.each(['richText', 'reply', 'selfLabelled', 'linkCard'])(
    'gives the post the AppView’s view gives, but for counts and labelers’ labels (%s)',
    (name) => {
      const v = view(name);
      const built = fromRecord(v);
      const hydrated = normalizePostView(v);
      if (!built.ok || !hydrated.ok) throw new Error('not normalized');
      const expected = withoutViewOnly(hydrated.post);
      // A link card's thumbnail is a blob: its URL comes with the view.
      if (expected.linkCard) expected.linkCard = { ...expected.linkCard, imageUrl: null };
      expect(withoutViewOnly(built.post)).toEqual(expected);
      expect(built.post.counts).toEqual({ replies: 0, reposts: 0, likes: 0, quotes: 0 });
    },
  );

  it.each(['image', 'video', 'quote', 'recordWithMedia'])(
    'declines a record whose embed needs the view (%s)',
    (name) => {
      const v = view(name);
      expect(recordSuffices(v.record)).toBe(false);
      expect(fromRecord(v)).toMatchObject({ ok: false });
    },
  );

  it('declines a malformed record with the reason', () => {
    const v = view('richText');
    const result = fromRecord({ ...v, record: { ...v.record, createdAt: 'yesterday' } });
    expect(result).toMatchObject({ ok: false, skipped: { reason: expect.stringMatching(/createdAt/) } });
  });
});
