import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { eventChannel, subscriberOptions, timelineChannel } from '@tributary/queue';
import type { UserEvent } from '@tributary/queue';
import { Redis } from 'ioredis';
import { EventStream } from './event-stream.js';

interface Channel {
  streams: Set<Listener>;
  /** Settles when Redis confirmed the SUBSCRIBE: events published after it are delivered. */
  subscribed: Promise<unknown>;
}

interface Listener {
  userId: string;
  stream: EventStream<UserEvent>;
}

/**
 * The API side of the worker's `EventPublisher`: ONE Redis subscriber connection per process,
 * SUBSCRIBEd to exactly the channels someone listens to (reference-counted: the last listener of a
 * channel leaving UNSUBSCRIBEs it), fanning each message out to per-subscription async iterators.
 * A user only ever gets their own events: the channel name holds the user id, and every message is
 * checked again against the listener's user and channel before delivery.
 */
@Injectable()
export class UserEventsService implements OnApplicationShutdown {
  private readonly logger = new Logger(UserEventsService.name);
  private readonly channels = new Map<string, Channel>();
  private redis: Redis | null = null;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** New entries and rebuilds of one of the user's pipelines (the caller checked the pipeline is theirs). */
  timeline(userId: string, pipelineId: string): Promise<EventStream<UserEvent>> {
    return this.listen(userId, timelineChannel(userId, pipelineId));
  }

  /** Status changes of the user's linked accounts. */
  accountStatus(userId: string): Promise<EventStream<UserEvent>> {
    return this.listen(userId, `account:${userId}`);
  }

  /** State changes of the user's outbound actions. */
  actions(userId: string): Promise<EventStream<UserEvent>> {
    return this.listen(userId, `action:${userId}`);
  }

  /** Notifications stored for the user. */
  notifications(userId: string): Promise<EventStream<UserEvent>> {
    return this.listen(userId, `notification:${userId}`);
  }

  /** Open channels and listeners, to see that departed clients leave nothing behind. */
  get stats(): { channels: number; listeners: number } {
    let listeners = 0;
    for (const channel of this.channels.values()) listeners += channel.streams.size;
    return { channels: this.channels.size, listeners };
  }

  /** The Redis client name of this process's subscriber connection (visible in CLIENT LIST). */
  get connectionName(): string {
    return `tributary-events-${this.config.QUEUE_PREFIX}`;
  }

  private async listen(userId: string, name: string): Promise<EventStream<UserEvent>> {
    const redis = this.subscriber();
    let channel = this.channels.get(name);
    if (!channel) {
      channel = { streams: new Set(), subscribed: redis.subscribe(name) };
      this.channels.set(name, channel);
    }
    const listener: Listener = {
      userId,
      stream: new EventStream<UserEvent>(() => this.leave(name, listener)),
    };
    channel.streams.add(listener);
    try {
      await channel.subscribed;
    } catch (error) {
      listener.stream.close();
      throw error;
    }
    return listener.stream;
  }

  private leave(name: string, listener: Listener): void {
    const channel = this.channels.get(name);
    if (!channel?.streams.delete(listener) || channel.streams.size > 0) return;
    this.channels.delete(name);
    // Commands on one connection run in order: a later SUBSCRIBE to the same channel comes after this.
    this.redis?.unsubscribe(name).catch((error: unknown) => {
      this.logger.warn(`unsubscribe ${name} failed: ${(error as Error).message}`);
    });
  }

  private subscriber(): Redis {
    if (this.redis) return this.redis;
    // ioredis re-subscribes every channel by itself after a reconnect.
    const redis = new Redis(this.config.REDIS_URL, subscriberOptions(this.connectionName));
    redis.on('message', (channel: string, message: string) => this.deliver(channel, message));
    redis.on('error', (error: Error) => this.logger.warn(`event subscriber: ${error.message}`));
    this.redis = redis;
    return redis;
  }

  private deliver(name: string, message: string): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    let event: UserEvent;
    try {
      event = JSON.parse(message) as UserEvent;
    } catch {
      this.logger.warn(`ignored a malformed event on ${name}`);
      return;
    }
    // Belt and braces: the channel already names the user, the event must agree with it.
    if (typeof event?.userId !== 'string' || eventChannel(event) !== name) {
      this.logger.warn(`ignored an event that does not belong to ${name}`);
      return;
    }
    for (const listener of channel.streams) {
      if (listener.userId === event.userId) listener.stream.push(event);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const channel of [...this.channels.values()]) {
      for (const listener of [...channel.streams]) listener.stream.close();
    }
    const redis = this.redis;
    this.redis = null;
    await redis?.quit().catch(() => redis.disconnect());
  }
}
