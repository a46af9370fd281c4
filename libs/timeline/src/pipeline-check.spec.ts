import { describe, expect, it } from '@jest/globals';
import { pluginResolver, trustedPlugin } from '@tributary/pipeline';
import { definePlugin } from '@tributary/plugin-sdk';
import { checkPipelineSpec, pluginReferences, toIssue } from './pipeline-check.js';

const shout = definePlugin<{ ratio: number }>({
  name: 'test/shout',
  version: '1.2.0',
  configSchema: {
    type: 'object',
    properties: { ratio: { type: 'number', minimum: 0, maximum: 1 } },
    required: ['ratio'],
    additionalProperties: false,
  },
  filter: (posts) => posts.map(() => null),
});
const installed = pluginResolver([trustedPlugin(shout)]);

describe('checkPipelineSpec', () => {
  it('accepts a valid spec and returns it with defaults applied', () => {
    const check = checkPipelineSpec(
      {
        name: 'x',
        stages: [
          { use: 'mute-words', with: { words: ['a'] } },
          { use: 'plugin:test/shout@1', with: { ratio: 0.5 } },
        ],
      },
      installed,
    );
    expect(check.valid).toBe(true);
    if (check.valid) expect(check.spec.stages[0]!.with).toMatchObject({ wholeWord: true, action: 'hide' });
  });

  it('names the path of every problem of the spec itself', () => {
    expect(
      checkPipelineSpec(
        { name: 'x', stages: [{ use: 'score/recency', with: { halfLifeHours: 0 } }, { use: 'nope' }] },
        installed,
      ),
    ).toEqual({
      valid: false,
      issues: [
        { path: 'stages[0].with.halfLifeHours', message: 'expected a positive number' },
        { path: 'stages[1].use', message: expect.stringContaining('unknown stage "nope"') },
      ],
    });
  });

  it('refuses plugins that are not installed, also as an AI classifier, and checks the config of installed ones', () => {
    const check = checkPipelineSpec(
      {
        name: 'x',
        stages: [
          { use: 'plugin:test/shout@2' },
          { use: 'ai-generated', with: { classifier: { plugin: 'test/ai@1' } } },
          { use: 'plugin:test/shout@1.2.0', with: { ratio: 2 } },
        ],
      },
      installed,
    );
    expect(check).toEqual({
      valid: false,
      issues: [
        { path: 'stages[0].use', message: expect.stringContaining('"test/shout@2" is not installed') },
        {
          path: 'stages[1].with.classifier.plugin',
          message: expect.stringContaining('"test/ai@1" is not installed'),
        },
        { path: 'stages[2].with.ratio', message: expect.any(String) },
      ],
    });
  });

  it('names a plugin that is not installed together with the spec\'s other problems', () => {
    expect(
      checkPipelineSpec(
        {
          name: 'x',
          colour: 'red',
          stages: [
            { use: 'score/recency', with: { halfLifeHours: 0 } },
            { use: 'plugin:test/missing@1' },
            { use: 'ai-generated', with: { classifier: { plugin: 'test/ai@1' } } },
          ],
        },
        installed,
      ),
    ).toEqual({
      valid: false,
      issues: [
        { path: '(root)', message: 'Unrecognized key: "colour"' },
        { path: 'stages[0].with.halfLifeHours', message: 'expected a positive number' },
        { path: 'stages[1].use', message: expect.stringContaining('"test/missing@1" is not installed') },
        {
          path: 'stages[2].with.classifier.plugin',
          message: expect.stringContaining('"test/ai@1" is not installed'),
        },
      ],
    });
  });

  it('finds plugin references with their paths', () => {
    const check = checkPipelineSpec(
      { name: 'x', stages: [{ use: 'media-only' }, { use: 'plugin:test/shout@1', with: { ratio: 1 } }] },
      installed,
    );
    expect(check.valid && pluginReferences(check.spec)).toEqual([
      { path: 'stages[1].use', name: 'test/shout', version: '1' },
    ]);
  });

  it('splits a problem line at its first colon-space only', () => {
    expect(toIssue('stages[0].with.words[1]: expected a word, or { word: … }')).toEqual({
      path: 'stages[0].with.words[1]',
      message: 'expected a word, or { word: … }',
    });
    expect(toIssue('no path here')).toEqual({ path: '(root)', message: 'no path here' });
  });
});
