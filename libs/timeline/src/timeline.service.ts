import { Inject, Injectable, Logger } from '@nestjs/common';
import { pipelineRunDuration, secondsSince } from '@tributary/metrics';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { EventPublisher } from '@tributary/queue';
import { PrismaService, prepared } from '@tributary/db';
import type { Post } from '@tributary/core';
import type { Pipeline, Sql } from '@tributary/db';
import { compilePipeline, dedupeKeysOf, PipelineSpecError } from '@tributary/pipeline';
import type { CompiledPipeline, SeenIn } from '@tributary/pipeline';
import {
  loadCandidates,
  loadHistory,
  loadRebuilt,
  loadRecentPostIds,
  MAX_SINGLE_STATEMENT_ENTRIES,
  mergeSeenIn,
  postedAt,
  upsertEntries,
  writeEntries,
} from './entry-store.js';
import type { HistoryScope, StoredCandidate } from './entry-store.js';
import { loadFeedback } from './feedback-store.js';
import { PluginCatalog } from './plugin-catalog.js';
import { FilterListCatalog } from './filter-lists/filter-list-catalog.js';
import type { FilterListPins } from './filter-lists/filter-list-specs.js';
import { filterListIdsOf } from './filter-lists/filter-list-specs.js';

/** One pipeline's lock (a transaction's): `hashtext` spreads pipeline ids over the second key. */
const LOCK_PIPELINE_SQL = prepared(
  `SELECT pg_advisory_xact_lock(hashtext('tributary:pipeline'), hashtext($1::text))`,
);

/** Posts per engine run and write during a rebuild (the queue's batches are 100–500 too). */
export const REBUILD_BATCH = 500;
/** Compiled pipelines are reused this long, then compiled again to pick up newly installed plugins. */
const COMPILED_TTL_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POST_ID = /^[1-9]\d{0,18}$/;

/** A job payload that can never succeed (retrying would not help). */
export class TimelineInputError extends Error {
  override readonly name = 'TimelineInputError';
}

export interface RunResult {
  candidates: number;
  pipelines: number;
  inserted: number;
  skippedPipelines: string[];
}

export interface RebuildProgress {
  done: number;
  total: number;
}

/**
 * The write path of timelines: runs a user's pipelines over posts and stores one entry per
 * (pipeline, post) with its rank key and decisions, hidden posts included. Every write is an
 * idempotent upsert, so a job delivered twice, or retried after a crash mid-batch, leaves exactly
 * one entry per post.
 */
@Injectable()
export class TimelineService {
  private readonly logger = new Logger(TimelineService.name);
  private readonly compiled = new Map<string, { pipeline: CompiledPipeline; at: number }>();

  constructor(
    private readonly db: PrismaService,
    private readonly plugins: PluginCatalog,
    private readonly filterLists: FilterListCatalog,
    private readonly events: EventPublisher,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Runs each of the user's pipelines over these new posts; publishes the inserted entry ids. */
  async runPipelines(userId: string, postIds: readonly string[]): Promise<RunResult> {
    if (!UUID.test(userId)) throw new TimelineInputError(`invalid user id "${userId}"`);
    if (!Array.isArray(postIds) || postIds.some((id) => typeof id !== 'string' || !POST_ID.test(id))) {
      throw new TimelineInputError('postIds: expected an array of decimal post ids');
    }
    const result: RunResult = { candidates: 0, pipelines: 0, inserted: 0, skippedPipelines: [] };
    const pipelines = await this.db.client.pipeline.findMany({
      where: { userId },
      orderBy: { createdAt: 'asc' },
    });
    if (pipelines.length === 0 || postIds.length === 0) return result;
    const candidates = await loadCandidates(this.db.sql, userId, [...new Set(postIds)].map(BigInt));
    result.candidates = candidates.length;
    if (candidates.length === 0) return result;
    const now = new Date();
    for (const pipeline of pipelines) {
      const compiled = await this.compile(pipeline, pipeline.version, pipeline.spec);
      if (!compiled) {
        result.skippedPipelines.push(pipeline.id);
        continue;
      }
      const inserted = await this.writeBatch(pipeline, pipeline.version, compiled, candidates, now);
      result.pipelines += 1;
      result.inserted += inserted.length;
      if (inserted.length > 0) {
        await this.events.publish({
          type: 'timeline-entries',
          userId,
          pipelineId: pipeline.id,
          entryIds: inserted.map(String),
        });
      }
    }
    return result;
  }

  /**
   * Rebuilds a pipeline's timeline with one version of its spec over the user's recent history
   * (REBUILD_HISTORY_DAYS, at most REBUILD_HISTORY_POSTS posts), overwriting entries in place and
   * then deleting those of older versions that fell out of the history. Progress goes to the
   * Pipeline row and to `onProgress`. A rebuild of a version that is no longer current is skipped.
   *
   * Works for about `sliceMs` (at least one batch), then returns `more: true`; called again, it goes
   * on with the posts this version has no entry for yet, so a slice, a retry or a crash mid-way
   * resumes where it stopped.
   */
  async rebuild(
    pipelineId: string,
    version: number,
    onProgress: (progress: RebuildProgress) => Promise<void> = async () => {},
    sliceMs = Infinity,
  ): Promise<{ skipped?: string; done?: number; total?: number; deleted?: number; more?: true }> {
    if (!UUID.test(pipelineId)) throw new TimelineInputError(`invalid pipeline id "${pipelineId}"`);
    if (!Number.isInteger(version) || version < 1) throw new TimelineInputError(`invalid version ${version}`);
    const started = Date.now();
    const pipeline = await this.db.client.pipeline.findUnique({ where: { id: pipelineId } });
    if (!pipeline) return { skipped: 'pipeline no longer exists' };
    if (pipeline.version !== version)
      return { skipped: `version ${version} is not current (${pipeline.version})` };
    const stored = await this.db.client.pipelineVersion.findUnique({
      where: { pipelineId_version: { pipelineId, version } },
    });
    const compiled = await this.compile(pipeline, version, stored?.spec ?? pipeline.spec);
    if (!compiled) {
      await this.setRebuild(pipelineId, {
        rebuildState: 'FAILED',
        rebuildError: 'the pipeline spec is invalid',
      });
      return { skipped: 'invalid spec' };
    }

    const recent = await loadRecentPostIds(
      this.db.sql,
      pipeline.userId,
      this.config.REBUILD_HISTORY_DAYS,
      this.config.REBUILD_HISTORY_POSTS,
    );
    const total = recent.length;
    const rebuilt = await loadRebuilt(this.db.sql, pipelineId, version, recent);
    const todo = recent.filter((id) => !rebuilt.has(id));
    let done = total - todo.length;
    await this.setRebuild(pipelineId, {
      rebuildState: 'RUNNING',
      rebuildDone: done,
      rebuildTotal: total,
      rebuildError: null,
    });
    await onProgress({ done, total });
    try {
      const now = new Date();
      for (let start = 0; start < todo.length; start += REBUILD_BATCH) {
        if (start > 0 && Date.now() - started >= sliceMs) return { done, total, more: true };
        const ids = todo.slice(start, start + REBUILD_BATCH);
        // Oldest first, like the ids; a post its member's sources no longer hold is left out.
        const batch = await loadCandidates(this.db.sql, pipeline.userId, ids);
        if (batch.length > 0) await this.writeBatch(pipeline, version, compiled, batch, now);
        done += ids.length;
        await this.setRebuild(pipelineId, { rebuildDone: done });
        await onProgress({ done, total });
      }
      // Entries an older version wrote for posts outside the rebuilt history.
      const deleted = await this.db.client.timelineEntry.deleteMany({
        where: { pipelineId, pipelineVersion: { lt: version } },
      });
      await this.setRebuild(pipelineId, { rebuildState: 'DONE' });
      await this.events.publish({ type: 'timeline-rebuilt', userId: pipeline.userId, pipelineId, version });
      return { done, total, deleted: deleted.count };
    } catch (error) {
      await this.setRebuild(pipelineId, {
        rebuildState: 'FAILED',
        rebuildError: (error as Error).message.slice(0, 500),
      });
      throw error;
    }
  }

  /** Runs one compiled pipeline over a batch and stores the entries; returns the inserted ids. */
  private async writeBatch(
    pipeline: Pipeline,
    version: number,
    compiled: CompiledPipeline,
    batch: readonly StoredCandidate[],
    now: Date,
  ): Promise<bigint[]> {
    const scope = dedupeScope(compiled);
    if (scope === null) return this.runAndStore(this.db.sql, null, pipeline, version, compiled, batch, now);
    // Deduplication decides from the entries already stored, so two batches of one pipeline must
    // not interleave between that read and their write: a cross-post's two copies arrive together
    // (one sync per network), and each batch would miss the other copy and keep its own. Such
    // batches of a pipeline take turns, holding its lock from the read to the write.
    return this.db.sql.transaction(async (tx) => {
      await tx.query(LOCK_PIPELINE_SQL, [pipeline.id]);
      return this.runAndStore(tx, scope, pipeline, version, compiled, batch, now);
    });
  }

  /**
   * The run and the write of writeBatch, on `sql`: a transaction holding the pipeline's lock when
   * the pipeline deduplicates (`scope`), else the database.
   */
  private async runAndStore(
    sql: Sql,
    scope: HistoryScope | null,
    pipeline: Pipeline,
    version: number,
    compiled: CompiledPipeline,
    batch: readonly StoredCandidate[],
    now: Date,
  ): Promise<bigint[]> {
    const history = scope !== null ? await loadHistory(sql, pipeline.id, batch, scope) : [];
    const feedback = usesFeedback(compiled)
      ? await loadFeedback(
          sql,
          pipeline.id,
          batch.map((c) => c.postId),
        )
      : undefined;
    // A post deleted at origin comes with its `deletedAt` (the candidates' loader reads the column):
    // the engine hides it, the one rule for both networks.
    const started = performance.now();
    const results = await compiled.run(batch, {
      now,
      history,
      pluginBudgetMs: this.config.PLUGIN_BATCH_BUDGET_MS,
      ...(feedback ? { feedback } : {}),
    });
    pipelineRunDuration.observe(secondsSince(started));
    const historyIds = new Map(history.map((h) => [h.post.uri, h.postId]));
    const merges = new Map<bigint, SeenIn[]>();
    for (const result of results) {
      const kept = result.duplicateOf === null ? undefined : historyIds.get(result.duplicateOf);
      if (kept !== undefined) merges.set(kept, [...(merges.get(kept) ?? []), ...result.seenIn]);
    }
    // Hidden entries are never history (loadHistory reads visible ones): no keys to store.
    const entries = results.map((result, i) => ({
      postId: batch[i]!.postId,
      result,
      labels: batch[i]!.labels,
      dedupeKeys: scope === null || result.hidden ? undefined : scope.keysOf(batch[i]!.post),
      // Placed as the entry is shown: at the repost, or at the post when a stage hid the repost.
      postedAt: postedAt({ post: batch[i]!.post, reason: result.reason }, now),
    }));
    // One statement is atomic by itself: no transaction round trips for a normal batch.
    if (entries.length <= MAX_SINGLE_STATEMENT_ENTRIES)
      return writeEntries(sql, pipeline.userId, pipeline.id, version, entries, merges);
    const write = async (tx: Sql): Promise<bigint[]> => {
      const inserted = await upsertEntries(tx, pipeline.userId, pipeline.id, version, entries);
      await mergeSeenIn(tx, pipeline.id, merges);
      return inserted;
    };
    return scope !== null ? write(sql) : this.db.sql.transaction(write);
  }

  /** Compiles once per pipeline version (for a minute); null, logged, when the spec is invalid. */
  private async compile(
    pipeline: Pipeline,
    version: number,
    spec: unknown,
  ): Promise<CompiledPipeline | null> {
    const key = `${pipeline.id}@${version}`;
    const cached = this.compiled.get(key);
    if (cached && Date.now() - cached.at < COMPILED_TTL_MS) return cached.pipeline;
    try {
      const plugins = await this.plugins.resolverFor(pipeline.userId, spec);
      // The filter-list versions this pipeline version runs with (pinned when it was saved).
      let pins: FilterListPins = {};
      if (filterListIdsOf(spec).length > 0) {
        const stored = await this.db.client.pipelineVersion.findUnique({
          where: { pipelineId_version: { pipelineId: pipeline.id, version } },
          select: { filterLists: true },
        });
        pins = (stored?.filterLists ?? {}) as FilterListPins;
      }
      const filterLists = await this.filterLists.resolverFor(pins);
      const compiled = compilePipeline(spec, { plugins, filterLists });
      this.compiled.set(key, { pipeline: compiled, at: Date.now() });
      return compiled;
    } catch (error) {
      if (!(error instanceof PipelineSpecError)) throw error;
      this.logger.warn(`pipeline ${pipeline.id} v${version} not run: ${error.message}`);
      return null;
    }
  }

  private async setRebuild(
    pipelineId: string,
    data: Partial<Pick<Pipeline, 'rebuildState' | 'rebuildDone' | 'rebuildTotal' | 'rebuildError'>>,
  ) {
    await this.db.client.pipeline.update({ where: { id: pipelineId }, data });
  }
}

/** Whether a pipeline has an enabled `feedback` stage (its runs then read the member's feedback). */
function usesFeedback(compiled: CompiledPipeline): boolean {
  return compiled.spec.stages.some((stage) => stage.enabled && stage.use === 'feedback');
}

const scopes = new WeakMap<CompiledPipeline, HistoryScope | null>();

/**
 * What the pipeline's dedupe stages compare history with: the widest window and the keys of a post
 * for every stage (each with its own identities); null without a dedupe stage (no history needed).
 */
function dedupeScope(compiled: CompiledPipeline): HistoryScope | null {
  let scope = scopes.get(compiled);
  if (scope !== undefined) return scope;
  let windowMinutes = 0;
  const keyFunctions: ((post: Post) => string[])[] = [];
  for (const stage of compiled.spec.stages) {
    if (stage.enabled && stage.use === 'dedupe-crossposts') {
      const cfg = stage.with as { windowMinutes: number; identities: string[][] };
      windowMinutes = Math.max(windowMinutes, cfg.windowMinutes);
      keyFunctions.push(dedupeKeysOf(cfg.identities));
    }
  }
  const keysOf =
    keyFunctions.length === 1
      ? keyFunctions[0]!
      : (post: Post) => [...new Set(keyFunctions.flatMap((keys) => keys(post)))];
  scope = windowMinutes > 0 ? { windowMinutes, keysOf } : null;
  scopes.set(compiled, scope);
  return scope;
}
