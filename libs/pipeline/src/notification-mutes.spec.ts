import { describe, expect, it } from '@jest/globals';
import type { Author, Post } from '@tributary/core';
import { compileNotificationMutes } from './notification-mutes.js';

const carol: Author = {
  network: 'BLUESKY',
  networkId: 'did:plc:carol',
  handle: 'carol.test',
  displayName: null,
  avatarUrl: null,
  bot: false,
};
const dave: Author = { ...carol, networkId: 'did:plc:dave', handle: 'dave.test' };

function post(author: Author, text: string): Post {
  return {
    network: 'BLUESKY',
    uri: `at://${author.networkId}/app.bsky.feed.post/${text.length}`,
    nativeId: 'cid',
    webUrl: null,
    author,
    text,
    richText: { segments: [{ type: 'text', text }] },
    languages: [],
    createdAt: '2026-12-01T00:00:00.000Z',
    indexedAt: '2026-12-01T00:00:00.000Z',
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
    raw: null,
  };
}

const spec = {
  name: 'Home',
  stages: [
    { use: 'score/recency', with: { halfLifeHours: 6 } },
    { use: 'mute-words', with: { words: ['crypto'] } },
    { use: 'mute-authors', with: { authors: ['dave.test'] } },
  ],
};
const at = '2026-12-01T00:00:00.000Z';

describe('notification mutes', () => {
  it('hides a mention with a muted word and any notification of a muted author, saying which stage', async () => {
    const mutes = compileNotificationMutes(spec);
    const [mention, reply, like, follow, likeOfMine] = await mutes.judge([
      { nativeId: '1', kind: 'MENTION', createdAt: at, actor: carol, post: post(carol, 'buy crypto now') },
      { nativeId: '2', kind: 'REPLY', createdAt: at, actor: carol, post: post(carol, 'nice cryptography') },
      { nativeId: '3', kind: 'LIKE', createdAt: at, actor: dave, post: post(carol, 'hello') },
      { nativeId: '4', kind: 'FOLLOW', createdAt: at, actor: dave, post: null },
      // A like of the member's own post about a muted topic: the liker wrote nothing muted.
      { nativeId: '5', kind: 'LIKE', createdAt: at, actor: carol, post: post(carol, 'crypto') },
    ]);
    expect(mention).toMatchObject({ hidden: true, hiddenReason: expect.stringMatching(/crypto/) });
    expect(mention!.decisions).toEqual([
      expect.objectContaining({ stage: 'mute-words', index: 1, verdict: 'hide' }),
    ]);
    expect(reply).toEqual({ hidden: false, hiddenReason: null, decisions: [] });
    expect(like!.decisions).toEqual([
      expect.objectContaining({ stage: 'mute-authors', index: 2, verdict: 'hide' }),
    ]);
    expect(follow!.hidden).toBe(true);
    expect(likeOfMine!.hidden).toBe(false);
  });

  it('shows everything when the pipeline mutes nothing', async () => {
    const mutes = compileNotificationMutes({ name: 'x', stages: [{ use: 'hide-reposts' }] });
    expect(
      await mutes.judge([{ nativeId: '1', kind: 'FOLLOW', createdAt: at, actor: dave, post: null }]),
    ).toEqual([{ hidden: false, hiddenReason: null, decisions: [] }]);
  });
});
