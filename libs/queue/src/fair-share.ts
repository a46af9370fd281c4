import { Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { producerConnection } from './redis-connection.js';

/** What FairShare needs of a BullMQ Queue or Worker: its key names. */
export interface QueueKeys {
  toKey(type: string): string;
}

/** BullMQ's largest priority number (its lowest priority). */
const LOWEST_PRIORITY = 2 ** 21 - 1;
/**
 * An entry this old whose job is gone or finished is dropped at its owner's next enqueue: a
 * release lost to a crash, or jobs lost with Redis data. Younger ones may be jobs being added.
 */
const STALE_AFTER_MS = 60_000;

// KEYS[1]: the owner's set of job ids (scored by enqueue time). ARGV: job id, now, stale-before,
// the queue's key prefix (`<prefix>:<queue>:`, where BullMQ keeps each job's hash under its id).
// A few of the oldest entries are checked at each call, so leaked ones go within a few enqueues.
const TAKE = `
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, 8)
for _, id in ipairs(stale) do
  local job = ARGV[4] .. id
  if redis.call('EXISTS', job) == 0 or redis.call('HEXISTS', job, 'finishedOn') == 1 then
    redis.call('ZREM', KEYS[1], id)
  end
end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

type FairRedis = Redis & {
  fairTake(key: string, jobId: string, now: number, staleBefore: number, jobPrefix: string): Promise<number>;
};

/**
 * Fair scheduling of one queue between members, with what open-source BullMQ offers: a job's
 * priority is the number of jobs its owner has in the queue when it is added, this one included.
 * A member with nothing queued gets priority 1 and runs next, ahead of the 2nd, 3rd… job of a
 * member who queued many; members with backlogs take turns (one job each per priority level).
 * The count is a Redis sorted set of job ids per owner: adding an id twice counts it once, and a
 * job leaves it when it finishes (`release`, idempotent), so at-least-once delivery, retries and
 * several worker processes keep it exact; a release lost to a crash is corrected at the owner's
 * next enqueue.
 */
export class FairShare implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FairShare.name);
  private redis: FairRedis | null = null;

  constructor(private readonly redisUrl: string) {}

  /** Connected before the first job is added: commands sent while not connected fail (see client()). */
  async onModuleInit(): Promise<void> {
    await this.client().connect();
  }

  /** Counts `jobId` against `owner`'s share of `queue`; returns the priority to add it with. */
  async take(queue: QueueKeys, owner: string, jobId: string): Promise<number> {
    const now = Date.now();
    const count = await this.client().fairTake(
      ownerKey(queue, owner),
      jobId,
      now,
      now - STALE_AFTER_MS,
      queue.toKey(''),
    );
    return Math.min(Number(count), LOWEST_PRIORITY);
  }

  /** The job finished (completed, or failed for good): it no longer counts against its owner. */
  async release(queue: QueueKeys, owner: string, jobId: string): Promise<void> {
    await this.client().zrem(ownerKey(queue, owner), jobId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    this.redis = null;
  }

  private client(): FairRedis {
    if (this.redis === null) {
      // Taken while adding a job: fails fast like the queues' producer connections.
      const { url, ...options } = producerConnection(this.redisUrl);
      const redis = new Redis(url, { ...options, lazyConnect: true });
      redis.on('error', (error: Error) => this.logger.warn(`fair share: ${error.message}`));
      redis.defineCommand('fairTake', { numberOfKeys: 1, lua: TAKE });
      this.redis = redis as FairRedis;
    }
    return this.redis;
  }
}

/** `<prefix>:<queue>:fair:<owner>`: never a job's key (BullMQ refuses ids of two `:`-separated parts). */
function ownerKey(queue: QueueKeys, owner: string): string {
  return queue.toKey(`fair:${owner}`);
}
