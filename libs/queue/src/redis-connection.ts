import type { ConnectionOptions, RedisOptions } from 'bullmq';

/** BullMQ connection options for the workers and event listeners on REDIS_URL. */
export function redisConnection(url: string): ConnectionOptions {
  // Workers block on Redis; they must not give up on a slow command, and wait for it to come back.
  return { url, maxRetriesPerRequest: null };
}

/**
 * How long a producer waits for one Redis command. A local Redis answers an enqueue in well under
 * a millisecond; one that stopped answering without closing the connection (a partition, a
 * frozen host) must not hold a member's request either. A Redis that is gone fails at once (no
 * offline queue), whatever this says. Not shorter: the timer runs on the process's own event loop,
 * so a stall of the loop (start-up, a long GC, an overloaded host) longer than this fails commands
 * whose answers are already waiting to be read; at 1 s, a test instance starting on a loaded
 * machine saw its queues' first commands time out.
 */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5000;

/**
 * Options for connections that only send commands on behalf of a request (adding jobs, fair
 * shares): with Redis away they fail at once, so a mutation answers UPSTREAM_UNAVAILABLE instead
 * of waiting, as the workers do, until Redis is back. ioredis still reconnects in the background.
 */
export function producerConnection(url: string): RedisOptions & { url: string } {
  return {
    url,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  };
}
