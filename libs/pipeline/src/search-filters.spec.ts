import { describe, expect, it } from '@jest/globals';
import type { Author, Post } from '@tributary/core';
import { compileSearchFilters } from './search-filters.js';

const carol: Author = {
  network: 'MASTODON',
  networkId: 'https://example.social/users/carol',
  handle: 'carol@example.social',
  displayName: null,
  avatarUrl: null,
  bot: false,
};
const bridge: Author = {
  network: 'BLUESKY',
  networkId: 'did:plc:bridge',
  handle: 'carol.example.social.ap.brid.gy',
  displayName: null,
  avatarUrl: null,
  bot: false,
};

function post(author: Author, n: number, text: string, raw: unknown = null): Post {
  const mastodon = author.network === 'MASTODON';
  return {
    network: author.network,
    uri: mastodon
      ? `https://example.social/users/carol/statuses/${n}`
      : `at://${author.networkId}/app.bsky.feed.post/${n}`,
    nativeId: String(n),
    webUrl: mastodon ? `https://example.social/@carol/${n}` : null,
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
    raw,
  };
}

const found = (p: Post, account: string) => ({
  post: p,
  reason: null,
  seenIn: [{ network: p.network, linkedAccountId: account, sourceId: 'search', uri: p.uri }],
});

describe('search filters', () => {
  it("hides what the member's mute stages hide, naming the stage's place in their pipeline", async () => {
    const filters = compileSearchFilters({
      name: 'Home',
      stages: [
        { use: 'score/recency', with: { halfLifeHours: 6 } },
        { use: 'mute-words', with: { words: ['tusk'] } },
      ],
    });
    const [muted, kept] = await filters.judge([
      found(post(carol, 1, 'a walrus tusk'), 'm'),
      found(post(carol, 2, 'a walrus'), 'm'),
    ]);
    expect(muted).toMatchObject({ hidden: true, hiddenReason: expect.stringMatching(/tusk/) });
    expect(muted!.decisions).toEqual([
      expect.objectContaining({ stage: 'mute-words', index: 1, verdict: 'hide' }),
    ]);
    expect(kept).toMatchObject({ hidden: false, decisions: [] });
  });

  it('merges a Bridgy Fed copy (its view as the network gave it) into the original, even without a dedupe stage', async () => {
    const filters = compileSearchFilters({ name: 'Bare', stages: [] });
    const original = post(carol, 7, 'walrus news');
    const copy = post(bridge, 7, 'walrus news', { record: { bridgyOriginalUrl: original.webUrl } });
    const [fromBluesky, fromMastodon] = await filters.judge([found(copy, 'b'), found(original, 'm')]);
    expect(fromBluesky).toMatchObject({ duplicateOf: original.uri });
    expect(fromMastodon).toMatchObject({ hidden: false, duplicateOf: null });
    expect(fromMastodon!.seenIn.map((s) => s.linkedAccountId).sort()).toEqual(['b', 'm']);
    expect(fromMastodon!.decisions).toEqual([
      expect.objectContaining({ stage: 'dedupe-crossposts', index: -1, verdict: 'merge' }),
    ]);
  });
});
