import { describe, expect, it } from '@jest/globals';
import { checkPluginConfig, compileConfigSchema } from './config.js';
import type { JsonSchema } from './plugin.js';
import { PluginContractError } from './plugin.js';

const problemsOf = (schema: JsonSchema, config: unknown): string[] => {
  const checked = checkPluginConfig(compileConfigSchema(schema), config);
  return checked.ok ? [] : checked.problems;
};

/**
 * A match runs synchronously and cannot be interrupted. Passing through the timer queue afterwards
 * lets jest's per-test timeout fail a test whose match took longer than the test is given.
 */
const afterTimers = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('config schema patterns run in linear time (RE2)', () => {
  const word = (pattern: string): JsonSchema => ({
    type: 'object',
    properties: { word: { type: 'string', pattern } },
  });

  it("answers at once for `^(a+)+$` on a hostile value (issue #16: V8 took 6.7 s for 29 a's, doubling per a)", async () => {
    const schema = word('^(a+)+$');
    expect(problemsOf(schema, { word: `${'a'.repeat(29)}!` })).toEqual([
      'with.word: Invalid string: must match pattern /^(a+)+$/',
    ]);
    expect(problemsOf(schema, { word: 'aaa' })).toEqual([]);
    await afterTimers();
  }, 5_000);

  it('checks patterns wherever a schema always applies: items, tuples, additionalProperties, allOf, $ref', () => {
    const schema: JsonSchema = {
      type: 'object',
      $defs: { tag: { type: 'string', pattern: '^#' } },
      properties: {
        tags: { type: 'array', items: { $ref: '#/$defs/tag' } },
        pair: { type: 'array', prefixItems: [{ type: 'string', pattern: '^x' }], items: { pattern: '^y' } },
        both: { type: 'string', allOf: [{ pattern: 'a' }, { pattern: 'b' }] },
        // A property named "pattern" is a property, not the keyword.
        pattern: { type: 'string', pattern: '^p' },
      },
      additionalProperties: { type: 'string', pattern: '^z' },
    };
    expect(
      problemsOf(schema, { tags: ['#ok', 'no'], pair: ['x', 'y', 'n'], both: 'a', pattern: 'q', extra: 'w' }),
    ).toEqual([
      'with.tags[1]: Invalid string: must match pattern /^#/',
      'with.pair[2]: Invalid string: must match pattern /^y/',
      'with.both: Invalid string: must match pattern /b/',
      'with.pattern: Invalid string: must match pattern /^p/',
      'with.extra: Invalid string: must match pattern /^z/',
    ]);
    expect(
      problemsOf(schema, { tags: ['#a'], pair: ['x1', 'y1'], both: 'ab', pattern: 'p', extra: 'z' }),
    ).toEqual([]);
  });

  it('matches case-sensitively in Unicode, as JSON Schema (ECMA-262 with `u`) does', () => {
    expect(problemsOf(word('^abc$'), { word: 'ABC' })).toHaveLength(1);
    expect(problemsOf(word('^\\p{Lu}\\u{1F680}$'), { word: 'Ä🚀' })).toEqual([]);
  });

  it.each([
    [word('(?=a)a'), 'configSchema.properties.word.pattern: regular expression refused: lookahead'],
    [word('(a)\\1'), 'configSchema.properties.word.pattern: regular expression refused: backreferences'],
    [word('('), 'configSchema.properties.word.pattern: invalid regular expression'],
    [
      {
        type: 'object',
        properties: { w: { anyOf: [{ type: 'string', pattern: 'a' }, { type: 'number' }] } },
      },
      'configSchema.properties.w.anyOf[0].pattern: pattern is supported only where a schema always applies',
    ],
    [
      {
        type: 'object',
        $defs: { a: { type: 'string', pattern: 'a' } },
        properties: { w: { oneOf: [{ $ref: '#/$defs/a' }, { type: 'number' }] } },
      },
      'configSchema: #/$defs/a holds a pattern and is referenced under anyOf',
    ],
    [
      { type: 'object', patternProperties: { '^x': { type: 'string' } } },
      'configSchema.patternProperties: patternProperties is not supported',
    ],
    [
      { type: 'object', propertyNames: { pattern: '^[a-z]+$' } },
      'configSchema.propertyNames.pattern: pattern is supported only where a schema always applies',
    ],
    [
      { type: 'object', properties: { a: { type: 'string', pattern: 'a{600}' }, b: { pattern: 'b{600}' } } },
      'configSchema.properties.b.pattern: regular expressions too large',
    ],
  ])('refuses an unusable pattern, naming its path (%#)', (schema, message) => {
    expect(() => compileConfigSchema(schema as JsonSchema)).toThrow(PluginContractError);
    expect(() => compileConfigSchema(schema as JsonSchema)).toThrow(message);
  });

  it('leaves schemas without patterns to zod as before', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { ratio: { type: 'number', maximum: 1, default: 0.5 } },
      additionalProperties: false,
    };
    expect(checkPluginConfig(compileConfigSchema(schema), undefined)).toEqual({
      ok: true,
      config: { ratio: 0.5 },
    });
    expect(problemsOf(schema, { ratio: 2 })).toEqual(['with.ratio: Too big: expected number to be <=1']);
  });
});

describe('compiled config schemas', () => {
  it('compile one schema object once, however many stages use it (an unusable one fails the same each time)', () => {
    // A pipeline of 64 stages of one plugin compiled its schema 64 times on each validation,
    // preview and rebuild. Reads of the schema's `properties` count the compilations.
    let reads = 0;
    const properties = { n: { type: 'number', default: 1 } };
    const schema = { type: 'object' } as JsonSchema;
    Object.defineProperty(schema, 'properties', {
      enumerable: true,
      get: () => (reads++, properties),
    });
    const first = compileConfigSchema(schema);
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);
    for (let stage = 0; stage < 63; stage++) expect(compileConfigSchema(schema)).toBe(first);
    expect(reads).toBe(afterFirst);
    expect(checkPluginConfig(first, {})).toEqual({ ok: true, config: { n: 1 } });

    const unusable: JsonSchema = { type: 'banana' };
    expect(() => compileConfigSchema(unusable)).toThrow(PluginContractError);
    expect(() => compileConfigSchema(unusable)).toThrow(/^configSchema: /);
  });
});
