import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { MAX_INPUT_DEPTH, inputLiteralRule, variablesError } from './input-checks.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('variables', () => {
  it('refuses a NUL in any string or key, naming where', () => {
    expect(variablesError({ name: 'fine', spec: { stages: [{ with: { words: ['a', 'b'] } }] } })).toBeNull();
    const inString = variablesError({ spec: { stages: [{ with: { words: ['a', 'b\u0000'] } }] } });
    expect([inString?.message, inString?.extensions['code']]).toEqual([
      '$spec.stages[0].with.words[1]: text cannot contain NUL characters (\\u0000)',
      'BAD_USER_INPUT',
    ]);
    expect(variablesError({ spec: { 'k\u0000': 1 } })?.message).toBe(
      '$spec.k\u0000: text cannot contain NUL characters (\\u0000)',
    );
    expect(variablesError({ username: '\u0000' })?.message).toMatch(/^\$username: /);
  });

  it(`accepts ${MAX_INPUT_DEPTH} levels of nesting and refuses more, without recursion`, () => {
    expect(variablesError({ spec: nested(MAX_INPUT_DEPTH) })).toBeNull();
    expect(variablesError({ spec: nested(MAX_INPUT_DEPTH + 1) })?.message).toMatch(
      /: nested more than 64 levels deep$/,
    );
    expect(variablesError({ spec: nested(100_000) })?.extensions['code']).toBe('BAD_USER_INPUT');
  });
});

describe('literals in the document', () => {
  const schema = buildSchema('scalar JSON type Query { check(text: String, spec: JSON): Boolean }');
  const errors = (query: string) =>
    validate(schema, parse(query), [...specifiedRules, inputLiteralRule]).map((e) => e.message);

  it('refuses a NUL in a string literal, also one inside a JSON literal', () => {
    expect(errors('{ check(text: "fine", spec: { a: ["b"] }) }')).toEqual([]);
    expect(errors('{ check(text: "a\\u0000") }')).toEqual([
      'a string in the query: text cannot contain NUL characters (\\u0000)',
    ]);
    expect(errors('{ check(spec: { a: ["\\u0000"] }) }')).toHaveLength(1);
  });

  it('refuses values nested too deep, once', () => {
    const literal = (levels: number) => '{a:'.repeat(levels) + '1' + '}'.repeat(levels);
    expect(errors(`{ check(spec: ${literal(MAX_INPUT_DEPTH)}) }`)).toEqual([]);
    expect(errors(`{ check(spec: ${literal(500)}) }`)).toEqual([
      'a value in the query: nested more than 64 levels deep',
    ]);
  });
});
