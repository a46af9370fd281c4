import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { Redis } from 'ioredis';

/** A plain Redis connection for the worker's own coordination (leader locks), closed on shutdown. */
@Injectable()
export class WorkerRedis implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(CONFIG) config: Config) {
    this.client = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 3,
      keyPrefix: `${config.QUEUE_PREFIX}:`,
    });
    const logger = new Logger(WorkerRedis.name);
    this.client.on('error', (error: Error) => logger.warn(`redis: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
