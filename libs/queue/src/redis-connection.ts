import type { ConnectionOptions } from 'bullmq';

/** BullMQ connection options for REDIS_URL, the same for queues, workers and event listeners. */
export function redisConnection(url: string): ConnectionOptions {
  // Workers block on Redis; they must not give up on a slow command.
  return { url, maxRetriesPerRequest: null };
}
