import { Injectable, Logger } from '@nestjs/common';
import { streamEvents, streamLag } from '@tributary/metrics';
import { AccountsService } from '@tributary/accounts';
import {
  BlueskyConnector,
  FEED_COLLECTIONS,
  didsNamedBy,
  recordFeedKey,
  seenFeedKeys,
  subscribeRepos,
} from '@tributary/connector-bluesky';
import type { FirehoseSubscription, RepoEvent } from '@tributary/connector-bluesky';
import { AccountStatus, Network, SourceKind, assertSafeInstanceUrl } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { LinkedAccount, Source } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { BlueskyListWatch } from '../filter-lists/bluesky-list-watch.js';
import { FollowUpSyncs } from './follow-up-syncs.js';

/** The account table is read this often: one indexed query, so a newly linked account is watched within seconds. */
const RECONCILE_MS = 5_000;
/** Follows and list members are re-read this often (and right after a follow/list change event). */
const FOLLOWS_TTL_MS = 10 * 60_000;
/** Cursors are written at most this often; a restart replays at most this much (syncs are idempotent). */
const CURSOR_FLUSH_MS = 1_000;
/**
 * The AppView indexes what the PDS sequenced a moment later (80–860 ms on the reference network),
 * so a sync asked for at the event could miss the post: the first sync waits a little (and
 * collapses a burst). At the checks (from the event) a source whose last sync has not seen the
 * announced record is synced again, for a slow AppView; one that has costs no request. So one
 * sync per event when the AppView keeps up, at most three when it does not.
 */
const FIRST_SYNC_MS = 400;
const FOLLOW_UP_CHECKS_MS = [1_500, 15_000] as const;
const LIST_ITEM = 'app.bsky.graph.listitem';
/**
 * Follow and list-item records of a watched account change what it needs to hear about; list items
 * also change the Bluesky lists subscribed as filter lists (BlueskyListWatch).
 */
const GRAPH_COLLECTIONS = ['app.bsky.graph.follow', LIST_ITEM] as const;
/** Likes are read only for the notifications they make (posts, reposts and follows make some too). */
const LIKES = 'app.bsky.feed.like';
/**
 * A notification reaches listNotifications once the AppView indexed the record (see FIRST_SYNC_MS):
 * the account's notifications are synced this long after an event naming it, and checked again at
 * the follow-ups (a burst collapses into one queued sync, whose run may precede the AppView).
 */
const NOTIFICATION_SYNC_MS = 1_000;
const NOTIFICATION_FOLLOW_UPS_MS = [5_000, 20_000] as const;
const FEED = new Set<string>(FEED_COLLECTIONS);

type WatchedAccount = Pick<LinkedAccount, 'id' | 'networkAccountId' | 'serviceUrl' | 'statusChangedAt'> & {
  sources: Pick<Source, 'id' | 'kind' | 'externalId'>[];
};

interface Stream {
  key: string;
  sub: FirehoseSubscription;
  /** The cursor last written to StreamCursor. */
  saved: number | null;
}

interface Watch {
  account: WatchedAccount;
  /** Authors whose posts reach the home timeline: the follows and the account itself. */
  home: Set<string>;
  /** List source id -> its members. */
  lists: Map<string, Set<string>>;
  loadedAt: number;
  /** What the account row looked like when loaded: a re-link changes it and reloads. */
  version: string;
  loading: boolean;
  /** After a failed load, not before this time. */
  retryAt: number;
}

/**
 * Freshness for Bluesky on a single-PDS network: the leader of the deployment (started by
 * BlueskyStreamService) listens to the firehose of every PDS its active accounts live on, and when
 * someone an account follows posts or reposts, queues a sync of that account's matching sources.
 * Polling stays the fallback.
 */
@Injectable()
export class BlueskyFirehoseService {
  private readonly logger = new Logger(BlueskyFirehoseService.name);
  private readonly watches = new Map<string, Watch>();
  /** Stream key (`firehose:<service>`) -> subscription. */
  private readonly subs = new Map<string, Stream>();
  /** Second syncs for sources whose first one came before the AppView had the post (while leading). */
  private followUps: FollowUpSyncs | null = null;
  /** Per account: the follow-up notification syncs still to come (while leading). */
  private readonly notificationChecks = new Map<string, NodeJS.Timeout[]>();
  private timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<void> | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobQueue,
    private readonly filterLists: BlueskyListWatch,
  ) {}

  /** Starts consuming the linked accounts' PDS firehoses (this process leads). */
  async start(): Promise<void> {
    this.logger.log('consuming the firehose of each linked account’s PDS');
    await this.lead();
  }

  /** Stops consuming and saves the cursors. Idempotent. */
  async stop(): Promise<void> {
    await this.follow();
  }

  /** What this process consumes (nothing unless leader); `ready`: accounts whose follows are loaded. */
  get status(): { streams: string[]; accounts: number; ready: number } {
    const ready = [...this.watches.values()].filter((w) => w.version !== '').length;
    return { streams: [...this.subs.keys()], accounts: this.watches.size, ready };
  }

  private async lead(): Promise<void> {
    this.leading = true;
    this.followUps = new FollowUpSyncs({
      checksMs: FOLLOW_UP_CHECKS_MS,
      unseen: (sourceId, uris) => this.unseen(sourceId, uris),
      sync: (sourceId) => this.jobs.enqueue('sync-source', { sourceId }),
      onError: (sourceId, err) => this.logger.warn(`follow-up sync of ${sourceId}: ${String(err)}`),
    });
    await this.reconcile();
    this.timers = [
      setInterval(() => void this.reconcile(), RECONCILE_MS),
      setInterval(() => void this.flushCursors([...this.subs.values()]), CURSOR_FLUSH_MS),
    ];
  }

  private async follow(): Promise<void> {
    this.leading = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.followUps?.stop();
    this.followUps = null;
    this.filterLists.stop();
    for (const timers of this.notificationChecks.values()) timers.forEach(clearTimeout);
    this.notificationChecks.clear();
    await this.reconciling;
    await this.syncing;
    const streams = [...this.subs.values()];
    this.subs.clear();
    await Promise.all(streams.map(({ sub }) => sub.stop().catch(() => undefined)));
    await this.flushCursors(streams);
    this.watches.clear();
  }

  /** Never throws: a failed pass is logged and the next tick tries again. */
  private reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((err: unknown) =>
        this.logger.error(
          `Bluesky stream reconcile failed: ${err instanceof Error ? err.message : String(err)}`,
        ),
      )
      .finally(() => {
        this.reconciling = null;
      });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const active = await this.db.client.linkedAccount.findMany({
      where: { network: Network.Bluesky, status: AccountStatus.Active },
      select: {
        id: true,
        networkAccountId: true,
        serviceUrl: true,
        statusChangedAt: true,
        sources: { select: { id: true, kind: true, externalId: true } },
      },
    });
    if (!this.leading) return;
    const ids = new Set(active.map((a) => a.id));
    for (const id of this.watches.keys()) if (!ids.has(id)) this.watches.delete(id);
    const now = Date.now();
    const firstLoads: Promise<void>[] = [];
    for (const account of active) {
      // Not updatedAt: every sync stores refreshed tokens. A re-link resets statusChangedAt.
      const version = `${account.statusChangedAt.getTime()}:${account.sources.map((s) => s.id).join(',')}`;
      const watch = this.watches.get(account.id);
      if (!watch) {
        // Until the follows are loaded, the account's own posts already count.
        this.watches.set(account.id, {
          account,
          home: new Set([account.networkAccountId]),
          lists: new Map(),
          loadedAt: 0,
          version: '',
          loading: false,
          retryAt: 0,
        });
      } else {
        watch.account = account;
      }
      const w = this.watches.get(account.id)!;
      if (!w.loading && now >= w.retryAt && (w.version !== version || now - w.loadedAt > FOLLOWS_TTL_MS)) {
        const loading = this.loadFollows(w, version);
        // A stream opened (or resumed from its cursor) before an account's follows are known would
        // drop that account's events: first loads are awaited, refreshes run in the background.
        if (w.version === '') firstLoads.push(loading);
      }
    }
    await Promise.all(firstLoads);
    // Owners of subscribed Bluesky filter lists: their list items are heard on the same firehoses.
    await this.filterLists.owners(now);
    await this.syncSubscriptions();
  }

  private async loadFollows(watch: Watch, version: string): Promise<void> {
    watch.loading = true;
    const { account } = watch;
    try {
      const connector = await this.accounts.connectorFor(
        await this.db.client.linkedAccount.findUniqueOrThrow({ where: { id: account.id } }),
      );
      if (!(connector instanceof BlueskyConnector)) return;
      const home = new Set([account.networkAccountId, ...(await connector.followedDids())]);
      const lists = new Map<string, Set<string>>();
      for (const source of account.sources) {
        if (source.kind === SourceKind.List)
          lists.set(source.id, new Set(await connector.followedDids(source.externalId)));
      }
      Object.assign(watch, { home, lists, loadedAt: Date.now(), version, retryAt: 0 });
      await this.syncSubscriptions();
    } catch (err) {
      // An AUTH failure has marked the account NEEDS_REAUTH (the next reconcile drops it); others retry later.
      watch.retryAt = Date.now() + 60_000;
      this.logger.warn(
        `follows of account ${account.id} not loaded: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      watch.loading = false;
    }
  }

  /** One stream per PDS (or the one Jetstream); started and stopped as accounts come and go. */
  private syncSubscriptions(): Promise<void> {
    // Serialized: two overlapping passes would both open a stream for the same key.
    this.syncing = this.syncing
      .then(() => this.syncSubscriptionsOnce())
      .catch((err: unknown) => {
        this.logger.error(`Bluesky streams not updated: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.syncing;
  }

  private async syncSubscriptionsOnce(): Promise<void> {
    if (!this.leading) return;
    const wanted = new Map<string, string>();
    for (const w of this.watches.values()) {
      const service = w.account.serviceUrl.replace(/\/+$/, '');
      wanted.set(`firehose:${service}`, service);
    }
    for (const [key, entry] of this.subs) {
      if (wanted.has(key)) continue;
      this.subs.delete(key);
      await entry.sub.stop().catch(() => undefined);
      await this.flushCursors([entry]);
    }
    for (const [key, service] of wanted) {
      if (this.subs.has(key) || !this.leading) continue;
      const stored = await this.db.client.streamCursor.findUnique({ where: { key: `bluesky:${key}` } });
      const cursor = stored ? Number(stored.cursor) : null;
      const common = {
        cursor: Number.isFinite(cursor) ? cursor : null,
        collections: [...FEED_COLLECTIONS, ...GRAPH_COLLECTIONS, LIKES],
        onEvent: (event: RepoEvent) => {
          // The PDS's own clock stamps each event (`time`): how far behind it this worker reads.
          const stream = key;
          streamLag.set({ stream }, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
          streamEvents.inc({ stream });
          return this.onEvent(event);
        },
        onError: (err: Error) => this.logger.warn(`${key}: ${err.message}`),
      };
      // A PDS is named by whoever controls the account's DID: checked like every connection of the
      // account's session.
      const refused = await assertSafeInstanceUrl(service, this.accounts.blueskyPolicy).then(
        () => null,
        (err: Error) => err,
      );
      if (refused !== null) {
        this.logger.warn(`${key}: not consumed: ${refused.message}`);
        continue;
      }
      const sub = subscribeRepos({ ...common, service });
      this.subs.set(key, { key, sub, saved: common.cursor });
      this.logger.log(`${key}: consuming from ${common.cursor ?? 'now'}`);
    }
  }

  private async onEvent(event: RepoEvent): Promise<void> {
    if (event.collection === LIST_ITEM && event.action !== 'update' && this.filterLists.owns(event.did))
      await this.filterLists.listItemsChanged(event.did);
    if (event.action === 'create') await this.notifyNamed(event);
    if (event.collection === LIKES) return;
    const feed = FEED.has(event.collection);
    // New posts and reposts matter; for the graph, follows/list items coming and going.
    if (feed ? event.action !== 'create' : event.action === 'update') return;
    const targets = new Set<string>();
    for (const watch of this.watches.values()) {
      if (!feed) {
        // The account followed/unfollowed someone or edited a list: re-read its graph soon.
        if (event.did === watch.account.networkAccountId) watch.loadedAt = 0;
        continue;
      }
      for (const source of watch.account.sources) {
        const hit =
          source.kind === SourceKind.Home
            ? watch.home.has(event.did)
            : source.kind === SourceKind.List
              ? (watch.lists.get(source.id)?.has(event.did) ?? false)
              : source.kind === SourceKind.Author && source.externalId === event.did;
        if (hit) targets.add(source.id);
      }
    }
    for (const sourceId of targets) {
      // Dedupe ids (see jobOptions) collapse a burst of events into one queued sync.
      await this.jobs.enqueue('sync-source', { sourceId }, FIRST_SYNC_MS);
      this.followUps?.expect(sourceId, event.uri);
    }
  }

  /**
   * A record that names a watched account (a like or repost of its post, a follow, a reply,
   * quote or mention) makes a notification: that account's notifications are synced, shortly
   * after, when the AppView has it. Polling stays the backstop.
   */
  private async notifyNamed(event: RepoEvent): Promise<void> {
    const named = new Set(didsNamedBy(event.record));
    if (named.size === 0) return;
    for (const watch of this.watches.values()) {
      const did = watch.account.networkAccountId;
      if (did === event.did || !named.has(did)) continue;
      const accountId = watch.account.id;
      await this.jobs.enqueue('sync-notifications', { accountId }, NOTIFICATION_SYNC_MS);
      // A later event moves the follow-ups: they run after the burst, at most two per account.
      this.notificationChecks.get(accountId)?.forEach(clearTimeout);
      const timers = NOTIFICATION_FOLLOW_UPS_MS.map((ms, i) =>
        setTimeout(() => {
          if (i === NOTIFICATION_FOLLOW_UPS_MS.length - 1) this.notificationChecks.delete(accountId);
          if (!this.leading) return;
          this.jobs
            .enqueue('sync-notifications', { accountId })
            .catch((err: Error) =>
              this.logger.warn(`notification sync of ${accountId} not queued: ${err.message}`),
            );
        }, ms).unref(),
      );
      this.notificationChecks.set(accountId, timers);
    }
  }

  /** The records of `uris` the source's last sync has not seen: its stored marker names what it saw. */
  private async unseen(sourceId: string, uris: string[]): Promise<string[]> {
    const source = await this.db.client.source.findUnique({
      where: { id: sourceId },
      select: { cursor: true },
    });
    if (!source) return []; // removed meanwhile
    const seen = seenFeedKeys(source.cursor);
    return uris.filter((uri) => !seen.has(recordFeedKey(uri)));
  }

  private async flushCursors(streams: Stream[]): Promise<void> {
    for (const stream of streams) {
      const cursor = stream.sub.cursor;
      if (cursor === null || cursor === stream.saved) continue;
      const key = `bluesky:${stream.key}`;
      try {
        await this.db.client.streamCursor.upsert({
          where: { key },
          create: { key, cursor: String(cursor) },
          update: { cursor: String(cursor) },
        });
        stream.saved = cursor;
      } catch (err) {
        this.logger.warn(
          `cursor of ${stream.key} not saved: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}
