import { describe, expect, it } from '@jest/globals';
import { decodeSearchCursor, encodeSearchCursor, shownKey } from './search-cursor.js';
import type { SearchState } from './search-cursor.js';
import type { Profile } from '@tributary/core';
import { advance, mergeHashtags, mergePeople, mergeStreams } from './search-merge.js';

const hits = (times: number[], last: string | null = 'more') =>
  times.map((t, i) => ({ value: t, after: i + 1 < times.length ? `at${t}` : last }));

describe('mergeStreams', () => {
  it('merges newest first, keeping each stream in its own order, and counts what it took', () => {
    const streams = [
      { accountId: 'bsky', hits: hits([9, 7, 3]) },
      { accountId: 'masto', hits: hits([8, 2]) },
    ];
    const { taken, counts } = mergeStreams(streams, 4, (t) => t);
    expect(taken.map((t) => `${t.accountId}:${t.value}`)).toEqual(['bsky:9', 'masto:8', 'bsky:7', 'bsky:3']);
    expect(counts).toEqual(
      new Map([
        ['bsky', 3],
        ['masto', 1],
      ]),
    );
  });

  it('takes turns without a time', () => {
    const streams = [
      { accountId: 'a', hits: hits([1, 2, 3]) },
      { accountId: 'b', hits: hits([4]) },
    ];
    const { taken } = mergeStreams(streams, 10);
    expect(taken.map((t) => t.value)).toEqual([1, 4, 2, 3]);
  });
});

describe('advance', () => {
  const before: SearchState = new Map([
    ['a', { cursor: null, done: false }],
    ['b', { cursor: 'b0', done: false }],
    ['failed', { cursor: 'f3', done: false }],
  ]);

  it('moves each stream to just after its last hit taken, and keeps the place of the others', () => {
    const streams = [
      { accountId: 'a', hits: hits([9, 7, 3]) },
      { accountId: 'b', hits: hits([2]) },
      { accountId: 'c', hits: [] },
    ];
    const next = advance(
      before,
      streams,
      new Map([
        ['a', 2],
        ['b', 0],
        ['c', 0],
      ]),
    );
    expect(next.get('a')).toEqual({ cursor: 'at7', done: false });
    expect(next.get('b')).toEqual({ cursor: 'b0', done: false }); // nothing taken: same place
    expect(next.get('c')).toEqual({ cursor: null, done: true }); // answered nothing: done
    expect(next.get('failed')).toEqual({ cursor: 'f3', done: false }); // tried again next page
  });

  it('is done with a stream whose last hit was taken', () => {
    const next = advance(before, [{ accountId: 'a', hits: hits([5, 4], null) }], new Map([['a', 2]]));
    expect(next.get('a')).toEqual({ cursor: null, done: true });
  });
});

describe('search cursor', () => {
  const state: SearchState = new Map([
    ['a', { cursor: '3:abc', done: false }],
    ['b', { cursor: null, done: true }],
    ['c', { cursor: null, done: false }],
  ]);

  it('carries every position, for the same search only', () => {
    const shown = ['https://a/1', 'at://b/2'].map(shownKey);
    const after = encodeSearchCursor('POSTS', 'walrus', { positions: state, shown });
    expect(decodeSearchCursor('POSTS', 'walrus', after)).toEqual({ positions: state, shown });
    expect(() => decodeSearchCursor('PEOPLE', 'walrus', after)).toThrow(
      /^after: this cursor belongs to another search/,
    );
    expect(() => decodeSearchCursor('POSTS', 'seal', after)).toThrow(/another search/);
    expect(() => decodeSearchCursor('POSTS', 'walrus', 'garbage')).toThrow(/^after: not a cursor/);
  });
});

const person = (network: 'BLUESKY' | 'MASTODON', networkId: string, handle: string): Profile => ({
  network,
  networkId,
  handle,
  displayName: null,
  avatarUrl: null,
  bot: false,
  bio: '',
  bannerUrl: null,
  webUrl: null,
  followersCount: null,
  followingCount: null,
  postsCount: null,
  relationship: { following: false, followedBy: false, muted: false, blocked: false, blockedBy: false },
});

describe('mergePeople', () => {
  it('makes an account and its Bridgy Fed copy one person, the original standing for them', () => {
    const copy = person('BLUESKY', 'did:plc:copy', 'alice.example.social.ap.brid.gy');
    const alice = person('MASTODON', 'https://example.social/users/alice', 'alice@example.social');
    const bob = person('BLUESKY', 'did:plc:bob', 'bob.test');
    const merged = mergePeople([
      { accountId: 'b', value: copy },
      { accountId: 'm', value: alice },
      { accountId: 'b', value: bob },
      { accountId: 'b2', value: bob }, // found again through another account
    ]);
    expect(merged.map((p) => [p.profile.handle, p.linkedAccountId, p.sameAs.map((a) => a.handle)])).toEqual([
      ['alice@example.social', 'm', ['alice.example.social.ap.brid.gy']],
      ['bob.test', 'b', []],
    ]);
  });
});

describe('mergeHashtags', () => {
  it('makes one hashtag of a name on both networks, its counts added', () => {
    const merged = mergeHashtags(
      [
        {
          accountId: 'b',
          value: { name: 'Walrus', webUrl: 'https://bsky.app/hashtag/Walrus', usesLastWeek: null },
        },
        {
          accountId: 'm',
          value: { name: 'walrus', webUrl: 'https://example.social/tags/walrus', usesLastWeek: 3 },
        },
        { accountId: 'm', value: { name: 'walruses', webUrl: null, usesLastWeek: 1 } },
      ],
      (id) => (id === 'b' ? 'BLUESKY' : 'MASTODON'),
    );
    expect(merged).toEqual([
      {
        name: 'Walrus',
        networks: ['BLUESKY', 'MASTODON'],
        webUrl: 'https://bsky.app/hashtag/Walrus',
        usesLastWeek: 3,
      },
      { name: 'walruses', networks: ['MASTODON'], webUrl: null, usesLastWeek: 1 },
    ]);
  });
});
