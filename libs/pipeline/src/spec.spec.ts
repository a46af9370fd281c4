import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PIPELINE_SPEC, PipelineSpecError, parsePipelineSpec } from './spec.js';

function problems(spec: unknown): string[] {
  try {
    parsePipelineSpec(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineSpecError);
    return (error as PipelineSpecError).problems;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parsePipelineSpec', () => {
  it('accepts the DESIGN.md example and applies stage defaults', () => {
    const spec = parsePipelineSpec({
      name: 'Calm home',
      sources: [
        { account: 'a1', kind: 'home' },
        { account: 'a1', kind: 'list', id: 'l1' },
      ],
      stages: [
        { use: 'mute-words', with: { words: ['crypto'], wholeWord: true } },
        { use: 'language', with: { allow: ['en', 'de'] } },
        { use: 'hide-reposts', with: { except: ['did:plc:abc'] } },
        { use: 'content-warning', with: { action: 'blur' } },
        { use: 'ai-generated', with: { action: 'hide' } },
        { use: 'dedupe-crossposts' },
        { use: 'score/recency', with: { halfLifeHours: 6 } },
        { use: 'score/engagement', weight: 0.3 },
        { use: 'diversify/author-cap', with: { max: 3, per: 20 } },
        { use: 'plugin:community/no-engagement-bait@1', onError: 'skip' },
      ],
    });
    expect(spec.stages).toHaveLength(10);
    expect(spec.stages[0]!.with).toEqual({ words: ['crypto'], wholeWord: true, action: 'hide' });
    expect(spec.stages[5]!.with).toEqual({ windowMinutes: 60, identities: [] });
    expect(spec.stages[7]!.weight).toBe(0.3);
    expect(spec.stages[9]).toMatchObject({
      use: 'plugin:community/no-engagement-bait@1',
      onError: 'skip',
      weight: 1,
    });
  });

  it('names the path of a bad stage option', () => {
    expect(
      problems({
        name: 'x',
        stages: [
          { use: 'mute-words', with: { words: [] } },
          { use: 'language', with: { allow: ['en'] } },
          { use: 'hide-replies' },
          { use: 'score/recency', with: { halfLifeHours: -2 } },
        ],
      }),
    ).toEqual(['stages[3].with.halfLifeHours: expected a positive number']);
  });

  it('lists every problem with its path', () => {
    const list = problems({
      name: '',
      sources: [{ account: 'a', kind: 'list' }],
      stages: [
        { use: 'mute-words', with: { words: ['ok', { regex: '(' }, 42], colour: 'red' } },
        { use: 'nope' },
        { use: 'diversify/author-cap', with: { max: 0 } },
        { use: 'plugin:x@1', onError: 'explode' },
      ],
    });
    expect(list).toContain('name: expected a non-empty string');
    expect(list).toContain('sources[0].id: expected an id for this kind');
    expect(list).toContain('stages[3].onError: expected "skip" or "hide"');
  });

  it('reports the stages\' problems with an unknown top-level key and other outer problems', () => {
    expect(
      problems({
        name: 'x',
        colour: 'red',
        stages: [
          { use: 'score/recency', with: { halfLifeHours: 0 } },
          { use: 'hide-replies', onError: 'explode' },
          { use: 'nope' },
        ],
      }),
    ).toEqual([
      'stages[1].onError: expected "skip" or "hide"',
      '(root): Unrecognized key: "colour"',
      'stages[0].with.halfLifeHours: expected a positive number',
      expect.stringMatching(/^stages\[2\]\.use: unknown stage "nope"/),
    ]);
    expect(problems({ name: '', stages: [{ use: 'diversify/author-cap', with: {} }] })).toEqual([
      'name: expected a non-empty string',
      'stages[0].with.max: expected a positive integer',
    ]);
  });

  it('names the path inside a stage', () => {
    const list = problems({
      name: 'x',
      stages: [
        { use: 'mute-words', with: { words: ['ok', { regex: '(' }, 42], colour: 'red' } },
        { use: 'nope' },
        { use: 'diversify/author-cap', with: { max: 0 } },
        { use: 'network', with: { allow: ['myspace'] } },
        { use: 'mute-words', with: { words: [{ word: 'a', regex: 'b' }] } },
      ],
    });
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages\[0\]\.with\.words\[1\]\.regex: invalid regular expression/),
        'stages[0].with.words[2]: expected a word, or { word | regex, wholeWord?, expiresAt? }',
        'stages[0].with: Unrecognized key: "colour"',
        expect.stringMatching(/^stages\[1\]\.use: unknown stage "nope"/),
        'stages[2].with.max: expected a positive integer',
        'stages[3].with.allow[0]: expected "bluesky" or "mastodon"',
        'stages[4].with.words[0]: expected exactly one of "word" or "regex"',
      ]),
    );
  });

  it('rejects a non-object spec with a root problem', () => {
    expect(problems('hello')).toEqual(['(root): Invalid input: expected object, received string']);
  });

  it('accepts its own output (idempotent) and the default spec', () => {
    const once = parsePipelineSpec(DEFAULT_PIPELINE_SPEC);
    expect(parsePipelineSpec(once)).toEqual(once);
    expect(JSON.parse(JSON.stringify(once))).toEqual(once);
  });
});
