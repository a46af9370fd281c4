import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { builtinStageConfigs, parsePipelineSpec } from './spec.js';
import type { BuiltinStageName } from './spec.js';
import { STAGE_DOCS, stageOptionsSchema, withStageReference } from './stage-reference.js';

const names = Object.keys(builtinStageConfigs) as BuiltinStageName[];

describe('the stage reference (docs/pipelines.md)', () => {
  it('documents every stage of the registry and every option of each, and nothing else', () => {
    expect(Object.keys(STAGE_DOCS).sort()).toEqual([...names].sort());
    for (const name of names)
      expect([name, Object.keys(STAGE_DOCS[name].options).sort()]).toEqual([
        name,
        Object.keys(stageOptionsSchema(name).properties ?? {}).sort(),
      ]);
  });

  it('gives each stage an example that is a valid stage of that kind', () => {
    for (const name of names) {
      const example = STAGE_DOCS[name].example;
      expect(example.use).toBe(name);
      expect(() => parsePipelineSpec({ name: 'example', stages: [example] })).not.toThrow();
    }
  });

  it('is in the repository as generated (run tools/scripts/pipeline-docs.ts after changing a stage)', () => {
    const doc = readFileSync(new URL('../../../docs/pipelines.md', import.meta.url), 'utf8');
    expect(doc).toBe(withStageReference(doc));
    for (const name of names) expect(doc).toContain(`### \`${name}\``);
  });
});
