import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppViewClient } from '@tributary/connector-bluesky';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { DbConflictError, PrismaService, withDbErrors } from '@tributary/db';
import type { DbClient, FilterList, FilterListFormat, Prisma } from '@tributary/db';
import { formatTributaryList } from '@tributary/pipeline';
import { JobQueue } from '@tributary/queue';
import type { FetchLimits } from './filter-list-fetch.js';
import type { FilterListErrorCode } from './filter-list-fetch.js';
import { fetchList, FilterListError, normalizeSource } from './filter-list-fetch.js';
import type { FilterListPins } from './filter-list-specs.js';
import { filterListIdsOf } from './filter-list-specs.js';
import { pruneVersions } from '../pipeline-versions.js';

/** Versions of a list kept besides the current one (older pipeline versions may still name them). */
const KEPT_VERSIONS = 3;
const MINUTE = 60_000;
/** Prisma's default transaction limits are too short when a lock is contended (see PipelinesService). */
const USER_LOCK_TX = { maxWait: 15_000, timeout: 120_000 };

export type RefreshResult =
  | { result: 'stored'; version: number; pipelines: number }
  | { result: 'unchanged'; version: number }
  | { result: 'failed'; version: number; error: string; code: FilterListErrorCode };

/** The pipelines whose current spec names a list: JSONB containment on the stages. */
function specNamesList(listId: string): string {
  return JSON.stringify([{ use: 'filter-list', with: { lists: [{ id: listId }] } }]);
}

/**
 * Filter lists, stored once per instance: found or created by source, fetched (the first time
 * while the member waits, then by the worker when due), versioned, and re-applied to the pipelines
 * that subscribe to them. A failed fetch keeps the stored version and records the error.
 */
@Injectable()
export class FilterListService {
  private readonly logger = new Logger(FilterListService.name);
  private readonly limits: FetchLimits;

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.limits = {
      policy: { allowHosts: config.FILTER_LIST_ALLOWED_HOSTS, allowHttp: config.FILTER_LIST_ALLOW_HTTP },
      maxBytes: config.FILTER_LIST_MAX_KB * 1024,
      maxEntries: config.FILTER_LIST_MAX_ENTRIES,
      timeoutMs: config.FILTER_LIST_FETCH_TIMEOUT_SECONDS * 1000,
      appView: new AppViewClient({ service: config.BLUESKY_APPVIEW_URL }),
    };
  }

  /**
   * The stored list of a source, created and fetched now when it is new (or was never fetched): its
   * first version must exist before a pipeline subscribes. Throws FilterListError (nothing is kept
   * of a list whose first fetch failed).
   */
  async ensure(sourceInput: string, formatInput: FilterListFormat | null): Promise<FilterList> {
    const { source, format } = normalizeSource(sourceInput, formatInput);
    let list = await this.db.client.filterList.findUnique({ where: { source_format: { source, format } } });
    if (list === null) {
      try {
        list = await withDbErrors(() => this.db.client.filterList.create({ data: { source, format } }));
      } catch (error) {
        // Someone else subscribed to it at the same moment.
        if (!(error instanceof DbConflictError)) throw error;
        list = await this.db.client.filterList.findUniqueOrThrow({
          where: { source_format: { source, format } },
        });
      }
    }
    if (list.version > 0) return list;
    const result = await this.refresh(list.id);
    if (result.result === 'failed') {
      await this.db.client.filterList.deleteMany({ where: { id: list.id, version: 0, offered: false } });
      throw new FilterListError(result.code, result.error);
    }
    return this.db.client.filterList.findUniqueOrThrow({ where: { id: list.id } });
  }

  /**
   * Fetches a list again (conditionally). New rules become its next version, re-applied to every
   * pipeline that subscribes; the same rules, or a 304, change nothing but the check times; a
   * failure leaves the stored version as it is, with the error on the list. Idempotent.
   */
  async refresh(listId: string): Promise<RefreshResult> {
    const list = await this.db.client.filterList.findUnique({ where: { id: listId } });
    if (list === null) return { result: 'failed', version: 0, error: 'no such list', code: 'BAD_SOURCE' };
    const now = new Date();
    let fetched;
    try {
      fetched = await fetchList(
        list.source,
        list.format,
        // Conditional only while a version is stored: a lost version must be fetched whole.
        list.version > 0
          ? { etag: list.etag, lastModified: list.lastModified }
          : { etag: null, lastModified: null },
        this.limits,
      );
    } catch (error) {
      if (!(error instanceof FilterListError)) throw error;
      await this.db.client.filterList.update({
        where: { id: listId },
        data: {
          checkedAt: now,
          nextCheckAt: new Date(now.getTime() + this.config.FILTER_LIST_REFRESH_MIN_MINUTES * MINUTE),
          lastError: error.message.slice(0, 2000),
          lastErrorAt: now,
        },
      });
      this.logger.warn(
        `filter list ${listId} (${list.source}) not refreshed: ${error.message.slice(0, 300)}`,
      );
      return { result: 'failed', version: list.version, error: error.message, code: error.code };
    }
    if (fetched.status === 'unchanged') {
      await this.db.client.filterList.update({
        where: { id: listId },
        data: {
          checkedAt: now,
          nextCheckAt: this.nextCheck(now, list.expiresMinutes),
          lastError: null,
          lastErrorAt: null,
        },
      });
      return { result: 'unchanged', version: list.version };
    }
    const { content, validators } = fetched;
    const rules = formatTributaryList(content);
    const sha256 = createHash('sha256').update(rules).digest('hex');
    const current =
      list.version > 0
        ? await this.db.client.filterListVersion.findUnique({
            where: { listId_version: { listId, version: list.version } },
            select: { sha256: true },
          })
        : null;
    const meta = {
      title: content.meta.title,
      homepage: content.meta.homepage,
      declaredVersion: content.meta.version,
      expiresMinutes: content.meta.expiresMinutes,
      etag: validators.etag,
      lastModified: validators.lastModified,
      checkedAt: now,
      nextCheckAt: this.nextCheck(now, content.meta.expiresMinutes),
      lastError: null,
      lastErrorAt: null,
    };
    if (current?.sha256 === sha256) {
      await this.db.client.filterList.update({ where: { id: listId }, data: meta });
      return { result: 'unchanged', version: list.version };
    }
    const version = await this.db.client.$transaction(async (tx) => {
      // The row's lock: two refreshes of one list store one version after the other.
      const [row] = await tx.$queryRawUnsafe<{ version: number }[]>(
        'SELECT version FROM "FilterList" WHERE id = $1::uuid FOR UPDATE',
        listId,
      );
      const next = (row?.version ?? 0) + 1;
      await tx.filterListVersion.create({
        data: { listId, version: next, rules, entries: content.rules.length, sha256 },
      });
      await tx.filterList.update({
        where: { id: listId },
        data: { ...meta, version: next, entries: content.rules.length, fetchedAt: now },
      });
      await tx.filterListVersion.deleteMany({
        where: { listId, version: { lte: next - 1 - KEPT_VERSIONS } },
      });
      return next;
    });
    const pipelines = await this.reapply(listId);
    return { result: 'stored', version, pipelines };
  }

  /**
   * Gives every pipeline that subscribes to the list a new version running with the list's current
   * version, and rebuilds it over recent posts (as an edit of the pipeline would). Returns how many.
   */
  async reapply(listId: string): Promise<number> {
    const pipelines = await this.db.client.$queryRawUnsafe<{ id: string; userId: string }[]>(
      `SELECT id::text, "userId"::text FROM "Pipeline" WHERE spec->'stages' @> $1::jsonb`,
      specNamesList(listId),
    );
    let count = 0;
    for (const { id, userId } of pipelines) {
      const bumped = await this.db.client.$transaction(async (tx) => {
        // The lock pipeline edits take (PipelinesService): versions are numbered one after another.
        await tx.$queryRawUnsafe('SELECT 1 FROM "User" WHERE id = $1::uuid FOR UPDATE', userId);
        const row = await tx.pipeline.findUnique({ where: { id } });
        if (row === null || !filterListIdsOf(row.spec).includes(listId)) return null;
        const pins = await this.pinsFor(row.spec, tx);
        const stored = await tx.pipelineVersion.findUnique({
          where: { pipelineId_version: { pipelineId: id, version: row.version } },
          select: { filterLists: true },
        });
        if (JSON.stringify(stored?.filterLists ?? {}) === JSON.stringify(pins)) return null;
        const version = row.version + 1;
        const updated = await tx.pipeline.update({
          where: { id },
          data: {
            version,
            versions: { create: { version, spec: row.spec as Prisma.InputJsonValue, filterLists: pins } },
            rebuildState: 'RUNNING',
            rebuildDone: 0,
            rebuildTotal: 0,
            rebuildError: null,
          },
        });
        await pruneVersions(tx, id, version, this.config.PIPELINE_VERSIONS_KEPT);
        return updated;
      }, USER_LOCK_TX);
      if (bumped === null) continue;
      await this.jobs.enqueue('rebuild-timeline', { pipelineId: id, version: bumped.version, userId });
      count += 1;
    }
    return count;
  }

  /** The current stored version of each list a spec names (what a new pipeline version pins). */
  async pinsFor(spec: unknown, db: DbClient = this.db.client): Promise<FilterListPins> {
    const ids = filterListIdsOf(spec);
    if (ids.length === 0) return {};
    const rows = await db.filterList.findMany({
      where: { id: { in: ids } },
      select: { id: true, version: true },
    });
    const pins: FilterListPins = {};
    for (const id of ids.sort()) {
      const row = rows.find((r) => r.id === id);
      if (row) pins[id] = row.version;
    }
    return pins;
  }

  /** The list ids a spec names that are not stored lists, each with its path. */
  async unknownLists(spec: unknown): Promise<{ path: string; message: string }[]> {
    const ids = filterListIdsOf(spec);
    if (ids.length === 0) return [];
    const known = new Set(
      (await this.db.client.filterList.findMany({ where: { id: { in: ids } }, select: { id: true } })).map(
        (r) => r.id,
      ),
    );
    const issues: { path: string; message: string }[] = [];
    const stages = (spec as { stages: { use?: unknown; with?: { lists?: { id?: unknown }[] } }[] }).stages;
    stages.forEach((stage, s) => {
      if (stage?.use !== 'filter-list' || !Array.isArray(stage.with?.lists)) return;
      stage.with.lists.forEach((entry, l) => {
        if (typeof entry?.id === 'string' && !known.has(entry.id.toLowerCase()))
          issues.push({
            path: `stages[${s}].with.lists[${l}].id`,
            message: 'no such filter list (subscribe to a list with subscribeFilterList)',
          });
      });
    });
    return issues;
  }

  /** Queues a refresh of every list due whose pipelines or offer still want it; returns how many. */
  async checkDue(now = new Date()): Promise<number> {
    const due = await this.db.client.filterList.findMany({
      where: { nextCheckAt: { lte: now } },
      select: { id: true, offered: true },
      orderBy: { nextCheckAt: 'asc' },
      take: 500,
    });
    let queued = 0;
    for (const list of due) {
      const wanted =
        list.offered ||
        (
          await this.db.client.$queryRawUnsafe<unknown[]>(
            `SELECT 1 FROM "Pipeline" WHERE spec->'stages' @> $1::jsonb LIMIT 1`,
            specNamesList(list.id),
          )
        ).length > 0;
      if (!wanted) {
        // Nobody subscribes: look again in a while (a new subscription fetches it anyway if needed).
        await this.db.client.filterList.update({
          where: { id: list.id },
          data: {
            nextCheckAt: new Date(now.getTime() + this.config.FILTER_LIST_REFRESH_MAX_MINUTES * MINUTE),
          },
        });
        continue;
      }
      await this.jobs.enqueue('refresh-filter-list', { listId: list.id });
      queued += 1;
    }
    return queued;
  }

  /**
   * The stored Bluesky lists that a pipeline subscribes to or the admin offers, by the DID of the
   * account whose repo holds them (the worker's stream watches their list items).
   */
  async blueskyListsByOwner(): Promise<Map<string, string[]>> {
    const rows = await this.db.client.$queryRawUnsafe<{ id: string; source: string }[]>(
      `SELECT f.id::text, f.source FROM "FilterList" f
       WHERE f.format = 'BLUESKY_LIST' AND f.version > 0
         AND (f.offered OR EXISTS (SELECT 1 FROM "Pipeline" p WHERE p.spec->'stages' @> jsonb_build_array(
           jsonb_build_object('use', 'filter-list', 'with',
             jsonb_build_object('lists', jsonb_build_array(jsonb_build_object('id', f.id::text)))))))`,
    );
    const owners = new Map<string, string[]>();
    for (const { id, source } of rows) {
      const owner = source.slice('at://'.length).split('/')[0]!;
      owners.set(owner, [...(owners.get(owner) ?? []), id]);
    }
    return owners;
  }

  /** When to fetch again: the list's declared expiry, bounded by the instance's limits. */
  private nextCheck(now: Date, expiresMinutes: number | null): Date {
    const { FILTER_LIST_REFRESH_DEFAULT_MINUTES: fallback, FILTER_LIST_REFRESH_MIN_MINUTES: min } =
      this.config;
    const max = Math.max(min, this.config.FILTER_LIST_REFRESH_MAX_MINUTES);
    const minutes = Math.min(max, Math.max(min, expiresMinutes ?? fallback));
    return new Date(now.getTime() + minutes * MINUTE);
  }
}
