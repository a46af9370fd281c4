import { describe, expect, it } from '@jest/globals';
import { makePost, runPlugin } from '@tributary/plugin-sdk';
import { noEngagementBait } from './no-engagement-bait.plugin.js';

describe('community/no-engagement-bait', () => {
  const texts = [
    'Like if you agree!',
    'RT if u remember this',
    'follow for follow 🙏',
    'Only 3% of people can solve this',
    'Tag a friend who needs this',
    'I like this idea, if you ask me',
    'Here is my follow-up on the report',
    'Gefällt mir, wenn du zustimmst', // not in the built-in list
  ];
  it('hides engagement bait and nothing else', () => {
    const { verdicts, scores } = runPlugin(
      noEngagementBait,
      texts.map((text) => makePost({ text })),
    );
    expect(verdicts!.map((v) => v?.action ?? 'keep')).toEqual([
      'hide',
      'hide',
      'hide',
      'hide',
      'hide',
      'keep',
      'keep',
      'keep',
    ]);
    expect(scores).toBeNull();
  });
  it('takes extra phrases and can warn instead', () => {
    const { verdicts } = runPlugin(noEngagementBait, [makePost({ text: 'Gefällt mir, WENN DU ZUSTIMMST' })], {
      phrases: ['wenn du zustimmst'],
      action: 'warn',
    });
    expect(verdicts).toEqual([{ action: 'warn', reason: 'engagement bait' }]);
  });
  it('refuses unknown options', () => {
    expect(() => runPlugin(noEngagementBait, [], { strict: true })).toThrow('invalid config');
  });
});

describe('in a pipeline', () => {
  it('runs as `plugin:community/no-engagement-bait@1` next to built-in stages', async () => {
    const { compilePipeline, pluginResolver, trustedPlugin } = await import('@tributary/pipeline');
    const pipeline = compilePipeline(
      {
        name: 'Calm home',
        stages: [
          { use: 'mute-words', with: { words: ['crypto'] } },
          { use: 'plugin:community/no-engagement-bait@1', with: { action: 'warn' }, onError: 'skip' },
        ],
      },
      { plugins: pluginResolver([trustedPlugin(noEngagementBait)]) },
    );
    const posts = ['Like if you agree!', 'crypto: like if you agree', 'a normal post'].map((text) =>
      makePost({ text }),
    );
    const results = await pipeline.run(posts.map((post) => ({ post, reason: null, seenIn: [] })));
    expect(results.map((r) => [r.hidden, r.warn])).toEqual([
      [false, ['engagement bait']],
      [true, []],
      [false, []],
    ]);
  });
});
