import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import {
  BlueskyConnector,
  LabelerDirectory,
  labelInForce,
  personalLabel,
  subscribeLabels,
} from '@tributary/connector-bluesky';
import type { LabelerLabel, LabelSubscription } from '@tributary/connector-bluesky';
import { AccountStatus, Network } from '@tributary/core';
import {
  PrismaService,
  applyLabelerLabels,
  dropLabelerLabels,
  recentPostUris,
  recordSkipped,
} from '@tributary/db';
import type { ChangedPosts, LinkedAccount } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { LeaderLock } from './leader-lock.js';
import { WorkerRedis } from './redis.provider.js';

/** The account table is looked at this often (each account's preferences are read when due). */
const TICK_MS = 5_000;
/** A labeler newly subscribed to is asked about this many of the member's newest posts. */
const BACKFILL_POSTS = 500;
/** After a labeler could not be reached, wait this long, doubling up to RETRY_MAX_MS. */
const RETRY_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;
/** Posts per `run-pipelines` job. */
const PIPELINE_BATCH = 500;

type Account = Pick<LinkedAccount, 'id' | 'labelers' | 'labelersReadAt'>;

interface Labeler {
  sub: LabelSubscription | null;
  failures: number;
  retryAt: number;
  /** The last problem reported, so a dead labeler is not logged every few seconds. */
  lastError: string | null;
}

/**
 * The labelers the members subscribe to, followed for the whole instance (one leader, like the
 * other streams): each account's subscriptions are read from its preferences every
 * BLUESKY_LABELERS_REFRESH_SECONDS (they are private: no stream announces them), and each labeler
 * subscribed to by anyone is consumed once through its own label stream. A label, whenever it
 * comes, lands on the sources of the accounts subscribing to its labeler only (SourcePost.labels)
 * and their pipelines run again over the post, so the verdicts follow the label. A labeler newly
 * subscribed to is asked about the member's recent posts; one dropped takes its labels along.
 */
@Injectable()
export class BlueskyLabelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BlueskyLabelsService.name);
  private readonly lock: LeaderLock;
  private readonly directory: LabelerDirectory;
  private readonly labelers = new Map<string, Labeler>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private leading = false;

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    redis: WorkerRedis,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.lock = new LeaderLock(redis.client, 'streams:bluesky-labels');
    this.directory = new LabelerDirectory({
      plcUrl: config.BLUESKY_PLC_URL,
      hostPolicy: accounts.blueskyPolicy,
    });
  }

  onApplicationBootstrap(): void {
    this.lock.start((leader) => {
      void (leader ? this.lead() : this.follow()).catch((err: unknown) =>
        this.logger.error(`leadership change failed: ${String(err)}`),
      );
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lock.stop();
    await this.follow();
  }

  /** Labelers whose label stream is open now (tests, status). */
  get consuming(): string[] {
    return [...this.labelers].filter(([, l]) => l.sub !== null).map(([did]) => did);
  }

  private async lead(): Promise<void> {
    this.leading = true;
    await this.tick();
    const every = Math.min(TICK_MS, this.config.BLUESKY_LABELERS_REFRESH_SECONDS * 1000);
    this.timer = setInterval(() => void this.tick(), every);
  }

  private async follow(): Promise<void> {
    this.leading = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    const subs = [...this.labelers.values()].flatMap((l) => (l.sub ? [l.sub] : []));
    this.labelers.clear();
    await Promise.all(subs.map((s) => s.stop()));
  }

  /** Never throws, never overlaps: a failed pass is logged and the next one tries again. */
  private tick(): Promise<void> {
    this.ticking ??= this.tickOnce()
      .catch((err: unknown) => this.logger.error(`labelers pass failed: ${message(err)}`))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { network: Network.Bluesky, status: AccountStatus.Active },
      select: { id: true, labelers: true, labelersReadAt: true },
    });
    const dueBefore = Date.now() - this.config.BLUESKY_LABELERS_REFRESH_SECONDS * 1000;
    for (const account of accounts) {
      if (!this.leading) return;
      if (account.labelersReadAt !== null && account.labelersReadAt.getTime() > dueBefore) continue;
      account.labelers = await this.refresh(account).catch((err: unknown) => {
        this.logger.warn(`labelers of account ${account.id} not read: ${message(err)}`);
        return account.labelers;
      });
    }
    if (!this.leading) return;
    const wanted = new Set(accounts.flatMap((a) => a.labelers));
    for (const [did, labeler] of this.labelers) {
      if (wanted.has(did)) continue;
      this.labelers.delete(did);
      await labeler.sub?.stop();
    }
    for (const did of wanted) await this.open(did);
  }

  /** Reads the account's subscriptions; applies what changed to its sources. Returns them. */
  private async refresh(account: Account): Promise<string[]> {
    const row = await this.db.client.linkedAccount.findUniqueOrThrow({ where: { id: account.id } });
    const connector = await this.accounts.connectorFor(row);
    if (!(connector instanceof BlueskyConnector)) return account.labelers;
    const now = await connector.subscribedLabelers(this.config.BLUESKY_LABELERS_REFRESH_SECONDS * 1000);
    const added = now.filter((d) => !account.labelers.includes(d));
    const removed = account.labelers.filter((d) => !now.includes(d));
    // Stored first: from here on every label of an added labeler reaches this account's sources.
    await this.db.client.linkedAccount.update({
      where: { id: account.id },
      data: { labelers: now, labelersReadAt: new Date() },
    });
    if (removed.length > 0) await this.rerun(await dropLabelerLabels(this.db.client, account.id, removed));
    for (const did of added) {
      // What it labelled before: asked of the labeler itself, for the member's recent posts.
      await this.backfill(did, account.id).catch((err: unknown) =>
        this.logger.warn(`labels of ${did} for account ${account.id} not read: ${message(err)}`),
      );
    }
    return now;
  }

  private async backfill(did: string, accountId: string): Promise<void> {
    const uris = await recentPostUris(this.db.client, accountId, BACKFILL_POSTS);
    if (uris.length === 0) return;
    const labels = await this.directory.query(await this.directory.endpoint(did), did, uris);
    await this.rerun(await applyLabelerLabels(this.db.client, did, changesOf(labels), [accountId]));
  }

  /** Opens the labeler's stream, from the stored cursor (from now on the first time). */
  private async open(did: string): Promise<void> {
    let labeler = this.labelers.get(did);
    if (!labeler) this.labelers.set(did, (labeler = { sub: null, failures: 0, retryAt: 0, lastError: null }));
    if (labeler.sub !== null || Date.now() < labeler.retryAt) return;
    let service: string;
    try {
      service = await this.directory.endpoint(did);
    } catch (err) {
      labeler.failures++;
      labeler.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** (labeler.failures - 1));
      this.report(labeler, `labeler ${did} not reachable: ${message(err)}`);
      return;
    }
    const key = cursorKey(did);
    const stored = await this.db.client.streamCursor.findUnique({ where: { key } });
    const cursor = stored && Number.isSafeInteger(Number(stored.cursor)) ? Number(stored.cursor) : null;
    if (!this.leading || this.labelers.get(did) !== labeler) return;
    labeler.failures = 0;
    labeler.sub = subscribeLabels({
      labeler: did,
      service,
      cursor,
      onLabels: (seq, labels, skipped) => this.onLabels(did, seq, labels, skipped),
      onError: (err) => this.report(labeler, `label stream of ${did}: ${err.message}`),
    });
  }

  /** One message of a labeler's stream: applied, pipelines queued, then the cursor moves past it. */
  private async onLabels(
    did: string,
    seq: number,
    labels: LabelerLabel[],
    skipped: { reason: string; record: unknown }[],
  ): Promise<void> {
    if (skipped.length > 0) await recordSkipped(this.db.client, Network.Bluesky, null, skipped);
    await this.rerun(await applyLabelerLabels(this.db.client, did, changesOf(labels)));
    const key = cursorKey(did);
    await this.db.client.streamCursor.upsert({
      where: { key },
      create: { key, cursor: String(seq) },
      update: { cursor: String(seq) },
    });
    const labeler = this.labelers.get(did);
    if (labeler) labeler.lastError = null;
  }

  private async rerun(changed: ChangedPosts): Promise<void> {
    for (const [userId, ids] of changed) {
      for (let i = 0; i < ids.length; i += PIPELINE_BATCH)
        await this.jobs.enqueue('run-pipelines', {
          userId,
          postIds: ids.slice(i, i + PIPELINE_BATCH).map(String),
        });
    }
  }

  private report(labeler: Labeler, problem: string): void {
    if (labeler.lastError !== problem) this.logger.warn(problem);
    labeler.lastError = problem;
  }
}

const cursorKey = (did: string): string => `bluesky:labels:${did}`;

function changesOf(labels: readonly LabelerLabel[]) {
  const now = Date.now();
  return labels.map((l) => ({ uri: l.uri, label: personalLabel(l), inForce: labelInForce(l, now) }));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
