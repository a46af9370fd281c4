/**
 * Redis did not take a job (it is down, unreachable or not answering): the request that wanted it
 * queued should tell its client to try again (UPSTREAM_UNAVAILABLE), not wait for Redis.
 */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('the job queue (Redis) is unavailable', options);
  }
}

// What ioredis says when a command cannot reach Redis: its offline-queue refusal, a command timeout,
// a closed connection, retries used up, and the socket errors of a refused or dropped connection.
const UNAVAILABLE =
  /enableOfflineQueue|Command timed out|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/;

/** Whether `error` (or what caused it) says Redis could not be reached. */
export function isRedisUnavailable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof QueueUnavailableError) return true;
    if (UNAVAILABLE.test(`${e.name} ${e.message} ${(e as { code?: unknown }).code ?? ''}`)) return true;
  }
  return false;
}
