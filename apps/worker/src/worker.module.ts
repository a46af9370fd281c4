import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigModule } from '@tributary/config';
import type { Config } from '@tributary/config';
import { QueueName } from '@tributary/queue';
import { JobHandlerRegistry } from './jobs/job-handler.registry.js';
import { QUEUE_PROCESSORS } from './jobs/queue.processors.js';
import { WorkerLifecycle } from './jobs/worker-lifecycle.service.js';

@Module({})
export class WorkerModule {
  /**
   * @param database the database module opened by the launcher (shared with the API in
   *   single-process mode).
   * @param features modules that provide `@JobHandler`s (ingest, pipelines, actions).
   */
  static forRoot(config: Config, database: DynamicModule, features: DynamicModule[] = []): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        database,
        DiscoveryModule,
        BullModule.forRoot({
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          prefix: config.QUEUE_PREFIX,
          extraOptions: { manualRegistration: true },
        }),
        BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
        ...features,
      ],
      providers: [JobHandlerRegistry, ...QUEUE_PROCESSORS, WorkerLifecycle],
    };
  }
}
