import { describe, expect, it } from '@jest/globals';
import type { Label, Media } from '@tributary/core';
import { candidate, post, repostBy, runStages, verdicts } from '../spec-helpers.js';

const image: Media = {
  type: 'image',
  url: 'https://x/1.jpg',
  previewUrl: null,
  altText: null,
  width: null,
  height: null,
  focus: null,
  blurhash: null,
};
const label = (value: string, action: Label['action'] = null): Label => ({
  value,
  source: 'did:plc:labeler',
  action,
});

describe('mute-authors', () => {
  it('hides by DID, account URI or handle (with or without @), and reposts by muted accounts', async () => {
    const posts = [
      post({ author: { networkId: 'did:plc:spam' } }),
      post({ network: 'MASTODON', author: { handle: 'Troll@Example.Social' } }),
      candidate(post(), repostBy({ handle: 'troll@example.social' })),
      post(),
    ];
    expect(
      await verdicts(
        { use: 'mute-authors', with: { authors: ['did:plc:spam', '@troll@example.social'] } },
        posts,
      ),
    ).toEqual(['hide:muted author', 'hide:muted author', 'hide:reposted by a muted author', 'keep']);
  });

  it('matches handles case-insensitively whether or not the list has any (only ids, or odd handles)', async () => {
    const posts = [
      post({ author: { networkId: 'did:plc:Spam', handle: 'spam.test' } }),
      post({ author: { networkId: 'did:plc:x', handle: 'odd:HANDLE' } }),
      post({ author: { networkId: 'did:plc:y', handle: 'alice.test' } }),
    ];
    expect(
      await verdicts({ use: 'mute-authors', with: { authors: ['did:plc:spam', 'Odd:handle'] } }, posts),
    ).toEqual(['hide:muted author', 'hide:muted author', 'keep']);
    expect(
      await verdicts({ use: 'mute-authors', with: { authors: ['did:plc:nobody', 'ALICE.test'] } }, posts),
    ).toEqual(['keep', 'keep', 'hide:muted author']);
  });
});

describe('language', () => {
  const posts = [
    post({ languages: ['en'] }),
    post({ languages: ['de-AT'] }),
    post({ languages: ['ja'] }),
    post({ languages: [] }),
    post({ languages: ['en', 'ja'] }),
  ];
  it('allows listed languages by primary subtag, keeping unknown ones by default', async () => {
    expect(await verdicts({ use: 'language', with: { allow: ['en', 'de'] } }, posts)).toEqual([
      'keep',
      'keep',
      'hide:language not allowed',
      'keep',
      'keep',
    ]);
    expect(await verdicts({ use: 'language', with: { allow: ['en'], keepUnknown: false } }, posts)).toEqual([
      'keep',
      'hide:language not allowed',
      'hide:language not allowed',
      'hide:language unknown',
      'keep',
    ]);
  });
  it('denies a language only when every language of the post is denied', async () => {
    expect(await verdicts({ use: 'language', with: { deny: ['ja'] } }, posts)).toEqual([
      'keep',
      'keep',
      'hide:language denied',
      'keep',
      'keep',
    ]);
  });
});

describe('network', () => {
  it('keeps only the allowed networks', async () => {
    expect(
      await verdicts({ use: 'network', with: { allow: ['mastodon'] } }, [
        post({ network: 'BLUESKY' }),
        post({ network: 'MASTODON' }),
      ]),
    ).toEqual(['hide:network not allowed', 'keep']);
  });
});

describe('hide-reposts', () => {
  it('hides reposts except those by excepted accounts, and never originals', async () => {
    const posts = [
      candidate(post(), repostBy({ networkId: 'did:plc:bob' })),
      candidate(post(), repostBy({ networkId: 'did:plc:carol', handle: 'carol.test' })),
      post(),
    ];
    expect(await verdicts({ use: 'hide-reposts', with: { except: ['carol.test'] } }, posts)).toEqual([
      'hide:repost',
      'keep',
      'keep',
    ]);
  });
});

describe('a repost of a post that also came by itself (the member follows its author)', () => {
  // Bob's post, reposted by carol, in the home timeline of alice, who follows bob.
  const bobsPost = post({ author: { networkId: 'did:plc:bob' }, createdAt: '2026-11-23T10:00:00.000Z' });
  const reposted = (original: boolean) => ({
    ...candidate(bobsPost, repostBy({ networkId: 'did:plc:carol', handle: 'carol.test' })),
    original,
  });

  it('hide-reposts hides the repost and keeps the post, shown and placed as bob posted it', async () => {
    const [kept, hidden] = await runStages([{ use: 'hide-reposts' }], [reposted(true), reposted(false)]);
    expect(kept).toMatchObject({
      hidden: false,
      reason: null,
      decisions: [
        {
          stage: 'hide-reposts',
          index: 0,
          verdict: 'keep',
          reason: 'repost hidden; the post itself came too',
          score: 0,
        },
      ],
    });
    // Ranked at bob's time (10:00), not carol's repost (12:30): 2.5 h at τ = 6 h.
    expect(hidden).toMatchObject({
      hidden: true,
      hiddenReason: 'repost',
      reason: { by: { handle: 'carol.test' } },
    });
    expect(hidden!.rankKey - kept!.rankKey).toBeCloseTo(2.5 / 6, 9);
  });

  it('mute-authors muting the reposter hides the repost and keeps the post', async () => {
    const stage = { use: 'mute-authors', with: { authors: ['carol.test'] } };
    const [kept, hidden] = await runStages([stage], [reposted(true), reposted(false)]);
    expect(kept).toMatchObject({ hidden: false, reason: null });
    expect(kept!.decisions[0]!.reason).toBe('repost by a muted author hidden; the post itself came too');
    expect(hidden).toMatchObject({ hidden: true, hiddenReason: 'reposted by a muted author' });
    // Muting bob himself still hides his post, however it came.
    const [muted] = await runStages(
      [{ use: 'mute-authors', with: { authors: ['did:plc:bob'] } }],
      [reposted(true)],
    );
    expect(muted).toMatchObject({ hidden: true, hiddenReason: 'muted author' });
  });

  it('keeps the repost when no stage hides it', async () => {
    const [result] = await runStages([{ use: 'hide-replies' }], [reposted(true)]);
    expect(result).toMatchObject({ hidden: false, reason: { by: { handle: 'carol.test' } }, decisions: [] });
  });
});

describe('hide-replies', () => {
  const reply = (to: string, author = 'did:plc:alice') =>
    post({
      author: { networkId: author },
      replyParent: { uri: 'at://x/app.bsky.feed.post/1', authorNetworkId: to },
      replyRoot: { uri: 'at://x/app.bsky.feed.post/1', authorNetworkId: to },
    });
  it('hides replies to others, keeps self-threads and excepted authors', async () => {
    const posts = [reply('did:plc:bob'), reply('did:plc:alice'), reply('did:plc:bob', 'did:plc:dan'), post()];
    expect(await verdicts({ use: 'hide-replies', with: { except: ['did:plc:dan'] } }, posts)).toEqual([
      'hide:reply',
      'keep',
      'keep',
      'keep',
    ]);
    expect(await verdicts({ use: 'hide-replies', with: { keepSelfThreads: false } }, posts)).toEqual([
      'hide:reply',
      'hide:reply',
      'hide:reply',
      'keep',
    ]);
  });
  it('records why an excepted reply was kept', async () => {
    const { runStages } = await import('../spec-helpers.js');
    const [result] = await runStages(
      [{ use: 'hide-replies', with: { except: ['did:plc:dan'] } }],
      [reply('did:plc:bob', 'did:plc:dan')],
    );
    expect(result!.decisions).toEqual([
      { stage: 'hide-replies', index: 0, verdict: 'keep', reason: 'reply by an excepted account', score: 0 },
    ]);
  });
});

describe('content-warning', () => {
  const posts = [
    post({ contentWarning: 'politics', text: 'text only' }),
    post({ contentWarning: 'spiders', media: [image] }),
    post({ sensitive: true, media: [image] }),
    post({ contentWarning: '  ' }),
    post(),
  ];
  it('warns on content warnings, also on text-only posts', async () => {
    expect(await verdicts({ use: 'content-warning' }, posts)).toEqual([
      'warn:content warning: politics',
      'warn:content warning: spiders',
      'warn:sensitive media',
      'keep',
      'keep',
    ]);
  });
  it('blurs media, falling back to a warning on text-only posts', async () => {
    expect(await verdicts({ use: 'content-warning', with: { action: 'blur' } }, posts)).toEqual([
      'warn:content warning: politics',
      'blur:content warning: spiders',
      'blur:sensitive media',
      'keep',
      'keep',
    ]);
  });
  it('hides when asked, and can ignore bare sensitive flags', async () => {
    expect(
      await verdicts({ use: 'content-warning', with: { action: 'hide', includeSensitive: false } }, posts),
    ).toEqual(['hide:content warning: politics', 'hide:content warning: spiders', 'keep', 'keep', 'keep']);
  });
});

describe('labels', () => {
  it('applies the strictest matching rule, honours network actions, blurs only media', async () => {
    const posts = [
      post({ labels: [label('nudity'), label('porn')], media: [image] }),
      post({ labels: [label('nudity')], media: [image] }),
      post({ labels: [label('nudity')] }),
      post({
        network: 'MASTODON',
        labels: [{ value: 'filter:Spoilers', source: 'mastodon-filter', action: 'warn' }],
      }),
      post({ labels: [label('!no-unauthenticated', 'inform')] }),
      post(),
    ];
    const stage = {
      use: 'labels',
      with: {
        rules: [
          { label: 'porn', action: 'hide' },
          { label: 'nudity', action: 'blur' },
        ],
      },
    };
    expect(await verdicts(stage, posts)).toEqual([
      'hide:label: porn',
      'blur:label: nudity',
      'warn:label: nudity',
      'warn:label: filter:Spoilers',
      'keep',
      'keep',
    ]);
    expect(
      (await verdicts({ ...stage, with: { ...stage.with, honorNetworkActions: false } }, posts))[3],
    ).toBe('keep');
  });
});

describe('media-only and links-only', () => {
  const withLink = post({
    richText: { segments: [{ type: 'link', text: 'example.com', url: 'https://example.com' }] },
  });
  const withCard = post({
    linkCard: { url: 'https://example.com', title: 't', description: '', imageUrl: null },
  });
  const withMedia = post({ media: [image] });
  const plain = post();
  it('media-only keeps posts with media', async () => {
    expect(await verdicts({ use: 'media-only' }, [withMedia, withLink, plain])).toEqual([
      'keep',
      'hide:no media',
      'hide:no media',
    ]);
  });
  it('links-only keeps posts with a link or a link card', async () => {
    expect(await verdicts({ use: 'links-only' }, [withLink, withCard, withMedia, plain])).toEqual([
      'keep',
      'keep',
      'hide:no link',
      'hide:no link',
    ]);
  });
});
