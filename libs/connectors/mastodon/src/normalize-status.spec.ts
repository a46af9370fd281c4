import { describe, expect, it } from '@jest/globals';
import type { IngestedItem } from '@tributary/core';
import {
  ORIGIN,
  account,
  boostStatus,
  hostileStatus,
  malformedStatuses,
  quoteStatus,
  replyStatus,
  richStatus,
  validStatus,
} from '../../../testing/src/mastodon/status-fixtures.js';
import { parseAsMasto } from './masto-shape.js';
import { normalizeStatus, resolveReplyParents } from './normalize-status.js';

const now = new Date('2026-11-23T12:00:00.000Z');
/** The fixtures are wire JSON; the normalizer reads statuses as masto hands them over. */
const asMasto = (wire: unknown): unknown => parseAsMasto(JSON.stringify(wire));
function ok(wire: unknown): IngestedItem {
  const r = normalizeStatus(asMasto(wire), ORIGIN, { now });
  if (!('ok' in r)) throw new Error(`skipped: ${r.skipped.reason}`);
  return r.ok;
}

describe('normalizeStatus', () => {
  it('maps the fields of a plain status', () => {
    const { post, reason, viewer } = ok({ ...validStatus('113'), favourited: true, bookmarked: true });
    expect(reason).toBeNull();
    // The reading account's own favourite and bookmark are its own, beside the post.
    expect(viewer).toEqual({
      liked: true,
      likeUri: null,
      reposted: false,
      repostUri: null,
      bookmarked: true,
    });
    expect(post).toMatchObject({
      network: 'MASTODON',
      uri: `${ORIGIN}/users/alice/statuses/113`,
      nativeId: '113',
      webUrl: `${ORIGIN}/@alice/113`,
      author: {
        networkId: `${ORIGIN}/users/alice`,
        handle: 'alice@social.example',
        displayName: 'Alice',
        bot: false,
      },
      text: 'Hello world',
      languages: ['en'],
      createdAt: '2026-11-23T10:00:00.000Z',
      indexedAt: now.toISOString(),
      counts: { replies: 1, reposts: 2, likes: 3, quotes: 0 },
      contentWarning: null,
      sensitive: false,
      labels: [],
      visibility: 'public',
      replyParent: null,
      quote: null,
    });
    // The native record as Mastodon sent it (snake_case), not masto's camelCase view of it, without
    // the reading account's filter results and its favourite, boost, bookmark, mute and pin.
    const {
      filtered: _filtered,
      favourited: _favourited,
      reblogged: _reblogged,
      bookmarked: _bookmarked,
      muted: _muted,
      pinned: _pinned,
      ...sent
    } = validStatus('113') as Record<string, unknown>;
    expect(post.raw).toEqual(sent);
  });

  it('keeps when the status was last edited, and nothing for one never edited', () => {
    expect(ok({ ...validStatus('114'), edited_at: '2026-11-23T11:00:00+01:00' }).post.editedAt).toBe(
      '2026-11-23T10:00:00.000Z',
    );
    expect(ok(validStatus('115')).post).not.toHaveProperty('editedAt');
    expect(ok({ ...validStatus('116'), edited_at: 'yesterday' }).post).not.toHaveProperty('editedAt');
  });

  it('turns content into rich text runs: mentions, links, hashtags, line and paragraph breaks', () => {
    const { post } = ok(richStatus());
    expect(post.richText.segments).toEqual([
      { type: 'text', text: 'Hi ' },
      { type: 'mention', text: '@bob', networkId: 'https://other.example/@bob', handle: 'bob@other.example' },
      { type: 'text', text: ' & friends, see ' },
      {
        type: 'link',
        text: 'https://example.com/a/very/long/path',
        url: 'https://example.com/a/very/long/path',
      },
      { type: 'linebreak', text: '\n' },
      { type: 'text', text: 'new line ' },
      { type: 'hashtag', text: '#Cats', tag: 'cats' },
      { type: 'linebreak', text: '\n' },
      { type: 'linebreak', text: '\n' },
      { type: 'text', text: 'Second paragraph' },
    ]);
    expect(post.text).toBe(
      'Hi @bob & friends, see https://example.com/a/very/long/path\nnew line #Cats\n\nSecond paragraph',
    );
    expect(post.hashtags).toEqual(['cats']);
  });

  it('lays out lists, quotes and code, ignoring the newlines between tags (servers that are not Mastodon)', () => {
    const html =
      '<p>Shopping:</p>\n<ul>\n<li>one</li>\n<li>two <a href="https://x.example/">link</a></li>\n</ul>\n' +
      '<blockquote>\n<p>quoted line</p>\n</blockquote>\n<ol><li>first</li></ol>\n<pre>a  b\n  c</pre>\n';
    const { post } = ok(validStatus('7', { content: html }));
    expect(post.text).toBe('Shopping:\n\n• one\n• two link\n\n> quoted line\n\n 1. first\n\na  b\n  c');
    expect(post.richText.segments).toContainEqual({ type: 'link', text: 'link', url: 'https://x.example/' });
    // A paragraph followed by a newline (as such servers send every post) ends in no newline.
    expect(ok(validStatus('8', { content: '<p>hello<br>\nworld</p>\n' })).post.text).toBe('hello\nworld');
  });

  it('keeps content warning, sensitivity, media with alt text and focus, card and filter results', () => {
    const { post } = ok(richStatus());
    expect(post.contentWarning).toBe('Spoilers for the finale');
    expect(post.sensitive).toBe(true);
    expect(post.languages).toEqual(['de']);
    expect(post.media).toEqual([
      {
        type: 'image',
        url: `${ORIGIN}/media/22.png`,
        previewUrl: `${ORIGIN}/media/22-small.png`,
        altText: 'A cat on a keyboard',
        width: 1200,
        height: 800,
        focus: { x: -0.25, y: 0.5 },
        blurhash: 'UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$',
      },
      {
        type: 'gifv',
        url: `${ORIGIN}/media/23.mp4`,
        previewUrl: null,
        altText: null,
        width: null,
        height: null,
        focus: null,
        blurhash: null,
      },
    ]);
    expect(post.linkCard).toEqual({
      url: 'https://example.com/a/very/long/path',
      title: 'A long read',
      description: 'About cats',
      imageUrl: 'https://example.com/card.png',
    });
    expect(post.labels).toEqual([
      { value: 'sensitive', source: 'mastodon', action: 'blur' },
      { value: 'filter:Spoilers', source: 'mastodon-filter:5', action: 'warn', personal: true },
    ]);
    // The filter is the reading account's own: its title is not kept in the shared native record.
    expect(JSON.stringify(post.raw)).not.toContain('"Spoilers"');
    expect(post.raw).not.toHaveProperty('filtered');
  });

  it('keeps the options and counts of a poll, never the vote of the reading account (nor in raw)', () => {
    const poll = {
      id: '7',
      expires_at: '2026-11-24T10:00:00Z',
      expired: false,
      multiple: false,
      votes_count: 5,
      voters_count: 5,
      options: [
        { title: 'yes', votes_count: 3 },
        { title: 'no', votes_count: null },
      ],
      emojis: [],
      voted: true,
      own_votes: [0],
    };
    const { post } = ok({ ...validStatus('120'), poll });
    expect(post.poll).toEqual({
      id: '7',
      options: [
        { title: 'yes', votes: 3 },
        { title: 'no', votes: null },
      ],
      expiresAt: '2026-11-24T10:00:00.000Z',
      expired: false,
      multiple: false,
      votes: 5,
      voters: 5,
    });
    const { voted: _voted, own_votes: _own, ...shared } = poll;
    expect((post.raw as { poll: unknown }).poll).toEqual(shared);
    expect(ok(validStatus('121')).post.poll).toBeNull();
  });

  it('turns a boost into the boosted post with a repost reason', () => {
    const { post, reason } = ok(boostStatus());
    expect(post.nativeId).toBe('113000000000000002');
    expect(post.text).toBe('Boosted');
    expect(reason).toEqual({
      by: expect.objectContaining({ handle: 'carol@social.example', networkId: `${ORIGIN}/users/carol` }),
      at: '2026-11-23T11:00:00.000Z',
      uri: `${ORIGIN}/users/carol/statuses/113000000000000009/activity`,
      nativeId: '113000000000000009',
    });
  });

  it('references the parent of a reply and its author', () => {
    const { post } = ok(replyStatus());
    // Only the parent's id is on the wire: it stands in until the parent is known.
    expect(post.replyParent).toEqual({
      uri: `${ORIGIN}/api/v1/statuses/113000000000000002`,
      authorNetworkId: 'https://other.example/@bob',
      nativeId: '113000000000000002',
    });
  });

  it('resolves a reply parent to its URI when the parent came in the same answer; a self-reply names its author', () => {
    const parent = validStatus('200', { uri: `${ORIGIN}/users/alice/statuses/200` });
    const reply = validStatus('201', {
      uri: `${ORIGIN}/users/alice/statuses/201`,
      in_reply_to_id: '200',
      in_reply_to_account_id: (parent['account'] as { id: string }).id,
    });
    const orphan = validStatus('202', { uri: `${ORIGIN}/users/alice/statuses/202`, in_reply_to_id: '150' });
    const items = [ok(reply), ok(parent), ok(orphan)];
    resolveReplyParents(items);
    expect(items[0]!.post.replyParent).toEqual({
      uri: `${ORIGIN}/users/alice/statuses/200`,
      authorNetworkId: `${ORIGIN}/users/alice`,
    });
    expect(items[2]!.post.replyParent).toMatchObject({ nativeId: '150' });
    expect(ok(reply).post.replyParent?.authorNetworkId).toBe(`${ORIGIN}/users/alice`);
  });

  it('embeds a 4.4 quote one level deep and references the quote inside it', () => {
    const { post } = ok(quoteStatus());
    expect(post.quote).toMatchObject({
      uri: `${ORIGIN}/users/dave/statuses/113000000000000002`,
      text: 'Original thought',
      author: { handle: 'dave@social.example' },
      quote: { uri: `${ORIGIN}/api/v1/statuses/113000000000000001`, authorNetworkId: null },
    });
    expect(post.quote).not.toHaveProperty('raw');
    // A quote that was not accepted is not shown.
    const pending = ok(validStatus('9', { quote: { state: 'pending', quoted_status: null } }));
    expect(pending.post.quote).toBeNull();
  });

  it('embeds a quote sent as the quoted status plus quote_id, without the 4.4 state', () => {
    const inner = validStatus('113000000000000002', {
      account: account('dave'),
      uri: `${ORIGIN}/users/dave/statuses/113000000000000002`,
      content: '<p>Original thought</p>',
      quote: null,
      quote_id: '113000000000000001',
    });
    const { post } = ok(validStatus('10', { quote: inner, quote_id: '113000000000000002' }));
    expect(post.quote).toMatchObject({
      uri: `${ORIGIN}/users/dave/statuses/113000000000000002`,
      text: 'Original thought',
      author: { handle: 'dave@social.example' },
      quote: { uri: `${ORIGIN}/api/v1/statuses/113000000000000001`, authorNetworkId: null },
    });
  });

  it('neutralizes hostile HTML: no script or style text, no unsafe links', () => {
    const { post } = ok(hostileStatus());
    expect(post.text).toBe('safeclick data okbold<script>');
    expect(post.richText.segments).toEqual([
      { type: 'text', text: 'safeclick data ' },
      { type: 'link', text: 'ok', url: 'https://ok.example/' },
      { type: 'text', text: 'bold<script>' },
    ]);
    expect(JSON.stringify(post.richText)).not.toMatch(
      /javascript:|data:text|alert|onerror|onclick|display:none/,
    );
  });

  it('drops unsafe URLs anywhere in the post', () => {
    const { post } = ok(
      validStatus('1', {
        url: 'javascript:alert(1)',
        account: account('alice', { avatar: 'data:image/png;base64,AAAA', avatar_static: 'javascript:x' }),
        media_attachments: [{ id: '1', type: 'image', url: 'javascript:alert(1)', preview_url: null }],
        card: { url: 'javascript:alert(1)', title: 'x' },
      }),
    );
    expect(post.webUrl).toBeNull();
    expect(post.author.avatarUrl).toBeNull();
    expect(post.media).toEqual([]);
    expect(post.linkCard).toBeNull();
  });

  it('is liberal where real servers differ from the description', () => {
    const liberal = account('erin', { acct: 'erin@far.example' });
    delete liberal['uri'];
    delete liberal['group'];
    delete liberal['indexable'];
    const { post } = ok(
      validStatus('abc-opaque-ID', {
        account: liberal,
        visibility: 'local',
        language: null,
        quotes_count: null,
        media_attachments: undefined,
      }),
    );
    expect(post.nativeId).toBe('abc-opaque-ID');
    expect(post.author.networkId).toBe(`${ORIGIN}/@erin`);
    expect(post.author.handle).toBe('erin@far.example');
    expect(post.visibility).toBe('private');
    expect(post.languages).toEqual([]);
    expect(post.counts.quotes).toBe(0);
    expect(post.media).toEqual([]);
  });

  it.each(malformedStatuses())('skips a malformed status with a reason: $name', ({ status: wire }) => {
    const status = asMasto(wire);
    const r = normalizeStatus(status, ORIGIN, { now });
    expect('skipped' in r).toBe(true);
    if ('skipped' in r) {
      expect(r.skipped.reason).toMatch(/\S/);
      expect(r.skipped.record).toEqual(wire);
    }
  });

  it('skips a boost whose boosted status is malformed', () => {
    const r = normalizeStatus(asMasto(validStatus('2', { reblog: { id: '3' } })), ORIGIN, { now });
    expect(r).toEqual({ skipped: expect.objectContaining({ reason: 'missing or non-string `uri`' }) });
  });
});
