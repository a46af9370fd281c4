export * from './jobs.js';
export { backoffStrategy, jobOptions } from './job-options.js';
export { redisConnection } from './redis-connection.js';
export { JobQueue } from './job-queue.js';
export { LockTimeoutError, RedisLock } from './redis-lock.js';
export type { RedisLockOptions } from './redis-lock.js';
export { QueueModule } from './queue.module.js';
export { EventPublisher, eventChannel, subscriberOptions, timelineChannel } from './events.js';
export type { UserEvent } from './events.js';
