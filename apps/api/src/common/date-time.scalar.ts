// The DateTime scalar, as Nest's own (same name, description and parsing) but also for stored
// timestamps: a post's dates are ISO text in its `data`, and parsing each into a Date to print it
// back took ~1 µs a date, ~2% of the API's CPU per timeline page (tools/bench/timeline-read.bench.ts).
import { GraphQLScalarType, Kind } from 'graphql';

/** A timestamp as stored in a post's `data`: ISO 8601 text, printed by the DateTime scalar. */
export type IsoDateTime = string;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The number of the ASCII digits at [from, to), or -1 if any is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `new Date(text).toISOString()` without the Date: `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z` (what
 * `toISOString` writes, milliseconds optional) naming a real instant (no 24:00, no 31st of April,
 * which Date rolls over) only gains its missing milliseconds; any other text goes through Date, so
 * the result is always the same (an invalid one throws RangeError). Read by character codes: a
 * regular expression's captures cost as much as the Date.
 */
export function isoTimestamp(text: string): string {
  const length = text.length;
  if (
    (length === 20 || (length >= 22 && length <= 24)) &&
    text.charCodeAt(length - 1) === 90 && // Z
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    (length === 20 || (text.charCodeAt(19) === 46 && digits(text, 20, length - 1) >= 0)) // .
  ) {
    const [year, month, day] = [digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10)];
    const [hour, minute, second] = [digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19)];
    const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
    if (
      year >= 0 &&
      monthDays !== undefined &&
      day >= 1 &&
      day <= monthDays &&
      hour >= 0 &&
      hour < 24 &&
      minute >= 0 &&
      minute < 60 &&
      second >= 0 &&
      second < 60
    ) {
      if (length === 24) return text;
      if (length === 20) return `${text.slice(0, 19)}.000Z`;
      return `${text.slice(0, length - 1)}${length === 22 ? '00' : '0'}Z`;
    }
  }
  return new Date(text).toISOString();
}

/**
 * Serializes a Date as Nest's GraphQLISODateTime does, and stored ISO text ({@link IsoDateTime})
 * to the same text the Date it names would give. Anything else is a field error, as GraphQL's own
 * scalars raise (Nest's returns null: graphql-js then refused it in a non-null field, but
 * graphql-jit, which runs our queries, printed the null as if it were an answer).
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description:
    'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  parseValue: (value) => new Date(value as string),
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return isoTimestamp(value);
    throw new TypeError(`DateTime cannot represent a non-date value: ${typeof value}`);
  },
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? new Date(ast.value) : null),
});
