import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { EventPublisher } from './events.js';
import { FairShare } from './fair-share.js';
import { JobQueue } from './job-queue.js';
import { QueueName } from './jobs.js';
import { RedisLock } from './redis-lock.js';
import { producerConnection, redisConnection } from './redis-connection.js';

/**
 * BullMQ on REDIS_URL with every queue registered, `JobQueue` to enqueue, `EventPublisher` for
 * live events and `RedisLock` for work no two processes may do at once. Workers are registered
 * by hand after the handler check (`manualRegistration`), see apps/worker.
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(options: { redisUrl: string; prefix: string }): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({
          connection: redisConnection(options.redisUrl),
          prefix: options.prefix,
          extraOptions: { manualRegistration: true },
        }),
        // The queues only add jobs (and read them): they fail fast with Redis away. Workers get
        // redisConnection, which waits for it (apps/worker's WorkerLifecycle).
        BullModule.registerQueue(
          ...Object.values(QueueName).map((name) => ({
            name,
            connection: producerConnection(options.redisUrl),
          })),
        ),
      ],
      providers: [
        JobQueue,
        { provide: EventPublisher, useValue: new EventPublisher(options.redisUrl) },
        { provide: FairShare, useValue: new FairShare(options.redisUrl) },
        { provide: RedisLock, useValue: new RedisLock(options.redisUrl, options.prefix) },
      ],
      exports: [JobQueue, EventPublisher, FairShare, RedisLock, BullModule],
    };
  }
}
