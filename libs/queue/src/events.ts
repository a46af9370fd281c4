import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

/**
 * Live events for one user, published by the worker on Redis pub/sub and delivered by the API to
 * that user's GraphQL subscriptions. Every channel name contains the user id, so a subscriber can
 * only ever listen to one user's events. Messages carry ids and states, never content: the API
 * reads what it sends from the database, through the same authorization as queries.
 */
export type UserEvent =
  /** Entries a batch inserted into one pipeline's timeline (hidden ones included; subscribers filter). */
  | { type: 'timeline-entries'; userId: string; pipelineId: string; entryIds: string[] }
  /**
   * Entries whose post changed at its origin: `removed` (deleted there, or the repost that brought
   * it, or it left the member's sources — an unfollow, a removed source: now hidden in this
   * pipeline) or `edited` (stored over, still shown).
   */
  | {
      type: 'timeline-changed';
      userId: string;
      pipelineId: string;
      change: 'removed' | 'edited';
      entryIds: string[];
    }
  /**
   * Entries still shown that lost the repost they were shown as (`reposts`: its URI and time, by
   * entry): deleted, or it left the member's sources while the post reaches them another way (its
   * author followed). A reader that showed the repost drops it and shows the entry as it now is.
   */
  | {
      type: 'timeline-changed';
      userId: string;
      pipelineId: string;
      change: 'unreposted';
      entryIds: string[];
      reposts: LostRepost[];
    }
  /** A rebuild replaced the pipeline's timeline: clients should reload it. */
  | { type: 'timeline-rebuilt'; userId: string; pipelineId: string; version: number }
  /** A linked account's status changed (e.g. to NEEDS_REAUTH). */
  | { type: 'account-status'; userId: string; accountId: string }
  /** An outbound action (like, post, …) changed state. */
  | { type: 'action'; userId: string; actionId: string }
  /** Notifications stored for the user (hidden ones included; subscribers filter). */
  | { type: 'notifications'; userId: string; notificationIds: string[] };

/** The repost an entry was shown as and no longer is: ids and times, no content. */
export interface LostRepost {
  entryId: string;
  /** The repost's own URI. */
  uri: string;
  /** When it was made (ISO-8601). */
  at: string;
}

/**
 * The Redis channel of an event: `timeline:<user>:<pipeline>`, `account:<user>`, `action:<user>`,
 * `notification:<user>`.
 */
export function eventChannel(event: UserEvent): string {
  switch (event.type) {
    case 'timeline-entries':
    case 'timeline-changed':
    case 'timeline-rebuilt':
      return timelineChannel(event.userId, event.pipelineId);
    case 'account-status':
      return `account:${event.userId}`;
    case 'action':
      return `action:${event.userId}`;
    case 'notifications':
      return `notification:${event.userId}`;
  }
}

export const timelineChannel = (userId: string, pipelineId: string): string =>
  `timeline:${userId}:${pipelineId}`;

/**
 * Options for a connection that SUBSCRIBEs. No ready check: ioredis writes a SUBSCRIBE issued while
 * it is still connecting (Redis accepts it while loading) and then sends its ready check, INFO,
 * which a subscribed connection may not send: the check failed, ioredis reconnected and the
 * subscription failed with "Connection in subscriber mode" (seen in live.int-spec). The ready check
 * only waits for Redis to finish loading its data, which SUBSCRIBE does not need.
 */
export function subscriberOptions(connectionName: string): RedisOptions {
  return { connectionName, enableReadyCheck: false };
}

/** Publishes user events. Publishing is best effort: a lost event is caught up by the next query. */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private redis: Redis | null = null;

  constructor(private readonly redisUrl: string) {}

  async publish(event: UserEvent): Promise<void> {
    if (this.redis === null) {
      this.redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
      // Without a listener ioredis prints each reconnect failure as an "Unhandled error event".
      this.redis.on('error', (error: Error) => this.logger.warn(`event publisher: ${error.message}`));
    }
    await this.redis.publish(eventChannel(event), JSON.stringify(event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    this.redis = null;
  }
}
