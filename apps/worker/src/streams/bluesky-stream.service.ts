import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AccountStatus, Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { BlueskyFanoutService } from './bluesky-fanout.service.js';
import { BlueskyFirehoseService } from './bluesky-firehose.service.js';
import { LeaderLock } from './leader-lock.js';
import { WorkerRedis } from './redis.provider.js';
import { chooseStream, configuredStream } from './stream-choice.js';
import type { StreamChoice } from './stream-choice.js';

/** How often the linked accounts' PDSes are looked at again, when the choice depends on them. */
const CHOOSE_MS = 5_000;

/**
 * The instance's one Bluesky event stream, consumed by the leader of the deployment: a Jetstream or
 * the relay firehose with fan-out on write (BlueskyFanoutService), or each PDS's firehose
 * (BlueskyFirehoseService), as BLUESKY_STREAM says or, by default, as the linked accounts' PDSes
 * call for (stream-choice.ts). A choice that changes (the first account on the public network is
 * linked) stops one and starts the other.
 */
@Injectable()
export class BlueskyStreamService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BlueskyStreamService.name);
  private readonly lock: LeaderLock;
  private current: { key: string; choice: StreamChoice } | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Leadership changes and choices, one at a time. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PrismaService,
    private readonly fanout: BlueskyFanoutService,
    private readonly firehose: BlueskyFirehoseService,
    redis: WorkerRedis,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.lock = new LeaderLock(redis.client, 'streams:bluesky');
  }

  onApplicationBootstrap(): void {
    this.lock.start((leader) => {
      this.logger.log(leader ? 'leading: consuming the Bluesky stream' : 'no longer leading');
      this.serially(async () => {
        if (leader) {
          await this.choose();
          if (configuredStream(this.config) === null)
            this.timer ??= setInterval(() => this.serially(() => this.choose()), CHOOSE_MS);
        } else {
          this.stopTimer();
          await this.stopCurrent();
        }
      });
    });
  }

  /** Before WorkerRedis closes: the lock is released (a successor need not wait), the stream stopped. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.lock.stop();
    this.stopTimer();
    this.serially(() => this.stopCurrent());
    await this.chain;
  }

  /** What is consumed now (null: not leading). */
  get choice(): StreamChoice | null {
    return this.current?.choice ?? null;
  }

  private serially(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(step)
      .catch((err: unknown) =>
        this.logger.error(`Bluesky stream not started: ${err instanceof Error ? err.message : String(err)}`),
      );
  }

  private async choose(): Promise<void> {
    if (!this.lock.isLeader) return;
    let choice = configuredStream(this.config);
    if (choice === null) {
      const rows = await this.db.client.linkedAccount.findMany({
        where: { network: Network.Bluesky, status: AccountStatus.Active },
        select: { serviceUrl: true },
        distinct: ['serviceUrl'],
      });
      choice = chooseStream(
        this.config,
        rows.map((r) => r.serviceUrl),
      );
    }
    const key = JSON.stringify(choice);
    if (this.current?.key === key) return;
    await this.stopCurrent();
    this.current = { key, choice };
    if (choice.kind === 'pds') await this.firehose.start();
    else await this.fanout.start(choice);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async stopCurrent(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current?.choice.kind === 'pds') await this.firehose.stop();
    else if (current) await this.fanout.stop();
  }
}
