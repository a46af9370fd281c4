import { describe, expect, it } from '@jest/globals';
import { NewerScan, feedItemKey, feedItemSortTime, recordFeedKey, seenFeedKeys } from './feed-marker.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const min = 60_000;

// The fields of app.bsky.feed.defs#feedViewPost the marker looks at.
function post(rkey: string, createdMs: number, indexedMs = createdMs) {
  return {
    post: {
      uri: `at://did:plc:alice/app.bsky.feed.post/${rkey}`,
      indexedAt: new Date(indexedMs).toISOString(),
      record: { createdAt: new Date(createdMs).toISOString() },
    },
  };
}
function repost(of: ReturnType<typeof post>, rkey: string, atMs: number) {
  return {
    ...of,
    reason: {
      $type: 'app.bsky.feed.defs#reasonRepost',
      by: { did: 'did:plc:bob' },
      uri: `at://did:plc:bob/app.bsky.feed.repost/${rkey}`,
      indexedAt: new Date(atMs).toISOString(),
    },
  };
}

function pass(marker: string | null, entries: unknown[], chronological = true) {
  const scan = new NewerScan(marker, chronological, 15 * min);
  const verdicts: string[] = [];
  for (const e of entries) {
    const v = scan.classify(feedItemKey(e), feedItemSortTime(e));
    verdicts.push(v);
    if (v === 'stop') break;
  }
  return { verdicts, marker: scan.marker() };
}

describe('feed items', () => {
  it('keys a repost by its repost record, not the reposted post', () => {
    const p = post('a', T0);
    expect(feedItemKey(p)).toBe(p.post.uri);
    expect(feedItemKey(repost(p, 'r1', T0 + min))).toBe('repost:at://did:plc:bob/app.bsky.feed.repost/r1');
    expect(feedItemKey({ nope: true })).toBeNull();
  });

  it('sorts posts by min(createdAt, indexedAt) and reposts by when they were made', () => {
    expect(feedItemSortTime(post('a', T0 + 10 * min, T0))).toBe(T0); // future-dated createdAt
    expect(feedItemSortTime(post('a', T0, T0 + 10 * min))).toBe(T0); // indexed late
    expect(feedItemSortTime(repost(post('a', T0), 'r', T0 + 5 * min))).toBe(T0 + 5 * min);
  });
});

describe('NewerScan', () => {
  const a = post('a', T0);
  const b = post('b', T0 + min);
  const c = post('c', T0 + 2 * min);
  const old = post('old', T0 - 60 * min);

  it('takes everything on a first sync', () => {
    const first = pass(null, [c, b, a, old]);
    expect(first.verdicts).toEqual(['new', 'new', 'new', 'new']);
    expect(first.marker).not.toBeNull();
  });

  it('skips what it saw, stops below the overlap window, and finds late arrivals inside it', () => {
    const { marker } = pass(null, [c, b, a, old]);
    const d = post('d', T0 + 3 * min);
    const late = post('late', T0 - 5 * min, T0 + 4 * min); // created earlier, indexed only now
    const rb = repost(b, 'rb', T0 + 3 * min); // a repost of a seen post is a new entry
    const next = pass(marker, [d, rb, c, b, a, late, old]);
    expect(next.verdicts).toEqual(['new', 'new', 'seen', 'seen', 'seen', 'new', 'stop']);
    const again = pass(next.marker, [d, rb, c, b, a, late, old]);
    expect(again.verdicts).toEqual(['seen', 'seen', 'seen', 'seen', 'seen', 'seen', 'stop']);
  });

  it('never cuts a ranked feed off by time', () => {
    const { marker } = pass(null, [c], false);
    expect(pass(marker, [old, c, a], false).verdicts).toEqual(['new', 'seen', 'new']);
  });

  it('treats an unreadable marker as a first sync', () => {
    expect(pass('{"v":9}', [a, old]).verdicts).toEqual(['new', 'new']);
    expect(pass('garbage', [a]).verdicts).toEqual(['new']);
  });

  it('keeps the marker small', () => {
    const many = Array.from({ length: 1000 }, (_, i) => post(`p${i}`, T0 - i * 100));
    const { marker } = pass(null, many);
    expect((marker ?? '').length).toBeLessThan(40_000);
  });
});

describe('what a sync has seen, by the records a stream announced', () => {
  it('finds a post and a repost record among the keys of the stored marker', () => {
    const p = post('p1', T0);
    const r = repost(post('p0', T0 - min), 'r1', T0 + min);
    const { marker } = pass(null, [r, p]);
    const seen = seenFeedKeys(marker);
    expect(seen.has(recordFeedKey(p.post.uri))).toBe(true);
    expect(seen.has(recordFeedKey(r.reason.uri))).toBe(true);
    expect(seen.has(recordFeedKey('at://did:plc:alice/app.bsky.feed.post/later'))).toBe(false);
    expect(seenFeedKeys(null).size).toBe(0);
  });
});
