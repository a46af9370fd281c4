/** Post ids are positive int8s, sent as decimal strings. */
const POST_ID = /^[1-9][0-9]{0,18}$/;
const INT8_MAX = 9_223_372_036_854_775_807n;

/** The bigint a post id names, or null: a malformed id cannot name a row, so it is simply not found. */
export function parsePostId(value: string): bigint | null {
  if (!POST_ID.test(value)) return null;
  const id = BigInt(value);
  return id <= INT8_MAX ? id : null;
}
