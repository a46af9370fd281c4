import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Config } from '@tributary/config';
import { WorkerModule } from './worker.module.js';

/** The queue worker: a Nest application context, no HTTP. */
export async function bootstrapWorker(
  config: Config,
  database: DynamicModule,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, database), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  return app;
}
