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

/** The spec's problems for one mute-words stage with these entries, or [] when it is valid. */
async function problems(words: unknown[]): Promise<string[]> {
  const { parsePipelineSpec, PipelineSpecError } = await import('../spec.js');
  try {
    parsePipelineSpec({ name: 'x', stages: [{ use: 'mute-words', with: { words } }] });
    return [];
  } catch (error) {
    if (error instanceof PipelineSpecError) return error.problems;
    throw error;
  }
}

/**
 * A match runs synchronously and cannot be interrupted. Passing through the timer queue afterwards
 * lets jest's per-test timeout fail a test whose match took longer than the test is given.
 */
const afterTimers = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('mute regexes run in linear time (RE2)', () => {
  // The payloads (#16), accepted by the old check of a pattern's shape: each takes V8 about
  // 10–20 s of backtracking on these posts of 35–36 characters, and a little longer ones hang.
  // The last two are the classic exponential ones, which that check refused.
  it.each([
    ['ж' + '[^q]*'.repeat(8) + 'q!', 'ж' + 'x'.repeat(35), 'жxxq!'],
    ['a+'.repeat(10) + 'b', 'a'.repeat(36), 'aaaaaaaaaab'],
    ['.+'.repeat(10) + '\\u0000', 'x'.repeat(35), 'xxxxxxxxxx\u0000'],
    ['\\w+'.repeat(10) + '!', 'w'.repeat(35), 'wwwwwwwwww!'],
    ['^(a+)+$', 'a'.repeat(40) + '!', 'aaa'],
    ['(a|aa)*b', 'a'.repeat(40), 'aab'],
  ])(
    'accepts %s and answers at once on a hostile post',
    async (regex, hostile, matching) => {
      expect(await problems([{ regex }])).toEqual([]);
      const posts = [post({ text: hostile }), post({ text: matching })];
      expect(await verdicts(mute([{ regex }]), posts)).toEqual([
        'keep',
        `hide:muted word "/${regex}/" in text`,
      ]);
      await afterTimers();
    },
    5_000,
  );

  it.each([
    ['(?=a)b', 'lookahead and lookbehind are not supported (they cannot run in linear time)'],
    ['(?<!a)b', 'lookahead and lookbehind are not supported (they cannot run in linear time)'],
    ['(x)\\1', 'backreferences are not supported (they cannot run in linear time)'],
    ['(?<w>x)\\k<w>', 'backreferences are not supported (they cannot run in linear time)'],
    ['a{1001}', 'not supported: invalid repeat count: `{1001}`'],
  ])('refuses %s, naming its path', async (regex, reason) => {
    expect(await problems(['ok', { word: 'fine' }, { regex }])).toEqual([
      `stages[0].with.words[2].regex: regular expression refused: ${reason}`,
    ]);
  });

  it('refuses what is not JavaScript syntax (u mode), and patterns that match empty text', async () => {
    expect(await problems([{ regex: '[\\p{L}--[a-z]]' }])).toEqual([
      expect.stringMatching(/^stages\[0\]\.with\.words\[0\]\.regex: invalid regular expression: /),
    ]);
    expect(await problems([{ regex: 'x?' }])).toEqual([
      'stages[0].with.words[0].regex: regular expression matches empty text (it would mute everything)',
    ]);
  });

  it("bounds the size of a pipeline's regexes together", async () => {
    expect(await problems([{ regex: 'a{500}' }, 'word', { regex: 'b{400}' }])).toEqual([]);
    expect(await problems([{ regex: 'a{500}' }, 'word', { regex: 'b{400}' }, { regex: 'c{200}' }])).toEqual([
      expect.stringMatching(
        /^stages\[0\]\.with\.words\[3\]\.regex: regular expressions too large: .* at most 1000 in all$/,
      ),
    ]);
  });

  it.each([
    'free\\s+i?phone',
    '(crypto|nft)s?',
    'colou?r',
    '[a-z]+coin',
    '(ab){2}',
    '(?:buy|sell) now',
    '(?<coin>btc|eth)',
  ])('accepts %s', async (regex) => {
    expect(await problems([{ regex }])).toEqual([]);
  });

  it("keeps JavaScript's meaning: Unicode case folding, \\s, \\p{…}, \\u{…}, `.`", async () => {
    const cases: [string, string, boolean][] = [
      ['σίσυφος', 'ΣΊΣΥΦΟΣ', true],
      ['straße', 'STRASSE', false], // simple case folding only, as in JavaScript
      ['straße', 'STRAẞE', true],
      ['free\\s+iphone', 'free\u00a0iPhone', true], // no-break space
      ['free\\s+iphone', 'free\u3000iphone', true],
      ['a\\Sb', 'a\u00a0b', false],
      ['\\p{Script=Greek}+ news', 'ελληνικά news', true],
      ['\\p{Lu}{3}', 'abc', true], // case-insensitive, as with the `i` flag
      ['\\u{1F680}\\u0021', '🚀!', true],
      ['a.b', 'a\nb', false],
      ['a.b', 'a\u2028b', false],
      ['a[^]b', 'a\nb', true],
      ['^\\d+$', '١٢٣', false], // \d is ASCII, as in JavaScript
      ['\\bcat\\b', 'concatenate', false],
    ];
    for (const [regex, text, mutes] of cases) {
      const [verdict] = await verdicts(mute([{ regex }]), [post({ text })]);
      expect([regex, text, verdict]).toEqual([
        regex,
        text,
        mutes ? `hide:muted word "/${regex}/" in text` : 'keep',
      ]);
    }
  });

  it('names the first matching term, words and regexes in their order', async () => {
    const stage = mute(['spoiler', { regex: 'finale|ending' }, { regex: 'spoil' }]);
    const posts = ['no spoilers for the finale', 'a spoiler: the ending', 'spoilt'].map((text) =>
      post({ text }),
    );
    expect(await verdicts(stage, posts)).toEqual([
      'hide:muted word "/finale|ending/" in text',
      'hide:muted word "spoiler" in text',
      'hide:muted word "/spoil/" in text',
    ]);
  });
});
