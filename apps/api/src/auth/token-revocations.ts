import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { subscriberOptions } from '@tributary/queue';
import { Redis } from 'ioredis';

type Listener = (tokenHash: string) => void;

const TOKEN_HASH = /^[0-9a-f]{64}$/;

/**
 * Tells every API process of the instance at once that a token was revoked, over Redis pub/sub.
 * Each process remembers verified tokens for a while (AuthService) and keeps subscriptions open
 * (GraphqlWsServer): without this, a token revoked through one process went on working on the
 * others until that memory expired (30 s). Messages carry the token's SHA-256, as stored in the
 * database, never the token. Best effort: a message lost while Redis is away leaves the cache's
 * lifetime and the subscriptions' periodic re-check as the bound, as before.
 */
@Injectable()
export class TokenRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TokenRevocations.name);
  private readonly listeners = new Set<Listener>();
  private subscriber: Redis | null = null;
  private publisher: Redis | null = null;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** One channel per instance: instances sharing a Redis (distinct QUEUE_PREFIX) stay apart. */
  private get channel(): string {
    return `tokens-revoked:${this.config.QUEUE_PREFIX}`;
  }

  async onModuleInit(): Promise<void> {
    const redis = new Redis(
      this.config.REDIS_URL,
      subscriberOptions(`tributary-revocations-${this.config.QUEUE_PREFIX}`),
    );
    redis.on('error', (error: Error) => this.logger.warn(`revocation subscriber: ${error.message}`));
    redis.on('message', (channel: string, tokenHash: string) => {
      if (channel === this.channel && TOKEN_HASH.test(tokenHash)) this.notify(tokenHash);
    });
    this.subscriber = redis;
    // Subscribed before the API listens: no revocation published from then on is missed.
    await redis.subscribe(this.channel);
  }

  /** Calls `listener` with the hash of every token revoked from now on, in any API process. */
  onRevoked(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces a revocation (already written to the database): this process at once, then the others. */
  async publish(tokenHash: string): Promise<void> {
    this.notify(tokenHash);
    if (this.publisher === null) {
      this.publisher = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
      this.publisher.on('error', (error: Error) =>
        this.logger.warn(`revocation publisher: ${error.message}`),
      );
    }
    await this.publisher.publish(this.channel, tokenHash).catch((error: unknown) => {
      this.logger.warn(`could not announce a revocation to other API processes: ${(error as Error).message}`);
    });
  }

  private notify(tokenHash: string): void {
    for (const listener of this.listeners) listener(tokenHash);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const redis of [this.subscriber, this.publisher])
      await redis?.quit().catch(() => redis.disconnect());
    this.subscriber = this.publisher = null;
  }
}
