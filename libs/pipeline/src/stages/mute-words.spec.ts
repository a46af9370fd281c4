import { describe, expect, it } from '@jest/globals';
import { post, verdicts } from '../spec-helpers.js';

const mute = (words: unknown[], extra: Record<string, unknown> = {}) => ({
  use: 'mute-words',
  with: { words, ...extra },
});

describe('mute-words', () => {
  it('respects word boundaries: "and" does not hide "sand", "Android" or "Åland"', async () => {
    const posts = [
      'sand castles',
      'Android phone',
      'Åland islands',
      'rock and roll',
      'AND then',
      'and.',
      '(and)',
    ].map((text) => post({ text }));
    expect(await verdicts(mute(['and']), posts)).toEqual([
      'keep',
      'keep',
      'keep',
      'hide:muted word "and" in text',
      'hide:muted word "and" in text',
      'hide:muted word "and" in text',
      'hide:muted word "and" in text',
    ]);
  });

  it('matches substrings when wholeWord is false, per term or for the stage', async () => {
    const posts = [post({ text: 'sand castles' }), post({ text: 'cryptocurrency' })];
    expect(await verdicts(mute(['and'], { wholeWord: false }), posts)).toEqual([
      'hide:muted word "and" in text',
      'keep',
    ]);
    expect(await verdicts(mute([{ word: 'crypto', wholeWord: false }]), posts)).toEqual([
      'keep',
      'hide:muted word "crypto" in text',
    ]);
  });

  it('matches phrases across any whitespace, case-insensitively, in Unicode', async () => {
    const posts = [
      post({ text: 'Climate\n  Change is here' }),
      post({ text: 'ÜBER alles' }),
      post({ text: 'überall' }),
      post({ text: 'Σίσυφος' }),
    ];
    expect(await verdicts(mute(['climate change', 'über', 'ΣΊΣΥΦΟΣ']), posts)).toEqual([
      'hide:muted word "climate change" in text',
      'hide:muted word "über" in text',
      'keep',
      'hide:muted word "ΣΊΣΥΦΟΣ" in text',
    ]);
  });

  it('matches CJK words as substrings (no spaces to find boundaries), and Latin words next to CJK', async () => {
    const posts = [
      post({ text: '今日は東京タワーに行きました' }),
      post({ text: '我用iPhone拍的' }),
      post({ text: '京都' }),
      post({ text: '비트코인 가격' }),
      post({ text: '비트코인이 좋아' }),
    ];
    expect(await verdicts(mute(['東京', 'iphone', '비트코인']), posts)).toEqual([
      'hide:muted word "東京" in text',
      'hide:muted word "iphone" in text',
      'keep',
      'hide:muted word "비트코인" in text',
      // Korean is written with spaces, so it keeps whole-word matching (particles attach to words).
      'keep',
    ]);
  });

  it('matches emoji with or without the variation selector', async () => {
    const posts = [
      post({ text: 'I ❤ this' }),
      post({ text: 'I ❤️ this' }),
      post({ text: '🍕🍕🍕' }),
      post({ text: 'plain' }),
    ];
    expect(await verdicts(mute(['❤️', '🍕']), posts)).toEqual([
      'hide:muted word "❤️" in text',
      'hide:muted word "❤️" in text',
      'hide:muted word "🍕" in text',
      'keep',
    ]);
  });

  it('supports regular expressions', async () => {
    const posts = [post({ text: 'win a FREE iPhone now' }), post({ text: 'free as in freedom' })];
    expect(await verdicts(mute([{ regex: 'free\\s+i?phone' }]), posts)).toEqual([
      'hide:muted word "/free\\s+i?phone/" in text',
      'keep',
    ]);
  });

  it('looks at alt text, link titles, hashtags, content warnings and quotes', async () => {
    const media = {
      type: 'image' as const,
      url: 'https://x/1.jpg',
      previewUrl: null,
      altText: 'A chart of Bitcoin prices',
      width: null,
      height: null,
      focus: null,
      blurhash: null,
    };
    const quoted = post({ text: 'bitcoin to the moon' });
    const { raw: _raw, quote: _quote, ...quote } = quoted;
    const posts = [
      post({ text: 'look', media: [media] }),
      post({
        text: 'read this',
        linkCard: {
          url: 'https://news.example/a',
          title: 'Bitcoin crashes',
          description: '',
          imageUrl: null,
        },
      }),
      post({ text: 'hello', hashtags: ['Bitcoin'] }),
      post({ text: 'hello', contentWarning: 'bitcoin talk' }),
      post({ text: 'hm', quote: { ...quote, quote: null } }),
      post({ text: 'a bitcoinesque post' }),
    ];
    expect(await verdicts(mute(['bitcoin']), posts)).toEqual([
      'hide:muted word "bitcoin" in altText',
      'hide:muted word "bitcoin" in linkTitle',
      'hide:muted word "bitcoin" in hashtags',
      'hide:muted word "bitcoin" in contentWarning',
      'hide:muted word "bitcoin" in quote',
      'keep',
    ]);
    expect(await verdicts(mute(['bitcoin'], { fields: ['text'] }), posts)).toEqual([
      'keep',
      'keep',
      'keep',
      'keep',
      'keep',
      'keep',
    ]);
    expect(await verdicts(mute(['#bitcoin']), [posts[2]!])).toEqual([
      'hide:muted word "#bitcoin" in hashtags',
    ]);
  });

  it('works the same on both networks, and can be limited to one', async () => {
    const posts = [
      post({ network: 'BLUESKY', text: 'crypto news' }),
      post({ network: 'MASTODON', text: 'crypto news' }),
    ];
    expect(await verdicts(mute(['crypto']), posts)).toEqual([
      'hide:muted word "crypto" in text',
      'hide:muted word "crypto" in text',
    ]);
    expect(await verdicts(mute(['crypto'], { networks: ['mastodon'] }), posts)).toEqual([
      'keep',
      'hide:muted word "crypto" in text',
    ]);
  });

  it('stops muting once a word or the whole stage expires', async () => {
    const posts = [post({ text: 'election results' }), post({ text: 'football scores' })];
    const stage = mute([{ word: 'election', expiresAt: '2026-11-24T00:00:00Z' }, 'football']);
    const before = { now: new Date('2026-11-23T12:00:00Z') };
    const after = { now: new Date('2026-11-25T12:00:00Z') };
    expect(await verdicts(stage, posts, before)).toEqual([
      'hide:muted word "election" in text',
      'hide:muted word "football" in text',
    ]);
    expect(await verdicts(stage, posts, after)).toEqual(['keep', 'hide:muted word "football" in text']);
    const whole = mute(['football'], { expiresAt: '2026-11-24T00:00:00Z' });
    expect(await verdicts(whole, posts, after)).toEqual(['keep', 'keep']);
  });

  it('can warn instead of hiding', async () => {
    expect(
      await verdicts(mute(['spoiler'], { action: 'warn' }), [post({ text: 'big spoiler ahead' })]),
    ).toEqual(['warn:muted word "spoiler" in text']);
  });
});

describe('mute regex safety', () => {
  it.each([
    ['(a+)+$', 'nested quantifiers can take exponential time'],
    ['(a|aa)*b', 'nested quantifiers can take exponential time'],
    ['((ab)*c)+', 'nested quantifiers can take exponential time'],
    ['(\\w+\\s?)*$', 'nested quantifiers can take exponential time'],
    ['(x)\\1', 'backreferences are not allowed'],
  ])('refuses %s', async (source, reason) => {
    const { parsePipelineSpec } = await import('../spec.js');
    expect(() =>
      parsePipelineSpec({ name: 'x', stages: [{ use: 'mute-words', with: { words: [{ regex: source }] } }] }),
    ).toThrow(`stages[0].with.words[0].regex: regular expression refused: ${reason}`);
  });
  it.each(['free\\s+i?phone', '(crypto|nft)s?', 'colou?r', '[a-z]+coin', '(ab){2}', '(?:buy|sell) now'])(
    'accepts %s',
    async (source) => {
      const { parsePipelineSpec } = await import('../spec.js');
      expect(() =>
        parsePipelineSpec({
          name: 'x',
          stages: [{ use: 'mute-words', with: { words: [{ regex: source }] } }],
        }),
      ).not.toThrow();
    },
  );
  it('refuses a regex that matches empty text', async () => {
    const { parsePipelineSpec } = await import('../spec.js');
    expect(() =>
      parsePipelineSpec({ name: 'x', stages: [{ use: 'mute-words', with: { words: [{ regex: 'x?' }] } }] }),
    ).toThrow('matches empty text');
  });
});
