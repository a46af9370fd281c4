import { describe, expect, it } from '@jest/globals';
import type { Author, Post } from '@tributary/core';
import { IdMap } from '../ids/mastodon-ids.service.js';
import {
  sharedStatus,
  sharedStatusJson,
  statusIdRequests,
  statusJson,
  toStatus,
} from './mastodon-entities.js';
import type { StatusSource } from './mastodon-entities.js';

const author: Author = {
  network: 'BLUESKY',
  networkId: 'did:plc:alice',
  handle: 'alice.test',
  displayName: 'Alice',
  avatarUrl: null,
  bot: false,
};

function post(over: Partial<Omit<Post, 'raw'>> = {}): Omit<Post, 'raw'> {
  return {
    network: 'BLUESKY',
    uri: 'at://did:plc:alice/app.bsky.feed.post/1',
    nativeId: 'cid',
    webUrl: 'https://bsky.app/profile/did:plc:alice/post/1',
    author,
    text: 'hi @bob.test see https://x.example #tag',
    richText: {
      segments: [
        { type: 'text', text: 'hi ' },
        { type: 'mention', text: '@bob.test', networkId: 'did:plc:bob', handle: 'bob.test' },
        { type: 'text', text: ' <b>see</b> ' },
        { type: 'link', text: 'x.example', url: 'https://x.example/' },
        { type: 'linebreak', text: '\n' },
        { type: 'linebreak', text: '\n' },
        { type: 'hashtag', text: '#tag', tag: 'tag' },
        { type: 'link', text: 'bad', url: 'javascript:alert(1)' },
      ],
    },
    languages: ['en'],
    createdAt: '2026-12-01T10:00:00.000Z',
    indexedAt: '2026-12-01T10:00:00.000Z',
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [
      {
        type: 'image',
        url: 'https://cdn.example/a.jpg',
        previewUrl: null,
        altText: 'a cat',
        width: 400,
        height: 200,
        focus: null,
        blurhash: null,
      },
    ],
    linkCard: null,
    counts: { replies: 1, reposts: 2, likes: 3, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: ['tag'],
    ...over,
  };
}

/** Every requested id, numbered in request order (what MastodonIds hands out, minus the database). */
function ids(sources: Pick<StatusSource, 'post' | 'reason'>[]): IdMap {
  const map = new Map<string, string>();
  for (const r of statusIdRequests(sources)) {
    const key = `${r.kind} ${r.key}`;
    if (!map.has(key)) map.set(key, String(1_000_000_000_000_000_000n + BigInt(map.size)));
  }
  return new IdMap(map);
}

const viewer = { favourited: false, reblogged: false, bookmarked: false, ownVotes: null };
const ctx = { baseUrl: 'https://tributary.example' };

describe('a Bluesky post as a Mastodon status', () => {
  it('builds escaped HTML from the facets, with mentions, tags, media alt and aspect', () => {
    const source = { post: post(), reason: null, warnings: [], viewer };
    const status = toStatus(source, ids([source]), ctx);
    expect(status['content']).toBe(
      '<p>hi <span class="h-card"><a href="https://bsky.app/profile/did:plc:bob" class="u-url mention" rel="nofollow noopener noreferrer" target="_blank">@<span>bob.test</span></a></span>' +
        ' &lt;b&gt;see&lt;/b&gt; <a href="https://x.example/" rel="nofollow noopener noreferrer" target="_blank">x.example</a></p>' +
        '<p><a href="https://bsky.app/hashtag/tag" class="mention hashtag" rel="nofollow noopener noreferrer" target="_blank">#<span>tag</span></a>bad</p>',
    );
    expect(status['mentions']).toEqual([expect.objectContaining({ acct: 'bob.test', username: 'bob.test' })]);
    expect(status['tags']).toEqual([{ name: 'tag', url: 'https://bsky.app/hashtag/tag' }]);
    expect(status).toMatchObject({
      media_attachments: [
        { type: 'image', description: 'a cat', meta: { original: { width: 400, height: 200, aspect: 2 } } },
      ],
      account: { acct: 'alice.test', avatar: 'https://tributary.example/avatars/original/missing.png' },
      sensitive: false,
    });
  });

  it('wraps a repost, keeps a quote with a RE: line, marks self-labelled posts sensitive, turns warnings into filters', () => {
    const quoted = {
      ...post({
        uri: 'at://did:plc:bob/app.bsky.feed.post/2',
        webUrl: 'https://bsky.app/profile/did:plc:bob/post/2',
        author: { ...author, networkId: 'did:plc:bob', handle: 'bob.test' },
      }),
      quote: null,
    };
    const source: StatusSource = {
      post: post({ quote: quoted, labels: [{ value: 'nudity', source: 'did:plc:alice', action: null }] }),
      reason: {
        by: { ...author, networkId: 'did:plc:carol', handle: 'carol.test' },
        at: '2026-12-02T10:00:00.000Z',
        uri: 'at://did:plc:carol/app.bsky.feed.repost/9',
      },
      warnings: [{ stage: 'labels', verdict: 'blur', reason: 'nudity' }],
      viewer,
    };
    const map = ids([source]);
    const wrapper = toStatus(source, map, ctx);
    expect(wrapper).toMatchObject({
      account: { acct: 'carol.test' },
      created_at: '2026-12-02T10:00:00.000Z',
      content: '',
      reblog: {
        uri: 'at://did:plc:alice/app.bsky.feed.post/1',
        sensitive: true,
        quote: { state: 'accepted', quoted_status: { uri: 'at://did:plc:bob/app.bsky.feed.post/2' } },
        filtered: [{ filter: { filter_action: 'blur', title: 'nudity' } }],
      },
    });
    const inner = wrapper['reblog'] as Record<string, unknown>;
    expect(wrapper['id']).not.toBe(inner['id']);
    expect([wrapper['edited_at'], inner['edited_at']]).toEqual([null, null]);
    expect(inner['content']).toContain(
      '<p class="quote-inline">RE: <a href="https://bsky.app/profile/did:plc:bob/post/2"',
    );
  });

  it('says when its origin says it was edited, the boost of it not', () => {
    const edited: StatusSource = {
      post: post({ editedAt: '2026-12-01T11:30:00.000Z' }),
      reason: null,
      warnings: [],
      viewer,
    };
    expect(toStatus(edited, ids([edited]), ctx)['edited_at']).toBe('2026-12-01T11:30:00.000Z');
    const boosted: StatusSource = {
      ...edited,
      reason: { by: { ...author, networkId: 'did:plc:carol' }, at: '2026-12-02T10:00:00.000Z', uri: null },
    };
    const wrapper = toStatus(boosted, ids([boosted]), ctx);
    expect(wrapper['edited_at']).toBeNull();
    expect((wrapper['reblog'] as Record<string, unknown>)['edited_at']).toBe('2026-12-01T11:30:00.000Z');
  });

  it('serializes the shared part once and completes it per member as the same JSON value', () => {
    const quoted = { ...post({ uri: 'at://did:plc:bob/app.bsky.feed.post/2' }), quote: null };
    const reason = {
      by: { ...author, networkId: 'did:plc:carol', handle: 'carol.test' },
      at: '2026-12-02T10:00:00.000Z',
      uri: 'at://did:plc:carol/app.bsky.feed.repost/9',
    };
    const warned = [{ stage: 'labels', verdict: 'warn', reason: 'spoilers "here"' }];
    const liked = { favourited: true, reblogged: false, bookmarked: true, ownVotes: null };
    for (const source of [
      { post: post(), reason: null, warnings: [], viewer },
      { post: post({ quote: quoted }), reason: null, warnings: warned, viewer: liked },
      { post: post({ quote: quoted }), reason, warnings: warned, viewer: liked },
    ]) {
      const map = ids([source]);
      const shared = sharedStatusJson(sharedStatus(source.post, source.reason, map, ctx));
      const json = statusJson(shared, source.viewer, source.warnings);
      expect(JSON.parse(json)).toEqual(toStatus(source, map, ctx));
      expect(shared.id).toBe(toStatus(source, map, ctx)['id']);
    }
  });

  it('completes a poll with the member’s vote, which its shared part never holds', () => {
    const poll = {
      id: '77',
      options: [
        { title: 'tea', votes: 3 },
        { title: 'coffee', votes: 5 },
      ],
      expiresAt: null,
      expired: false,
      multiple: false,
      votes: 8,
      voters: 8,
    };
    const voted = { ...viewer, ownVotes: [1] };
    const reason = {
      by: { ...author, networkId: 'did:plc:carol', handle: 'carol.test' },
      at: '2026-12-02T10:00:00.000Z',
      uri: 'at://did:plc:carol/app.bsky.feed.repost/9',
    };
    for (const source of [
      { post: post({ poll }), reason: null, warnings: [], viewer: voted },
      { post: post({ poll }), reason, warnings: [], viewer: voted },
      { post: post({ poll }), reason: null, warnings: [], viewer },
    ]) {
      const map = ids([source]);
      const shared = sharedStatusJson(sharedStatus(source.post, source.reason, map, ctx));
      expect([shared.post, shared.poll, shared.wrapper].join()).not.toMatch(/voted|own_votes/);
      const status = JSON.parse(statusJson(shared, source.viewer, source.warnings)) as Record<
        string,
        unknown
      >;
      expect(status).toEqual(toStatus(source, map, ctx));
      const own = (source.reason ? (status['reblog'] as Record<string, unknown>) : status)['poll'];
      expect(own).toMatchObject({
        votes_count: 8,
        options: [{ votes_count: 3 }, { votes_count: 5 }],
        voted: source.viewer.ownVotes !== null,
        own_votes: source.viewer.ownVotes ?? [],
      });
      if (source.reason) expect(status['poll']).toBeNull();
    }
  });
});
