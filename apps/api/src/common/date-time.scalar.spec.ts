import { describe, expect, it } from '@jest/globals';
import { GraphQLISODateTime } from '@nestjs/graphql';
import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, graphql, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { DateTimeScalar, isoTimestamp } from './date-time.scalar.js';

/** What a stored timestamp printed as before: through a Date. */
const throughDate = (text: string): string => new Date(text).toISOString();

describe('isoTimestamp', () => {
  it('prints stored timestamps as their Date would, with or without milliseconds', () => {
    let ms = Date.UTC(1969, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 1500; i++) {
      ms += 25_919_337_913 + i; // ~300 days and an odd time a step: every month, day and time of day, to ~3200
      const iso = new Date(ms).toISOString();
      for (const text of [
        iso,
        iso.replace(/\.\d{3}Z$/, 'Z'),
        iso.replace(/\d\dZ$/, 'Z'),
        iso.replace(/\dZ$/, 'Z'),
      ])
        expect(isoTimestamp(text)).toBe(throughDate(text));
    }
  });

  it('rolls over, or refuses, what Date does: days a month lacks, 24:00, offsets, other forms', () => {
    const texts = [
      '2024-02-29T10:00:00Z',
      '2026-02-29T10:00:00Z',
      '1900-02-29T00:00:00Z',
      '2000-02-29T00:00:00.5Z',
      '2026-04-31T00:00:00Z',
      '2026-12-31T24:00:00Z',
      '0000-01-01T00:00:00Z',
      '2026-12-07T12:05:12+02:00',
      '2026-12-07T12:05:12.123456Z',
      '2026-12-07',
      '+012026-12-07T12:05:12Z',
      '2026-12-07 12:05:12Z',
      '2026-12-07T12:05:12.000+00:00',
    ];
    for (const text of texts) expect(isoTimestamp(text)).toBe(throughDate(text));
    const invalid = [
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-12-00T00:00:00Z',
      '2026-12-07T12:60:00Z',
      '2026-12-07T12:05:60Z',
      '2026-1a-07T12:05:12Z',
      '2026-12-07T12:05:12.Z',
      '2026-12-07T12:05:12.1a3Z',
      'not a date',
    ];
    for (const text of invalid) expect(() => isoTimestamp(text)).toThrow(RangeError);
  });
});

describe('DateTimeScalar', () => {
  it("is Nest's DateTime for Dates, in the schema and both ways", () => {
    expect(DateTimeScalar.name).toBe(GraphQLISODateTime.name);
    expect(DateTimeScalar.description).toBe(GraphQLISODateTime.description);
    const date = new Date(Date.UTC(2026, 11, 7, 12, 5, 12, 40));
    expect(DateTimeScalar.serialize(date)).toBe(GraphQLISODateTime.serialize(date));
    expect(DateTimeScalar.parseValue('2026-12-07T12:05:12Z')).toEqual(
      GraphQLISODateTime.parseValue('2026-12-07T12:05:12Z'),
    );
  });

  it('prints stored ISO text as the Date it names', () => {
    expect(DateTimeScalar.serialize('2026-12-07T12:05:12Z')).toBe('2026-12-07T12:05:12.000Z');
  });

  it('makes anything else a field error, in graphql-jit as in graphql-js, not a silent null', async () => {
    expect(() => DateTimeScalar.serialize(42)).toThrow('DateTime cannot represent a non-date value: number');
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          at: { type: new GraphQLNonNull(DateTimeScalar), resolve: () => 42 },
          ok: { type: GraphQLString, resolve: () => 'ok' },
        },
      }),
    });
    const expected = {
      data: null,
      errors: [expect.objectContaining({ message: 'DateTime cannot represent a non-date value: number' })],
    };
    const jit = await compileQuery(schema, parse('{ at ok }'));
    expect(isCompiledQuery(jit) && (await jit.query(null, {}, {}))).toEqual(expected);
    expect(await graphql({ schema, source: '{ at ok }' })).toEqual(expected);
  });
});
