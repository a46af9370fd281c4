import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { Redis } from 'ioredis';

/** The Redis channel that carries one pipeline's new entries, for live delivery by the API. */
export const timelineChannel = (userId: string, pipelineId: string): string =>
  `timeline:${userId}:${pipelineId}`;

/**
 * What is published on {@link timelineChannel}: ids of entries inserted by one batch (hidden ones
 * included, subscribers filter), or `rebuilt` after a rebuild replaced the timeline.
 */
export type TimelineMessage =
  | { type: 'entries'; pipelineId: string; entryIds: string[] }
  | { type: 'rebuilt'; pipelineId: string; version: number };

@Injectable()
export class TimelinePublisher implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) config: Config) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
  }

  async publish(userId: string, message: TimelineMessage): Promise<void> {
    await this.redis.publish(timelineChannel(userId, message.pipelineId), JSON.stringify(message));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
