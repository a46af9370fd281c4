export * from './jobs.js';
export { backoffStrategy, jobOptions, rebuildJobId } from './job-options.js';
export { FairShare } from './fair-share.js';
export { redisConnection } from './redis-connection.js';
export { JobQueue } from './job-queue.js';
export { QueueModule } from './queue.module.js';
export { EventPublisher, eventChannel, subscriberOptions, timelineChannel } from './events.js';
export type { UserEvent } from './events.js';
