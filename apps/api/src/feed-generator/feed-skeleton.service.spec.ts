import { describe, expect, it } from '@jest/globals';
import { readCursor } from '@tributary/timeline';
import { MAX_SCANNED, skeletonPage } from './feed-skeleton.service.js';
import type { SkeletonRow } from './feed-skeleton.service.js';

const PIPELINE = '00000000-0000-4000-8000-000000000001';

/** Entry n of the walk (rank falling with n); `post` null for a Mastodon post without a copy. */
const row = (n: number, post: string | null = `at://did:plc:a/app.bsky.feed.post/${n}`): SkeletonRow => ({
  pipelineId: PIPELINE,
  owner: true,
  id: String(1000 + n),
  rankKey: 1e6 - n,
  post,
  repost: null,
  n,
});
const entryOf = (cursor: string | undefined) => (cursor ? Number(readCursor(cursor).entryId) - 1000 : null);

describe('skeletonPage', () => {
  it('answers `limit` items, with a cursor after the last one when the statement found one more', () => {
    const page = skeletonPage(PIPELINE, 2, [row(1), row(2, null), row(3), row(4)]);
    expect(page.feed.map((i) => i.feedContext)).toEqual(['1001', '1003']);
    expect(entryOf(page.cursor)).toBe(3);
    expect(skeletonPage(PIPELINE, 2, [row(1), row(3)])).toEqual({ feed: expect.any(Array) });
  });

  it('past MAX_SCANNED entries, ends the page at the last one read (the walk resumes after it)', () => {
    const rows = [row(1), row(MAX_SCANNED, null), row(MAX_SCANNED + 1), row(MAX_SCANNED + 2)];
    const page = skeletonPage(PIPELINE, 10, rows);
    expect(page.feed.map((i) => i.feedContext)).toEqual(['1001']); // nothing past the cap
    expect(entryOf(page.cursor)).toBe(MAX_SCANNED);
  });

  it('ends the feed when MAX_SCANNED entries in a row cannot be shown (never an empty page with a cursor)', () => {
    expect(skeletonPage(PIPELINE, 10, [row(MAX_SCANNED, null), row(MAX_SCANNED + 1)])).toEqual({ feed: [] });
  });

  it('gives a repost its reason, and nothing else a reason', () => {
    const repost = 'at://did:plc:b/app.bsky.feed.repost/r1';
    const page = skeletonPage(PIPELINE, 5, [
      { ...row(1), repost },
      { ...row(2), repost: 'https://mastodon.example/boost/1' },
    ]);
    expect(page.feed[0]!.reason).toEqual({ $type: 'app.bsky.feed.defs#skeletonReasonRepost', repost });
    expect(page.feed[1]!.reason).toBeUndefined();
  });
});
