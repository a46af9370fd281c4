/** A record from a network that could not be normalized; recorded and skipped, never fatal. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
  constructor(
    readonly reason: string,
    readonly record: unknown,
  ) {
    super(`malformed record: ${reason}`);
  }
}
