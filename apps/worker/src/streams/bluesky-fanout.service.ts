import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { streamEvents, streamLag } from '@tributary/metrics';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import {
  APPVIEW_BATCH,
  BlueskyConnector,
  JETSTREAM_MAX_DIDS,
  listFollowRecords,
  subscribeJetstream,
} from '@tributary/connector-bluesky';
import type { JetstreamStatus, JetstreamSubscription, RepoEvent } from '@tributary/connector-bluesky';
import { AccountStatus, Network, SourceKind } from '@tributary/core';
import {
  PrismaService,
  applyFollowChanges,
  forgetFollowGraph,
  loadFollowGraph,
  replaceFollows,
} from '@tributary/db';
import type { FollowChange, StoredFollowGraph } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import type { JobPayloads } from '@tributary/queue';
import { LRUCache } from 'lru-cache';
import { FANOUT_COLLECTIONS, FollowGraph } from './follow-graph.js';
import type { FanoutDecision } from './follow-graph.js';
import { LeaderLock } from './leader-lock.js';
import { OriginDeletesService } from './origin-deletes.service.js';
import type { OriginDelete } from './origin-deletes.service.js';
import { WorkerRedis } from './redis.provider.js';

/** The account table is read this often: a newly linked account is watched within seconds. */
const RECONCILE_MS = 5_000;
/** Each member's follows are read again from their repo this often: what the stream missed. */
const FOLLOWS_TTL_MS = 30 * 60_000;
/** List sources' members are read again this often (and when their owner edits a list). */
const LISTS_TTL_MS = 10 * 60_000;
/** After a failed read of follows or list members, wait this long, doubling up to RETRY_MAX_MS. */
const RETRY_MS = 2_000;
const RETRY_MAX_MS = 60_000;
/** Cursors are written at most this often; a restart replays at most this much (handlers are idempotent). */
const CURSOR_FLUSH_MS = 1_000;
/** Announced posts wait at most this long to be hydrated together (one getPosts for up to 25). */
const BATCH_WAIT_MS = 50;
/** The stream's status row is refreshed this often (the API reads it for `linkedAccounts`). */
const STATUS_MS = 2_000;
/** Where the status is kept (StreamStatus.key). */
export const BLUESKY_STREAM_STATUS_KEY = 'bluesky';
/** Changed filters are sent after this pause, so a burst of follows is one options_update. */
const FILTERS_DEBOUNCE_MS = 200;

type Item = JobPayloads['fanout-posts']['items'][number];
type GraphChange = Extract<FanoutDecision, { type: 'follow' | 'unfollow' }>;

interface Load {
  loadedAt: number;
  retryAt: number;
  failures: number;
  /** Follow changes seen while the load runs, applied on top of what it read. */
  pending: GraphChange[] | null;
}

interface Stream {
  sub: JetstreamSubscription;
  key: string;
  url: string;
  connected: boolean;
  /** When the last event was handled, and how far behind the stream's clock (ms). */
  lastEventAt: number | null;
  lagMs: number | null;
  /** The last problem (kept after recovery, for operators). */
  lastError: string | null;
  lastErrorAt: number | null;
}

/**
 * The instance's one Bluesky stream, a Jetstream (BLUESKY_JETSTREAM_URL), consumed by the leader
 * of the deployment, with fan-out on write: the members' follow graph is held here (read from
 * their repos when linked, kept current from their follow events, reconciled every
 * FOLLOWS_TTL_MS), each post or repost event of a followed account becomes one `fanout-posts` job
 * for every source it belongs in, and deletes are applied. Without a Jetstream the per-PDS
 * firehose of BlueskyFirehoseService is used instead; per-source polling stays the backstop.
 */
@Injectable()
export class BlueskyFanoutService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BlueskyFanoutService.name);
  private readonly lock: LeaderLock;
  private graph = new FollowGraph();
  /** Active accounts by id, as last read. */
  private accounts = new Map<string, Pick<LinkedAccount, 'id' | 'networkAccountId'>>();
  /** Follow loads by member DID; list loads by LIST source id. */
  private readonly followLoads = new Map<string, Load>();
  private readonly listLoads = new Map<string, Load & { accountId: string; listUri: string }>();
  private stream: Stream | null = null;
  /** Announced posts not yet handed to a job, by `uri|repost uri`. */
  private pending = new Map<string, Item>();
  /** Deletes not yet applied; members' follow changes not yet stored. */
  private deletes: OriginDelete[] = [];
  private followChanges: FollowChange[] = [];
  /** The graph as stored by the last leader, taken over member by member. */
  private stored: StoredFollowGraph = { loadedAt: new Map(), follows: new Map() };
  /** Recently handed over (key -> its source ids), so a replay after a reconnect costs no request. */
  private readonly handed = new LRUCache<string, string>({ max: 20_000 });
  private flushTimer: NodeJS.Timeout | null = null;
  private filtersTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** The last event handled; `safe`: the last one whose effects are handed over (what to persist). */
  private seen: number | null = null;
  private safe: number | null = null;
  private saved: number | null = null;
  private sentFilters = -1;
  private watched = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<void> | null = null;
  private leading = false;

  constructor(
    private readonly db: PrismaService,
    private readonly accountsService: AccountsService,
    private readonly jobs: JobQueue,
    private readonly originDeletes: OriginDeletesService,
    redis: WorkerRedis,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.lock = new LeaderLock(redis.client, 'streams:bluesky');
  }

  onApplicationBootstrap(): void {
    if (!this.config.BLUESKY_JETSTREAM_URL) return; // the per-PDS firehose service runs instead
    this.lock.start((leader) => {
      this.logger.log(
        leader ? 'leading: consuming the Bluesky Jetstream' : 'no longer leading: Jetstream stopped',
      );
      void (leader ? this.lead() : this.follow()).catch((err: unknown) =>
        this.logger.error(`leadership change failed: ${String(err)}`),
      );
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lock.stop();
    await this.follow();
  }

  /** What this process consumes (nothing unless leader). */
  get status() {
    const members = new Set([...this.accounts.values()].map((a) => a.networkAccountId));
    return {
      live: this.stream?.connected ?? false,
      members: members.size,
      /** Members whose follows are loaded. */
      ready: [...members].filter((did) => this.graph.hasFollowsOf(did)).length,
      wantedDids: this.watched.size,
      cursor: this.safe,
      lastError: this.stream?.lastError ?? null,
    };
  }

  /** True once the member's follows are known and not being read. */
  isReady(member: string): boolean {
    return this.graph.hasFollowsOf(member) && this.followLoads.get(member)?.pending === null;
  }

  /** Whom a member follows, as the stream leader knows it. */
  follows(member: string): string[] {
    return this.graph.followsOf(member);
  }

  /** True when the stream's filter, as last sent, lets `did`'s events through. */
  isWatching(did: string): boolean {
    return this.stream !== null && (this.watched.size === 0 || this.watched.has(did));
  }

  private async lead(): Promise<void> {
    this.leading = true;
    this.stored = await loadFollowGraph(this.db.client).catch((err: unknown) => {
      this.logger.warn(`stored follow graph not read: ${err instanceof Error ? err.message : String(err)}`);
      return { loadedAt: new Map(), follows: new Map() };
    });
    await this.reconcile();
    this.timers = [
      setInterval(() => void this.reconcile(), RECONCILE_MS),
      setInterval(() => void this.saveCursor(), CURSOR_FLUSH_MS),
      setInterval(() => void this.writeStatus(), STATUS_MS),
    ];
  }

  private async follow(): Promise<void> {
    this.leading = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.reconciling;
    const stream = this.stream;
    this.stream = null;
    await stream?.sub.stop().catch(() => undefined);
    if (this.filtersTimer) clearTimeout(this.filtersTimer);
    await this.flush();
    await this.saveCursor(stream?.key);
    if (stream) await this.writeStatus({ ...stream, connected: false });
    this.graph = new FollowGraph();
    this.accounts.clear();
    this.followLoads.clear();
    this.listLoads.clear();
    this.sentFilters = -1;
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
        sources: { select: { id: true, kind: true, externalId: true } },
      },
    });
    if (!this.leading) return;
    this.accounts = new Map(active.map((a) => [a.id, a]));

    const homes = new Map<string, string[]>();
    const authors = new Map<string, Set<string>>();
    const lists = new Map<string, { accountId: string; listUri: string }>();
    for (const account of active) {
      if (!homes.has(account.networkAccountId)) homes.set(account.networkAccountId, []);
      for (const s of account.sources) {
        if (s.kind === SourceKind.Home) homes.get(account.networkAccountId)!.push(s.id);
        else if (s.kind === SourceKind.Author && s.externalId.startsWith('did:')) {
          if (!authors.has(s.externalId)) authors.set(s.externalId, new Set());
          authors.get(s.externalId)!.add(s.id);
        } else if (s.kind === SourceKind.List)
          lists.set(s.id, { accountId: account.id, listUri: s.externalId });
      }
    }
    const gone = [...this.followLoads.keys()].filter((did) => !homes.has(did));
    for (const did of gone) {
      this.graph.removeMember(did);
      this.followLoads.delete(did);
    }
    if (gone.length > 0) await forgetFollowGraph(this.db.client, gone);
    for (const [did, ids] of homes) this.graph.setHomes(did, ids);
    this.graph.setAuthorSources(authors);
    for (const id of this.listLoads.keys()) {
      if (!lists.has(id)) {
        this.graph.setListMembers(id, null);
        this.listLoads.delete(id);
      }
    }

    const now = Date.now();
    const firstLoads: Promise<void>[] = [];
    for (const did of homes.keys()) {
      let load = this.followLoads.get(did);
      if (!load) {
        // Known to the last leader: its graph serves at once, and is read again when due.
        const stored = this.stored.follows.get(did);
        if (stored) this.graph.setFollows(did, stored);
        load = {
          loadedAt: this.stored.loadedAt.get(did)?.getTime() ?? 0,
          retryAt: 0,
          failures: 0,
          pending: null,
        };
        this.followLoads.set(did, load);
      }
      if (load.pending === null && now >= load.retryAt && now - load.loadedAt > FOLLOWS_TTL_MS) {
        const accountId = active.find((a) => a.networkAccountId === did)!.id;
        const loading = this.loadFollows(did, accountId, load);
        // A stream opened before the members' follows are known would drop their events.
        if (this.stream === null && !this.graph.hasFollowsOf(did)) firstLoads.push(loading);
      }
    }
    for (const [id, list] of lists) {
      const load = this.listLoads.get(id) ?? { ...list, loadedAt: 0, retryAt: 0, failures: 0, pending: null };
      this.listLoads.set(id, load);
      if (load.pending === null && now >= load.retryAt && now - load.loadedAt > LISTS_TTL_MS) {
        const loading = this.loadList(id, load);
        if (this.stream === null) firstLoads.push(loading);
      }
    }
    await Promise.all(firstLoads);
    if (!this.leading) return;
    if (this.stream === null && homes.size + authors.size + lists.size > 0) await this.openStream();
    this.scheduleFilters();
  }

  private async loadFollows(did: string, accountId: string, load: Load): Promise<void> {
    load.pending = [];
    // Events of a member whose follows were unknown while the stream ran were not let through.
    const gap = this.stream !== null && !this.graph.hasFollowsOf(did);
    try {
      const connector = await this.connectorOf(accountId);
      const records = await listFollowRecords(connector.session);
      if (!this.leading || !this.graph.isMember(did)) return;
      const loadedAt = new Date();
      await replaceFollows(this.db.client, did, records, loadedAt);
      await applyFollowChanges(this.db.client, load.pending);
      this.graph.setFollows(did, records);
      for (const change of load.pending) this.graph.apply(change);
      Object.assign(load, { loadedAt: loadedAt.getTime(), failures: 0 });
      this.scheduleFilters();
      if (gap) await this.repair(did);
    } catch (err) {
      // An AUTH failure has marked the account NEEDS_REAUTH (the next reconcile drops it); others retry.
      this.retryLater(load);
      this.logger.warn(`follows of ${did} not loaded: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      load.pending = null;
    }
  }

  private async loadList(
    sourceId: string,
    load: Load & { accountId: string; listUri: string },
  ): Promise<void> {
    load.pending = [];
    try {
      const connector = await this.connectorOf(load.accountId);
      const members = await connector.followedDids(load.listUri);
      if (!this.leading || !this.listLoads.has(sourceId)) return;
      this.graph.setListMembers(sourceId, members);
      Object.assign(load, { loadedAt: Date.now(), failures: 0 });
      this.scheduleFilters();
    } catch (err) {
      this.retryLater(load);
      this.logger.warn(
        `list of source ${sourceId} not loaded: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      load.pending = null;
    }
  }

  private retryLater(load: Load): void {
    load.failures++;
    load.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** (load.failures - 1));
  }

  /**
   * Gap repair: what a member's followed accounts posted before the stream let their events
   * through (between linking and the first read of its follows) comes by one sync of its HOME.
   */
  private async repair(did: string): Promise<void> {
    const homes = [...this.accounts.values()].filter((a) => a.networkAccountId === did).map((a) => a.id);
    const sources = await this.db.client.source.findMany({
      where: { linkedAccountId: { in: homes }, kind: SourceKind.Home },
      select: { id: true },
    });
    await this.jobs.enqueueMany(
      'sync-source',
      sources.map((source) => ({ sourceId: source.id })),
    );
  }

  private async connectorOf(accountId: string): Promise<BlueskyConnector> {
    const account = await this.db.client.linkedAccount.findUniqueOrThrow({ where: { id: accountId } });
    const connector = await this.accountsService.connectorFor(account);
    if (!(connector instanceof BlueskyConnector))
      throw new Error(`account ${accountId} is not a Bluesky account`);
    return connector;
  }

  private async openStream(): Promise<void> {
    const url = this.config.BLUESKY_JETSTREAM_URL!;
    const key = `bluesky:jetstream:${url}`;
    const stored = await this.db.client.streamCursor.findUnique({ where: { key } });
    const cursor = stored && Number.isFinite(Number(stored.cursor)) ? Number(stored.cursor) : null;
    if (!this.leading || this.stream) return;
    this.seen = this.safe = this.saved = cursor;
    const wanted = this.filterDids();
    this.sentFilters = this.graph.version;
    let reported: string | null = null;
    const stream: Stream = {
      key,
      url,
      connected: false,
      lastEventAt: null,
      lagMs: null,
      lastError: null,
      lastErrorAt: null,
      sub: subscribeJetstream({
        url,
        cursor,
        collections: FANOUT_COLLECTIONS,
        wantedDids: wanted,
        onEvent: (event) => this.onEvent(event),
        onError: () => undefined, // reported through onStatus
        onStatus: (s: JetstreamStatus) => {
          const changed = s.connected !== stream.connected;
          stream.connected = s.connected;
          if (s.error !== null && s.error !== reported) this.recordError(s.error, stream);
          reported = s.error;
          if (changed) void this.writeStatus();
        },
      }),
    };
    this.stream = stream;
    this.logger.log(`Jetstream ${url}: consuming from ${cursor ?? 'now'}, ${wanted.length || 'all'} repos`);
  }

  /** The DID filter: every watched repo, or (past Jetstream's 10,000) none, filtering here. */
  private filterDids(): string[] {
    const dids = this.graph.wantedDids().sort();
    this.watched = new Set(dids.length <= JETSTREAM_MAX_DIDS ? dids : []);
    return dids.length <= JETSTREAM_MAX_DIDS ? dids : [];
  }

  private scheduleFilters(): void {
    if (this.filtersTimer || !this.stream || this.graph.version === this.sentFilters) return;
    this.filtersTimer = setTimeout(() => {
      this.filtersTimer = null;
      if (!this.stream || this.graph.version === this.sentFilters) return;
      this.sentFilters = this.graph.version;
      this.stream.sub.setFilters({ wantedDids: this.filterDids() });
    }, FILTERS_DEBOUNCE_MS);
  }

  /** One event, in stream order. Returns a promise only when a full batch is handed over (backpressure). */
  private onEvent(event: RepoEvent): Promise<void> | void {
    if (this.stream) {
      const now = Date.now();
      this.stream.lastEventAt = now;
      this.stream.lagMs = Math.max(0, Math.round(now - event.seq / 1000));
      streamLag.set({ stream: 'jetstream' }, this.stream.lagMs / 1000);
      streamEvents.inc({ stream: 'jetstream' });
    }
    const decision = this.graph.decide(event);
    this.seen = event.seq;
    if (decision === null) return this.scheduleFlush();
    switch (decision.type) {
      case 'attach': {
        const key = `${decision.uri}|${decision.reason?.uri ?? ''}`;
        const item = this.pending.get(key);
        if (item) item.sourceIds = [...new Set([...item.sourceIds, ...decision.sourceIds])];
        else {
          const ids = decision.sourceIds.slice().sort().join(',');
          if (this.handed.get(key) === ids) break; // a replayed event: already handed over
          this.pending.set(key, {
            uri: decision.uri,
            sourceIds: decision.sourceIds,
            reason: decision.reason,
          });
        }
        if (this.pending.size >= APPVIEW_BATCH) return this.flush();
        break;
      }
      case 'follow':
      case 'unfollow': {
        const load = this.followLoads.get(decision.member);
        if (load?.pending) load.pending.push(decision);
        this.graph.apply(decision);
        this.followChanges.push(decision);
        this.scheduleFilters();
        break;
      }
      case 'lists-changed':
        for (const load of this.listLoads.values()) {
          if (this.accounts.get(load.accountId)?.networkAccountId === decision.member) load.loadedAt = 0;
        }
        break;
      case 'delete':
        this.deletes.push({ collection: decision.collection, uri: decision.uri });
        if (this.deletes.length >= APPVIEW_BATCH) return this.flush();
        break;
    }
    return this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, BATCH_WAIT_MS);
  }

  /** Hands the pending posts to a job; the cursor moves past them only once that succeeded. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const items = [...this.pending.entries()];
      const deletes = this.deletes;
      const followChanges = this.followChanges;
      const upTo = this.seen;
      this.pending = new Map();
      this.deletes = [];
      this.followChanges = [];
      try {
        if (items.length > 0) {
          await this.jobs.enqueue('fanout-posts', { items: items.map(([, item]) => item), attempt: 0 });
          for (const [key, item] of items) this.handed.set(key, item.sourceIds.slice().sort().join(','));
          items.length = 0;
        }
        await this.originDeletes.apply(deletes, (member, author) => this.graph.isFollowing(member, author));
        deletes.length = 0;
        await applyFollowChanges(this.db.client, followChanges);
        this.safe = upTo;
      } catch (err) {
        // Kept for the next flush; the cursor stays, so a restart replays them.
        for (const [key, item] of items) if (!this.pending.has(key)) this.pending.set(key, item);
        this.deletes.unshift(...deletes);
        this.followChanges.unshift(...followChanges);
        this.recordError(`fan-out not handed over: ${err instanceof Error ? err.message : String(err)}`);
        this.scheduleFlush();
      }
    });
    return this.flushing;
  }

  private recordError(message: string, stream = this.stream): void {
    this.logger.warn(message);
    if (!stream) return;
    stream.lastError = message.slice(0, 500);
    stream.lastErrorAt = Date.now();
  }

  /** The status row the API shows on Bluesky accounts; never throws. */
  private async writeStatus(stream = this.stream): Promise<void> {
    if (!stream) return;
    const at = (ms: number | null) => (ms === null ? null : new Date(ms));
    const row = {
      kind: 'jetstream',
      url: stream.url,
      connected: stream.connected,
      lastEventAt: at(stream.lastEventAt),
      lagMs: stream.lagMs,
      lastError: stream.lastError,
      lastErrorAt: at(stream.lastErrorAt),
      heartbeatAt: new Date(),
    };
    await this.db.client.streamStatus
      .upsert({
        where: { key: BLUESKY_STREAM_STATUS_KEY },
        create: { key: BLUESKY_STREAM_STATUS_KEY, ...row },
        update: row,
      })
      .catch((err: unknown) => this.logger.warn(`stream status not saved: ${String(err)}`));
  }

  private async saveCursor(key = this.stream?.key): Promise<void> {
    const cursor = this.safe;
    if (!key || cursor === null || cursor === this.saved) return;
    try {
      await this.db.client.streamCursor.upsert({
        where: { key },
        create: { key, cursor: String(cursor) },
        update: { cursor: String(cursor) },
      });
      this.saved = cursor;
    } catch (err) {
      this.logger.warn(`cursor of ${key} not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
