export * from './jobs.js';
export {
  CAPPED_BACKOFF,
  RETRY_DELAY_CAP_MS,
  attemptsSpanning,
  backoffStrategy,
  jobOptions,
  retryDelay,
} from './job-options.js';
export { redisConnection } from './redis-connection.js';
export { JobQueue } from './job-queue.js';
export { QueueModule } from './queue.module.js';
export { EventPublisher, eventChannel, subscriberOptions, timelineChannel } from './events.js';
export type { UserEvent } from './events.js';
