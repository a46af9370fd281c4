// The DateTime scalar, as Nest's own (same name, description and parsing) but also for stored
// timestamps: a post's dates are ISO text in its `data`, and parsing each into a Date to print it
// back took ~1 µs a date, ~2% of the API's CPU per timeline page (tools/bench/timeline-read.bench.ts).
import { GraphQLScalarType, Kind } from 'graphql';

/** A timestamp as stored in a post's `data`: ISO 8601 text, printed by the DateTime scalar. */
export type IsoDateTime = string;

/** `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`: what `toISOString` writes, milliseconds optional. */
const PLAIN_UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/**
 * `new Date(text).toISOString()` without the Date: a plain UTC timestamp that names a real instant
 * (no 24:00, no 31st of April, which Date rolls over) only gains its missing milliseconds; any
 * other text goes through Date, so the result is always the same (an invalid one throws RangeError).
 */
export function isoTimestamp(text: string): string {
  const m = PLAIN_UTC.exec(text);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
    if (
      monthDays !== undefined &&
      day >= 1 &&
      day <= monthDays &&
      Number(m[4]) < 24 &&
      Number(m[5]) < 60 &&
      Number(m[6]) < 60
    ) {
      const fraction = m[7];
      if (fraction === undefined) return `${text.slice(0, 19)}.000Z`;
      return fraction.length === 3 ? text : `${text.slice(0, 20)}${fraction.padEnd(3, '0')}Z`;
    }
  }
  return new Date(text).toISOString();
}

/**
 * Serializes a Date as Nest's GraphQLISODateTime does, and stored ISO text ({@link IsoDateTime})
 * to the same text the Date it names would give.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description:
    'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  parseValue: (value) => new Date(value as string),
  serialize: (value) =>
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? isoTimestamp(value) : null,
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? new Date(ast.value) : null),
});
