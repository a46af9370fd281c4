import { describe, expect, it } from '@jest/globals';
import type { Post } from '@tributary/core';
import { definePlugin } from '@tributary/plugin-sdk';
import type { PluginDefinition } from '@tributary/plugin-sdk';
import { compilePipeline } from './engine.js';
import { pluginResolver, trustedPlugin } from './plugin-runner.js';
import { MAX_CONTRIBUTION, MAX_RANK_KEY, rankKey } from './rank-key.js';
import { DEFAULT_PIPELINE_SPEC, PipelineSpecError } from './spec.js';
import { candidate, post, repostBy, runStages } from './spec-helpers.js';

const shouty = trustedPlugin(
  definePlugin<{ minLength: number }>({
    name: 'community/no-shouting',
    version: '1.0.0',
    configSchema: {
      type: 'object',
      properties: { minLength: { type: 'integer', minimum: 1, default: 5 } },
      additionalProperties: false,
    },
    filter: (posts, config) =>
      posts.map((p) =>
        p.text.length >= config.minLength && p.text === p.text.toUpperCase()
          ? { action: 'hide', reason: 'shouting' }
          : null,
      ),
    score: (posts) => posts.map((p) => (p.text.includes('!') ? -1 : 0)),
  }),
);
const broken = trustedPlugin(
  definePlugin({
    name: 'broken',
    version: '0.1.0',
    configSchema: { type: 'object' },
    filter: () => {
      throw new RangeError('kaput');
    },
  }),
);
const wrongLength = trustedPlugin(
  definePlugin({
    name: 'wrong-length',
    version: '1.0.0',
    configSchema: { type: 'object' },
    score: () => [1],
  }),
);
const plugins = pluginResolver([shouty, broken, wrongLength]);

describe('compilePipeline / run', () => {
  it('runs filters, then scorers, then diversifiers, whatever the spec order', async () => {
    const p = post({ text: 'buy crypto', counts: { likes: 3, reposts: 0, replies: 0, quotes: 0 } });
    const results = await runStages(
      [
        { use: 'score/engagement' },
        { use: 'diversify/author-cap', with: { max: 1 } },
        { use: 'mute-words', with: { words: ['crypto'] } },
      ],
      [p, post({ counts: { likes: 1, reposts: 0, replies: 0, quotes: 0 } })],
    );
    // The muted post is hidden before the scorer runs, so it earns no engagement score.
    expect(results[0]!.decisions.map((d) => d.stage)).toEqual(['mute-words']);
    expect(results[1]!.decisions.map((d) => d.stage)).toEqual(['score/engagement']);
  });

  it('runs trusted plugins with validated config, filter and weighted score', async () => {
    const results = await runStages(
      [{ use: 'plugin:community/no-shouting@1.0.0', with: { minLength: 3 }, weight: 2 }],
      [post({ text: 'HELLO' }), post({ text: 'hi!' }), post({ text: 'OK' })],
      { plugins },
    );
    expect(results.map((r) => r.hidden)).toEqual([true, false, false]);
    expect(results[0]!.hiddenReason).toBe('shouting');
    expect(results[1]!.decisions).toEqual([
      {
        stage: 'plugin:community/no-shouting@1.0.0',
        index: 0,
        verdict: 'score',
        reason: 'plugin score',
        score: -2,
      },
    ]);
  });

  it('rejects plugin config that fails the plugin schema, naming the path', () => {
    expect(() =>
      compilePipeline(
        {
          name: 'x',
          stages: [
            { use: 'mute-words', with: { words: [] } },
            { use: 'plugin:community/no-shouting@1.0.0', with: { minLength: 0, extra: 1 } },
          ],
        },
        { plugins },
      ),
    ).toThrow(PipelineSpecError);
    let problems: string[] = [];
    try {
      compilePipeline(
        { name: 'x', stages: [{ use: 'plugin:community/no-shouting@1.0.0', with: { minLength: 0 } }] },
        { plugins },
      );
    } catch (error) {
      problems = (error as PipelineSpecError).problems;
    }
    expect(problems).toEqual(['stages[0].with.minLength: Too small: expected number to be >=1']);
  });

  it('records a throwing plugin and goes on per onError', async () => {
    const posts = [post({ text: 'a' }), post({ text: 'b' })];
    const skip = await runStages(
      [{ use: 'plugin:broken@0.1.0' }, { use: 'score/boost-authors', with: { authors: ['did:plc:alice'] } }],
      posts,
      { plugins },
    );
    expect(skip.map((r) => r.hidden)).toEqual([false, false]);
    expect(skip[0]!.decisions).toEqual([
      {
        stage: 'plugin:broken@0.1.0',
        index: 0,
        verdict: 'error',
        reason: 'plugin error: threw: RangeError: kaput',
        score: 0,
      },
      { stage: 'score/boost-authors', index: 1, verdict: 'score', reason: 'boosted author', score: 1 },
    ]);
    const hide = await runStages([{ use: 'plugin:broken@0.1.0', onError: 'hide' }], posts, { plugins });
    expect(hide.map((r) => r.hiddenReason)).toEqual([
      'plugin error: threw: RangeError: kaput',
      'plugin error: threw: RangeError: kaput',
    ]);
  });

  it('stops calling plugins once the batch has spent its plugin time budget', async () => {
    // Each call runs for at least 30 ms of its own time; the budget is 50 ms.
    const slow = trustedPlugin(
      definePlugin({
        name: 'slow',
        version: '1.0.0',
        configSchema: { type: 'object' },
        filter: (posts) => {
          const until = performance.now() + 30;
          while (performance.now() < until);
          return posts.map(() => null);
        },
      }),
    );
    const spec = { name: 'slow', stages: Array.from({ length: 5 }, () => ({ use: 'plugin:slow@1.0.0' })) };
    const compiled = compilePipeline(spec, { plugins: pluginResolver([slow]) });
    const [result] = await compiled.run([candidate(post())], { pluginBudgetMs: 50, explain: true });
    const verdicts = result!.decisions.map((d) => `${d.index}:${d.verdict}:${d.reason}`);
    expect(verdicts[0]).toBe('0:keep:null');
    // The second call may still fit (30 ms spent of 50); after it none does, and the first stage
    // refused says so for the later ones.
    expect(verdicts.at(-1)).toMatch(
      /^[12]:error:plugin error: plugin time budget of the batch spent; later plugin stages not run$/,
    );
    expect(verdicts.length).toBe(Number(verdicts.at(-1)![0]) + 1);
    // Without a budget every stage runs.
    const [unlimited] = await compiled.run([candidate(post())], { explain: true });
    expect(unlimited!.decisions.map((d) => d.verdict)).toEqual(['keep', 'keep', 'keep', 'keep', 'keep']);
  });

  it('treats output that breaks the contract, and missing plugins, as plugin errors', async () => {
    const [bad] = await runStages([{ use: 'plugin:wrong-length@1.0.0' }], [post(), post()], { plugins });
    expect(bad!.decisions[0]!.reason).toBe(
      'plugin error: threw: PluginContractError: score returned 1 numbers for 2 posts',
    );
    const [missing] = await runStages([{ use: 'plugin:nowhere@9', onError: 'hide' }], [post()], { plugins });
    expect(missing!.hiddenReason).toBe('plugin error: not installed');
  });

  it('skips disabled stages and keeps output in input order, JSON-serializable', async () => {
    const pipeline = compilePipeline(DEFAULT_PIPELINE_SPEC);
    const inputs = [
      post({ contentWarning: 'cw' }),
      post({ labels: [{ value: 'porn', source: 'x', action: null }] }),
      post(),
    ].map((p) => candidate(p));
    const results = await pipeline.run(inputs, { now: new Date('2026-11-23T13:00:00Z') });
    expect(results.map((r) => r.uri)).toEqual(inputs.map((c) => c.post.uri));
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    expect(results[0]!.warn).toEqual(['content warning: cw']);
    expect(results[1]!.hidden).toBe(true);
    const disabled = await runStages(
      [{ use: 'mute-words', with: { words: ['post'] }, enabled: false }],
      [post({ text: 'post' })],
    );
    expect(disabled[0]!.hidden).toBe(false);
  });

  it('places a repost at the time it was reposted, not when the post was written', async () => {
    const old = post({ uri: 'at://old', createdAt: '2026-11-01T00:00:00.000Z' });
    const recent = post({ uri: 'at://recent', createdAt: '2026-11-20T00:00:00.000Z' });
    const [boosted, between] = await compilePipeline({ name: 'x', stages: [] }).run([
      candidate(old, { ...repostBy({}), at: '2026-11-22T00:00:00.000Z' }),
      candidate(recent),
    ]);
    expect(boosted!.rankKey).toBeGreaterThan(between!.rankKey);
    // A repost time before the post's own (clock skew) does not move it back.
    const [skewed] = await compilePipeline({ name: 'x', stages: [] }).run([
      candidate(recent, { ...repostBy({}), at: '2026-01-01T00:00:00.000Z' }),
    ]);
    expect(skewed!.rankKey).toBe(between!.rankKey);
  });

  it('uses the recency half-life as τ', () => {
    expect(
      compilePipeline({ name: 'x', stages: [{ use: 'score/recency', with: { halfLifeHours: 12 } }] })
        .halfLifeHours,
    ).toBe(12);
    expect(compilePipeline({ name: 'x', stages: [] }).halfLifeHours).toBe(6);
  });
});

describe('plugin output', () => {
  /** A trusted plugin (no JSON round trip: any value reaches the engine as returned). */
  const plugin = (name: string, hooks: Pick<PluginDefinition, 'filter' | 'score'>) =>
    trustedPlugin(definePlugin({ name, version: '1.0.0', configSchema: { type: 'object' }, ...hooks }));

  it('keeps rank keys finite: the largest score at the largest weight, and built-in extremes', async () => {
    const huge = plugin('huge', { score: (posts) => posts.map((_, i) => (i === 0 ? 1e308 : -1e308)) });
    const results = await runStages(
      [
        { use: 'plugin:huge@1.0.0', weight: 100 },
        { use: 'score/boost-authors', with: { authors: ['did:plc:alice'], amount: 1e308 }, weight: 100 },
        { use: 'diversify/author-cap', with: { max: 1, per: 20, penalty: 1e308 } },
      ],
      [post({ text: 'a' }), post({ text: 'b' }), post({ text: 'c' })],
      { plugins: pluginResolver([huge]) },
    );
    for (const result of results) expect(Number.isFinite(result.rankKey)).toBe(true);
    expect(results[0]!.decisions.map((d) => d.score)).toEqual([MAX_CONTRIBUTION, MAX_CONTRIBUTION]);
    expect(results[1]!.decisions.map((d) => d.score)).toEqual([
      -MAX_CONTRIBUTION,
      MAX_CONTRIBUTION,
      -MAX_CONTRIBUTION,
    ]);
    // The plugin's score counts as 100 (PLUGIN_SCORE_LIMIT), times the weight.
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    const tiny = await runStages(
      [{ use: 'score/recency', with: { halfLifeHours: 1e-320 } }],
      [post({ text: 'now' })],
    );
    expect(tiny[0]!.rankKey).toBe(MAX_RANK_KEY);
  });

  it('stores reasons and errors as text PostgreSQL accepts: no controls, no lone surrogates, capped', async () => {
    const long = `${'x'.repeat(199)}😀 and more`;
    const odd = plugin('odd', {
      filter: (posts) =>
        posts.map((p) => ({
          action: 'warn',
          reason: p.text === 'nul' ? 'a\u0000b\nc\u009f' : p.text === 'lone' ? 'half \ud83d' : long,
        })),
    });
    const results = await runStages(
      [{ use: 'plugin:odd@1.0.0' }],
      [post({ text: 'nul' }), post({ text: 'lone' }), post({ text: 'long' })],
      { plugins: pluginResolver([odd]) },
    );
    // A pair cut at the limit is left out whole, not half of it.
    expect(results.map((r) => r.warn)).toEqual([['a b c '], ['half \ufffd'], ['x'.repeat(199)]]);
    const thrower = plugin('thrower', {
      filter: () => {
        throw new Error(`bad\u0000${'y'.repeat(400)}`);
      },
    });
    const failed = await runStages([{ use: 'plugin:thrower@1.0.0' }], [post({ text: 'x' })], {
      plugins: pluginResolver([thrower]),
    });
    const reason = failed[0]!.decisions[0]!.reason!;
    expect(reason).toMatch(/^plugin error: threw: Error: bad y+$/);
    expect(reason.length).toBe('plugin error: '.length + 300);
  });
});

describe('malformed posts', () => {
  // Stored posts are JSON from the database: a bad one must not take its batch down.
  const malformed = (fields: Record<string, unknown>): Post => ({ ...post(), ...fields }) as unknown as Post;

  it('hides a post the stages cannot read, records why, and runs the rest of the batch', async () => {
    const stages = [
      { use: 'mute-words', with: { words: ['crypto'] } },
      { use: 'ai-generated' },
      { use: 'score/engagement' },
      { use: 'dedupe-crossposts' },
      { use: 'diversify/author-cap', with: { max: 5 } },
    ];
    const counts = { likes: 1, reposts: 0, replies: 0, quotes: 0 };
    const inputs = [
      post({ text: 'fine', counts }),
      malformed({ createdAt: undefined, indexedAt: undefined }),
      malformed({ createdAt: 'yesterday', indexedAt: '2026-11-23T12:00:00.000Z' }),
      malformed({ hashtags: undefined }),
      malformed({ text: null }),
      malformed({ labels: [{ source: 'x' }] }),
      post({ text: 'crypto', counts }),
    ];
    const now = new Date('2026-11-24T00:00:00.000Z');
    const results = await runStages(stages, inputs, { now });
    const input = (reason: string) => [
      { stage: 'input', index: -1, verdict: 'hide', reason: `malformed post: ${reason}`, score: 0 },
    ];
    expect(results.map((r) => r.decisions)).toEqual([
      [{ stage: 'score/engagement', index: 2, verdict: 'score', reason: 'engagement', score: 1 }],
      input('createdAt missing'),
      input('createdAt "yesterday" is not a timestamp'),
      input('hashtags missing'),
      input('text is not a string'),
      input('labels[0] is not a label'),
      [{ stage: 'mute-words', index: 0, verdict: 'hide', reason: 'muted word "crypto" in text', score: 0 }],
    ]);
    expect(results[1]!).toMatchObject({ hidden: true, hiddenReason: 'malformed post: createdAt missing' });
    // A hidden post keeps a time position: when it was indexed, else the run's clock.
    expect(results[1]!.rankKey).toBeCloseTo(rankKey(now.getTime(), 0));
    expect(results[2]!.rankKey).toBeCloseTo(rankKey(Date.parse('2026-11-23T12:00:00.000Z'), 0));
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});

describe('posts deleted at origin', () => {
  it('hides them with the reason, whatever the stages, and lets another copy show', async () => {
    const stages = [{ use: 'score/engagement' }, { use: 'dedupe-crossposts' }];
    const webUrl = 'https://example.social/@alice/1';
    const deleted = post({ webUrl, deletedAt: '2026-11-24T00:00:00.000Z' });
    const copy = post({ webUrl });
    const results = await runStages(stages, [deleted, copy]);
    expect(results[0]).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
      decisions: [{ stage: 'input', index: -1, verdict: 'hide', reason: 'deleted at origin', score: 0 }],
    });
    expect(results[1]).toMatchObject({ hidden: false, hiddenReason: null });
  });
});

describe('explain', () => {
  it('records a keep for every filter a post passed, and every scorer with its score, only when asked', async () => {
    const stages = [
      { use: 'mute-words', with: { words: ['spam'] } },
      { use: 'language', with: { allow: ['en'] } },
      { use: 'ai-generated' },
      { use: 'plugin:community/no-shouting@1.0.0' },
      { use: 'score/engagement' },
    ];
    const posts = [post({ text: 'a calm post' }), post({ text: 'spam spam' })];
    const plain = await runStages(stages, posts, { plugins });
    expect(plain[0]!.decisions).toEqual([]);
    const explained = await runStages(stages, posts, { plugins, explain: true });
    expect(explained[0]!.decisions.map((d) => `${d.stage}:${d.verdict}`)).toEqual([
      'mute-words:keep',
      'language:keep',
      'ai-generated:keep',
      'plugin:community/no-shouting@1.0.0:keep',
      'plugin:community/no-shouting@1.0.0:score',
      'score/engagement:score',
    ]);
    expect(explained[1]!.decisions.map((d) => `${d.stage}:${d.verdict}`)).toEqual(['mute-words:hide']);
  });
});

describe('pluginResolver', () => {
  const release = (version: string) =>
    trustedPlugin(
      definePlugin({
        name: 'community/x',
        version,
        configSchema: { type: 'object' },
        score: (p) => p.map(() => 0),
      }),
    );
  const resolve = pluginResolver([
    release('1.2.0'),
    release('1.10.1'),
    release('2.0.0'),
    release('1.11.0-beta.1'),
  ]);
  it('resolves exact versions and the newest stable release for a partial one', () => {
    expect(resolve('community/x', '1.2.0')?.version).toBe('1.2.0');
    expect(resolve('community/x', '1')?.version).toBe('1.10.1');
    expect(resolve('community/x', '1.2')?.version).toBe('1.2.0');
    expect(resolve('community/x', '2')?.version).toBe('2.0.0');
    expect(resolve('community/x', '3')).toBeUndefined();
    expect(resolve('community/y', '1')).toBeUndefined();
  });
});
