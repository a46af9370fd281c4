import { Inject, Injectable, Logger } from '@nestjs/common';
import { streamEvents, streamLag } from '@tributary/metrics';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import {
  APPVIEW_BATCH,
  BlueskyConnector,
  listFollowRecords,
  subscribeJetstream,
  subscribeRepos,
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
import { BlueskyListWatch } from '../filter-lists/bluesky-list-watch.js';
import { FollowEffectsService } from './follow-effects.service.js';
import { FANOUT_COLLECTIONS, FollowGraph } from './follow-graph.js';
import { planShards } from './jetstream-shards.js';
import type { FanoutDecision, FollowEffect } from './follow-graph.js';
import { OriginDeletesService } from './origin-deletes.service.js';
import type { OriginDelete } from './origin-deletes.service.js';
import type { StreamChoice } from './stream-choice.js';

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
/** Past this many full connections, one unfiltered connection (the fan-out filters here). */
const MAX_CONNECTIONS = 20;
/** Each connection's cursor is kept under this prefix (by stream kind: their cursors differ) and its id. */
const CURSOR_PREFIX = { jetstream: 'bluesky:jetstream:', relay: 'bluesky:relay:' } as const;

/** The streams this service consumes (the per-PDS firehose is BlueskyFirehoseService's). */
export type FanoutStream = Extract<StreamChoice, { kind: 'jetstream' | 'relay' }>;

type Item = JobPayloads['fanout-posts']['items'][number];
type GraphChange = Extract<FanoutDecision, { type: 'follow' | 'unfollow' | 'block' | 'unblock' }>;

interface Load {
  loadedAt: number;
  retryAt: number;
  failures: number;
  /** Follow changes seen while the load runs, applied on top of what it read. */
  pending: GraphChange[] | null;
}

const authorOf = (uri: string): string => uri.slice('at://'.length).split('/')[0] ?? '';
const LIST_ITEM = 'app.bsky.graph.listitem';

/**
 * The largest lag among connections that had an event in the last minute: a connection whose
 * repos are quiet keeps the lag of its last event, which says nothing about the stream now.
 */
function lag(shards: readonly Shard[]): number | null {
  const newest = Math.max(...shards.map((s) => s.lastEventAt ?? 0));
  const recent = shards.filter((s) => s.lagMs !== null && (s.lastEventAt ?? 0) >= newest - 60_000);
  return recent.length > 0 ? Math.max(...recent.map((s) => s.lagMs!)) : null;
}

/** One Jetstream connection and the repos it carries (none: the whole network). */
interface Shard {
  id: number;
  key: string;
  sub: JetstreamSubscription;
  dids: Set<string>;
  url: string;
  connected: boolean;
  /** When the last event was handled, and how far behind the stream's clock (ms). */
  lastEventAt: number | null;
  lagMs: number | null;
  /** The last event handled; `safe`: the last one whose effects are handed over (what to persist). */
  seen: number | null;
  safe: number | null;
  saved: number | null;
}

/**
 * The instance's Bluesky stream, a Jetstream (failing over between the hosts given) or the relay
 * firehose (verified), consumed by the leader of the deployment (BlueskyStreamService chooses and
 * starts it), with fan-out on write: the members' follow
 * graph is held here (read from their repos when linked, kept current from their follow events,
 * reconciled every FOLLOWS_TTL_MS), each post or repost event of a followed account becomes one
 * `fanout-posts` job for every source it belongs in, and deletes are applied. The watched repos are
 * spread over Jetstream connections of BLUESKY_JETSTREAM_MAX_DIDS (planShards), each with its own
 * cursor; the relay has no filters: one connection carries the whole network, filtered here.
 * Per-source polling stays the backstop.
 */
@Injectable()
export class BlueskyFanoutService {
  private readonly logger = new Logger(BlueskyFanoutService.name);
  private stream: FanoutStream = { kind: 'jetstream', urls: [] };
  private graph = new FollowGraph();
  /** Active accounts by id, as last read. */
  private accounts = new Map<string, Pick<LinkedAccount, 'id' | 'networkAccountId'>>();
  /** Follow loads by member DID; list loads by LIST source id. */
  private readonly followLoads = new Map<string, Load>();
  private readonly listLoads = new Map<string, Load & { accountId: string; listUri: string }>();
  private readonly shards = new Map<number, Shard>();
  /** Where a new connection starts when none is open to say (the stored cursors, at first). */
  private resumeFrom: number | null = null;
  private started = false;
  /** Announced posts not yet handed to a job, by `uri|repost uri`. */
  private pending = new Map<string, Item>();
  /** Deletes not yet applied; members' follow changes not yet stored. */
  private deletes: OriginDelete[] = [];
  private followChanges: FollowChange[] = [];
  /** Whom members came to follow or stopped following: applied to their HOME sources once stored. */
  private followEffects: FollowEffect[] = [];
  /** The graph as stored by the last leader, taken over member by member. */
  private stored: StoredFollowGraph = { loadedAt: new Map(), follows: new Map(), blocks: new Map() };
  /** Recently handed over (key -> its source ids), so a replay after a reconnect costs no request. */
  private readonly handed = new LRUCache<string, string>({ max: 20_000 });
  private flushTimer: NodeJS.Timeout | null = null;
  private filtersTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private sentFilters = -1;
  /** The last problem (kept after recovery, for operators). */
  private lastError: { message: string; at: number } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<void> | null = null;
  private leading = false;

  constructor(
    private readonly db: PrismaService,
    private readonly accountsService: AccountsService,
    private readonly jobs: JobQueue,
    private readonly originDeletes: OriginDeletesService,
    private readonly followEffectsService: FollowEffectsService,
    private readonly filterLists: BlueskyListWatch,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Starts consuming `stream` (this process leads). */
  async start(stream: FanoutStream): Promise<void> {
    this.stream = stream;
    this.logger.log(`consuming the Bluesky ${stream.kind === 'relay' ? 'relay firehose' : 'Jetstream'}`);
    await this.lead();
  }

  /** Stops consuming; what was announced is handed over and the cursors saved. Idempotent. */
  async stop(): Promise<void> {
    await this.follow();
  }

  /** Which stream is consumed (while started). */
  get kind(): FanoutStream['kind'] {
    return this.stream.kind;
  }

  /** What this process consumes (nothing unless leader). */
  get status() {
    const members = new Set([...this.accounts.values()].map((a) => a.networkAccountId));
    const shards = [...this.shards.values()];
    const safe = shards.flatMap((s) => (s.safe === null ? [] : [s.safe]));
    return {
      live: shards.length > 0 && shards.every((s) => s.connected),
      members: members.size,
      /** Members whose follows are loaded. */
      ready: [...members].filter((did) => this.graph.hasFollowsOf(did)).length,
      wantedDids: shards.reduce((n, s) => n + s.dids.size, 0),
      /** Repos per connection, by connection id. */
      connections: Object.fromEntries(shards.map((s) => [s.id, s.dids.size])),
      /** The newest event handed over on any connection. */
      cursor: safe.length > 0 ? Math.max(...safe) : null,
      lastError: this.lastError?.message ?? null,
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

  /** True when a connection's filter, as last sent, lets `did`'s events through. */
  isWatching(did: string): boolean {
    return [...this.shards.values()].some((s) => s.dids.size === 0 || s.dids.has(did));
  }

  private async lead(): Promise<void> {
    this.leading = true;
    this.stored = await loadFollowGraph(this.db.client).catch((err: unknown) => {
      this.logger.warn(`stored follow graph not read: ${err instanceof Error ? err.message : String(err)}`);
      return { loadedAt: new Map(), follows: new Map(), blocks: new Map() };
    });
    await this.reconcile();
    this.timers = [
      setInterval(() => void this.reconcile(), RECONCILE_MS),
      setInterval(() => void this.saveCursors(), CURSOR_FLUSH_MS),
      setInterval(() => void this.writeStatus(), STATUS_MS),
    ];
  }

  private async follow(): Promise<void> {
    this.leading = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.reconciling;
    const shards = [...this.shards.values()];
    await Promise.all(shards.map((s) => s.sub.stop().catch(() => undefined)));
    if (this.filtersTimer) clearTimeout(this.filtersTimer);
    this.filtersTimer = null;
    await this.flush();
    await this.saveCursors();
    if (shards.length > 0) await this.writeStatus(false);
    this.shards.clear();
    this.started = false;
    this.graph = new FollowGraph();
    this.accounts.clear();
    this.followLoads.clear();
    this.listLoads.clear();
    this.filterLists.stop();
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
    this.graph.setFilterListOwners(await this.filterLists.owners());
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
        const blocks = this.stored.blocks.get(did);
        if (blocks) this.graph.setBlocks(did, blocks);
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
        if (!this.started && !this.graph.hasFollowsOf(did)) firstLoads.push(loading);
      }
    }
    for (const [id, list] of lists) {
      const load = this.listLoads.get(id) ?? { ...list, loadedAt: 0, retryAt: 0, failures: 0, pending: null };
      this.listLoads.set(id, load);
      if (load.pending === null && now >= load.retryAt && now - load.loadedAt > LISTS_TTL_MS) {
        const loading = this.loadList(id, load);
        if (!this.started) firstLoads.push(loading);
      }
    }
    await Promise.all(firstLoads);
    if (!this.leading) return;
    if (!this.started) await this.startStream();
    this.scheduleFilters();
  }

  private async loadFollows(did: string, accountId: string, load: Load): Promise<void> {
    load.pending = [];
    // Events of a member whose follows were unknown while the stream ran were not let through.
    const gap = this.started && !this.graph.hasFollowsOf(did);
    try {
      const connector = await this.connectorOf(accountId);
      const records = await listFollowRecords(connector.session);
      const blocks = await listFollowRecords(connector.session, 'app.bsky.graph.block');
      if (!this.leading || !this.graph.isMember(did)) return;
      const loadedAt = new Date();
      await replaceFollows(this.db.client, did, records, loadedAt, blocks);
      await applyFollowChanges(this.db.client, load.pending);
      // What the stream missed (or happened while no leader ran) changes the HOME sources too.
      const before = this.graph.hasFollowsOf(did) ? new Set(this.graph.followsOf(did)) : null;
      this.graph.setFollows(did, records);
      this.graph.setBlocks(did, blocks);
      for (const change of load.pending) this.graph.apply(change);
      if (before) this.followEffects.push(...this.graph.changesSince(did, before));
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

  /**
   * Reads the stored cursors and opens the connections. Where repos sit is not stored, so every
   * connection starts from the oldest cursor: a repo carried by another connection before the
   * restart loses nothing (a replay is idempotent).
   */
  private async startStream(): Promise<void> {
    const rows = await this.db.client.streamCursor.findMany({
      where: { key: { startsWith: CURSOR_PREFIX[this.stream.kind] } },
    });
    if (!this.leading || this.started) return;
    const cursors = rows.map((r) => Number(r.cursor)).filter((c) => Number.isFinite(c));
    this.resumeFrom = cursors.length > 0 ? Math.min(...cursors) : null;
    this.started = true;
    this.syncShards();
    // Each connection's cursor is there from the start; rows of other layouts go.
    await this.saveCursors(true);
    await this.db.client.streamCursor.deleteMany({
      where: {
        key: {
          startsWith: CURSOR_PREFIX[this.stream.kind],
          notIn: [...this.shards.values()].map((s) => s.key),
        },
      },
    });
  }

  /** Where the stream is: a new connection starts there (rewound a little by the subscriber). */
  private position(): number | null {
    const safe = [...this.shards.values()].flatMap((s) => (s.safe === null ? [] : [s.safe]));
    return safe.length > 0 ? Math.min(...safe) : this.resumeFrom;
  }

  /** Brings the connections in line with the watched repos: opens, closes, sends options_update. */
  private syncShards(): void {
    this.sentFilters = this.graph.version;
    if (this.stream.kind === 'relay') {
      if (this.shards.size === 0) {
        const from = this.position();
        this.openShard(0, new Set(), from);
        this.logger.log(`relay firehose ${this.stream.url}: the whole network, from ${from ?? 'now'}`);
      }
      return;
    }
    const current = new Map([...this.shards].map(([id, s]) => [id, s.dids]));
    const plan = planShards(
      current,
      new Set(this.graph.wantedDids()),
      this.config.BLUESKY_JETSTREAM_MAX_DIDS,
      MAX_CONNECTIONS,
    );
    const from = this.position();
    for (const id of plan.closed) {
      const shard = this.shards.get(id)!;
      this.shards.delete(id);
      // Where the stream was, should every connection close (nothing watched).
      if (shard.safe !== null) this.resumeFrom = Math.max(this.resumeFrom ?? 0, shard.safe);
      void shard.sub.stop().catch(() => undefined);
      void this.db.client.streamCursor.deleteMany({ where: { key: shard.key } }).catch(() => undefined);
    }
    for (const id of plan.changed) {
      const shard = this.shards.get(id)!;
      shard.dids = plan.filters.get(id)!;
      shard.sub.setFilters({ wantedDids: [...shard.dids].sort() });
    }
    for (const id of plan.opened) this.openShard(id, plan.filters.get(id)!, from);
    if (plan.opened.length + plan.closed.length > 0) {
      const sizes = [...this.shards.values()].map((s) => s.dids.size || 'all');
      this.logger.log(
        `Jetstream: ${sizes.length} connection(s), repos ${sizes.join('/')}, from ${from ?? 'now'}`,
      );
    }
  }

  private openShard(id: number, dids: Set<string>, cursor: number | null): void {
    const stream = this.stream;
    let reported: string | null = null;
    // Its subscription comes next: the subscription's callbacks need the shard.
    const shard = {
      id,
      key: `${CURSOR_PREFIX[stream.kind]}${id}`,
      dids,
      url: stream.kind === 'relay' ? stream.url : stream.urls[0]!,
      connected: false,
      lastEventAt: null,
      lagMs: null,
      seen: cursor,
      safe: cursor,
      saved: null,
    } as Omit<Shard, 'sub'> as Shard;
    if (stream.kind === 'relay') {
      shard.sub = this.subscribeRelay(stream.url, cursor, shard);
      this.shards.set(id, shard);
      return;
    }
    shard.sub = subscribeJetstream({
      urls: stream.urls,
      cursor,
      compress: this.config.BLUESKY_JETSTREAM_COMPRESS,
      collections: FANOUT_COLLECTIONS,
      wantedDids: [...dids].sort(),
      onEvent: (event) => this.onEvent(event, shard),
      onError: () => undefined, // reported through onStatus
      onStatus: (s: JetstreamStatus) => {
        const changed = s.connected !== shard.connected || s.url !== shard.url;
        Object.assign(shard, { connected: s.connected, url: s.url });
        if (s.error !== null && s.error !== reported) this.recordError(s.error);
        reported = s.error;
        if (changed && this.shards.get(id) === shard) void this.writeStatus();
      },
    });
    this.shards.set(id, shard);
  }

  /**
   * The relay firehose (`@atproto/sync`, every commit's signature and proofs verified, keys from
   * BLUESKY_PLC_URL), as a connection without filters: the graph decides on every event.
   */
  private subscribeRelay(url: string, cursor: number | null, shard: Shard): Shard['sub'] {
    const sub = subscribeRepos({
      service: url,
      cursor,
      verify: true,
      plcUrl: this.config.BLUESKY_PLC_URL,
      allowHttp: this.config.BLUESKY_ALLOW_HTTP,
      collections: FANOUT_COLLECTIONS,
      onEvent: (event) => this.onEvent(event, shard),
      // @atproto/sync's errors say what failed in their cause (a refused signature, a lost connection).
      onError: (err) =>
        this.recordError(
          `relay firehose (${url}): ${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`,
        ),
      onStatus: ({ connected }) => {
        shard.connected = connected;
        if (this.shards.get(shard.id) === shard) void this.writeStatus();
      },
    });
    return {
      get cursor() {
        return sub.cursor;
      },
      url,
      setFilters: () => undefined, // nothing to filter at the relay
      stop: () => sub.stop(),
    };
  }

  private scheduleFilters(): void {
    if (this.filtersTimer || !this.started || this.graph.version === this.sentFilters) return;
    this.filtersTimer = setTimeout(() => {
      this.filtersTimer = null;
      if (!this.started || this.graph.version === this.sentFilters) return;
      this.syncShards();
    }, FILTERS_DEBOUNCE_MS);
  }

  /** One event, in stream order. Returns a promise only when a full batch is handed over (backpressure). */
  private onEvent(event: RepoEvent, shard: Shard): Promise<void> | void {
    const now = Date.now();
    shard.lastEventAt = now;
    // Jetstream's cursor is its clock (time_us); the relay's a sequence number, with a time.
    const sentAt = this.stream.kind === 'relay' ? Date.parse(event.time) : event.seq / 1000;
    shard.lagMs = Math.max(0, Math.round(now - sentAt));
    streamLag.set({ stream: `${this.stream.kind}:${shard.id}` }, shard.lagMs / 1000);
    streamEvents.inc({ stream: `${this.stream.kind}:${shard.id}` });
    // A subscribed Bluesky filter list's owner edited a list (not awaited: the stream goes on).
    if (event.collection === LIST_ITEM && event.action !== 'update' && this.filterLists.owns(event.did))
      void this.filterLists
        .listItemsChanged(event.did)
        .catch((err: unknown) =>
          this.recordError(
            `filter list refresh not queued: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    const decision = this.graph.decide(event);
    shard.seen = event.seq;
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
            ...(decision.record ? { record: decision.record } : {}),
          });
        }
        if (this.pending.size >= APPVIEW_BATCH) return this.flush();
        break;
      }
      case 'follow':
      case 'unfollow':
      case 'block':
      case 'unblock': {
        const load = this.followLoads.get(decision.member);
        if (load?.pending) load.pending.push(decision);
        const effect = this.graph.apply(decision);
        this.followChanges.push(decision);
        if (effect) {
          this.followEffects.push(effect);
          if (!effect.following) this.withdrawPending(effect);
        }
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

  /** Posts not handed over yet that the unfollowed account brought leave the member's HOME sources. */
  private withdrawPending({ member, subject }: FollowEffect): void {
    const homes = new Set(this.graph.homesOf(member));
    for (const [key, item] of this.pending) {
      if ((item.reason?.by ?? authorOf(item.uri)) !== subject) continue;
      item.sourceIds = item.sourceIds.filter((id) => !homes.has(id));
      if (item.sourceIds.length === 0) this.pending.delete(key);
    }
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
      const followEffects = this.followEffects;
      const upTo = [...this.shards.values()].map((shard) => [shard, shard.seen] as const);
      this.pending = new Map();
      this.deletes = [];
      this.followChanges = [];
      this.followEffects = [];
      try {
        if (items.length > 0) {
          await this.jobs.enqueue('fanout-posts', { items: items.map(([, item]) => item), attempt: 0 });
          for (const [key, item] of items) this.handed.set(key, item.sourceIds.slice().sort().join(','));
          items.length = 0;
        }
        await this.originDeletes.apply(deletes, (member, author) => this.graph.isFollowing(member, author));
        deletes.length = 0;
        await applyFollowChanges(this.db.client, followChanges);
        followChanges.length = 0;
        await this.followEffectsService.apply(
          followEffects,
          (member) => this.graph.homesOf(member),
          (member, author) => this.graph.isFollowing(member, author),
        );
        followEffects.length = 0;
        for (const [shard, seen] of upTo) shard.safe = seen;
      } catch (err) {
        // Kept for the next flush; the cursor stays, so a restart replays them.
        for (const [key, item] of items) if (!this.pending.has(key)) this.pending.set(key, item);
        this.deletes.unshift(...deletes);
        this.followChanges.unshift(...followChanges);
        this.followEffects.unshift(...followEffects);
        this.recordError(`fan-out not handed over: ${err instanceof Error ? err.message : String(err)}`);
        this.scheduleFlush();
      }
    });
    return this.flushing;
  }

  private recordError(message: string): void {
    this.logger.warn(message);
    this.lastError = { message: message.slice(0, 500), at: Date.now() };
  }

  /**
   * The status row the API shows on Bluesky accounts, over every connection: live when all are
   * connected, the hosts in use, the largest lag, the newest event; never throws.
   */
  private async writeStatus(connected?: boolean): Promise<void> {
    const shards = [...this.shards.values()];
    if (shards.length === 0) return;
    const at = (ms: number | null) => (ms === null ? null : new Date(ms));
    const newest = (xs: (number | null)[]) =>
      xs.reduce<number | null>((m, x) => (x === null ? m : Math.max(m ?? x, x)), null);
    const row = {
      kind: this.stream.kind,
      url: [...new Set(shards.map((s) => s.url))].join(' '),
      connected: connected ?? shards.every((s) => s.connected),
      lastEventAt: at(newest(shards.map((s) => s.lastEventAt))),
      lagMs: lag(shards),
      lastError: this.lastError?.message ?? null,
      lastErrorAt: at(this.lastError?.at ?? null),
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

  /** Every connection's cursor, where it moved (`all`: even where it did not). */
  private async saveCursors(all = false): Promise<void> {
    for (const shard of this.shards.values()) {
      const cursor = shard.safe;
      if (cursor === null || (cursor === shard.saved && !all)) continue;
      try {
        await this.db.client.streamCursor.upsert({
          where: { key: shard.key },
          create: { key: shard.key, cursor: String(cursor) },
          update: { cursor: String(cursor) },
        });
        shard.saved = cursor;
      } catch (err) {
        this.logger.warn(
          `cursor of ${shard.key} not saved: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}
