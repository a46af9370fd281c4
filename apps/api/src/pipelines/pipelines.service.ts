import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { DbConflictError, PrismaService, withDbErrors } from '@tributary/db';
import type { DbClient, Pipeline, Prisma } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import {
  FilterListCatalog,
  FilterListService,
  PluginCatalog,
  checkPipelineSpec,
  describedPlugins,
  previewPipeline,
  pruneVersions,
} from '@tributary/timeline';
import type { SpecIssue } from '@tributary/timeline';
import { isDeepStrictEqual } from 'node:util';
import { JobStateModel } from '../accounts/linked-account.model.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { toPostModel } from '../posts/post.model.js';
import type { PipelineModel, PipelineValidationModel, PreviewItemModel } from './pipeline.model.js';

/** Posts a preview runs over when the client does not say, and at most. */
export const PREVIEW_DEFAULT = 50;
export const PREVIEW_MAX = 200;
const MAX_NAME = 100;

export function toPipelineModel(row: Pipeline): PipelineModel {
  return {
    id: row.id,
    name: row.name,
    isDefault: row.isDefault,
    version: row.version,
    spec: row.spec,
    rebuild: {
      state: row.rebuildState as JobStateModel,
      done: row.rebuildDone,
      total: row.rebuildTotal,
      error: row.rebuildError,
    },
    readPosition: row.readPosition,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Pipeline management for one user at a time: every query is scoped by the caller's id, and every
 * change that touches more than one of their pipelines (default, count) runs under a lock on the
 * user's row, so concurrent requests cannot leave two defaults or exceed the limit.
 */
@Injectable()
export class PipelinesService {
  /**
   * Users with a preview running in this process. A preview runs the user's uploaded plugins in this
   * process's sandbox, which takes one call at a time for everyone, each call up to the plugin time
   * limit: one user's previews sent in parallel would queue ahead of every other user's previews and
   * uploads. One at a time per user bounds anyone's wait to one preview of each other user.
   */
  private readonly previewing = new Set<string>();

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    private readonly catalog: PluginCatalog,
    private readonly filterLists: FilterListService,
    private readonly filterListCatalog: FilterListCatalog,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  list(userId: string): Promise<Pipeline[]> {
    return this.db.client.pipeline.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  async find(userId: string, id: string): Promise<Pipeline | null> {
    if (!isUuid(id)) return null;
    return this.db.client.pipeline.findFirst({ where: { id, userId } });
  }

  versions(pipelineId: string) {
    return this.db.client.pipelineVersion.findMany({ where: { pipelineId }, orderBy: { version: 'asc' } });
  }

  async validate(userId: string, input: unknown): Promise<PipelineValidationModel> {
    let spec: Prisma.InputJsonObject;
    try {
      spec = this.prepareSpec(input, null);
    } catch (error) {
      // Not an object, or too large: still an answer, not an error, for a validation request.
      if (error instanceof AppException && Array.isArray(error.details['issues']))
        return { valid: false, errors: error.details['issues'] as SpecIssue[] };
      throw error;
    }
    const issues = await this.issues(userId, spec);
    return { valid: issues.length === 0, errors: issues };
  }

  /** A dry run over the user's recent posts; reads only. */
  async preview(
    userId: string,
    input: unknown,
    limit: number | null | undefined,
  ): Promise<PreviewItemModel[]> {
    if (this.previewing.has(userId))
      throw new AppException(
        AppErrorCode.RateLimited,
        'one preview at a time: wait for your previous preview to finish',
      );
    this.previewing.add(userId);
    try {
      return await this.runPreview(userId, input, limit);
    } finally {
      this.previewing.delete(userId);
    }
  }

  private async runPreview(
    userId: string,
    input: unknown,
    limit: number | null | undefined,
  ): Promise<PreviewItemModel[]> {
    const spec = this.prepareSpec(input, null);
    this.throwIfInvalid(await this.issues(userId, spec));
    const count = limit ?? PREVIEW_DEFAULT;
    if (!Number.isInteger(count) || count < 1 || count > PREVIEW_MAX)
      throw new AppException(AppErrorCode.BadUserInput, `limit: expected 1 to ${PREVIEW_MAX}`, {
        field: 'limit',
      });
    const plugins = await this.catalog.resolverFor(userId, spec);
    const filterLists = await this.filterListCatalog.resolverFor(await this.filterLists.pinsFor(spec));
    const results = await previewPipeline(this.db.sql, userId, spec, plugins, {
      limit: count,
      days: this.config.REBUILD_HISTORY_DAYS,
      pluginBudgetMs: this.config.PLUGIN_BATCH_BUDGET_MS,
      filterLists,
    });
    return results.map(({ postId, post, result }) => ({
      post: toPostModel(postId, post),
      hidden: result.hidden,
      hiddenReason: result.hiddenReason,
      warnings: result.warn,
      blurs: result.blur,
      decisions: result.decisions,
      seenIn: result.seenIn,
      duplicateOf: result.duplicateOf,
      rankKey: result.rankKey,
    }));
  }

  async create(userId: string, nameInput: string, input: unknown): Promise<Pipeline> {
    const name = this.checkName(nameInput);
    const spec = this.prepareSpec(input, name);
    this.throwIfInvalid(await this.issues(userId, spec));
    const pipeline = await this.lockedForUser(userId, async (tx) => {
      const filterLists = await this.filterLists.pinsFor(spec, tx);
      const count = await tx.pipeline.count({ where: { userId } });
      if (count >= this.config.PIPELINES_PER_USER)
        throw new AppException(
          AppErrorCode.Conflict,
          `at most ${this.config.PIPELINES_PER_USER} pipelines per user; delete one first`,
        );
      await this.refuseTakenName(tx, userId, name, null);
      return tx.pipeline.create({
        data: {
          userId,
          name,
          spec,
          version: 1,
          versions: { create: { version: 1, spec, filterLists } },
          ...REBUILD_QUEUED,
        },
      });
    });
    return this.enqueueRebuild(pipeline);
  }

  /**
   * Renames and/or saves a new spec. A changed spec becomes the next version (kept as a
   * PipelineVersion row) and its timeline is rebuilt by the worker; saving the same spec again
   * changes nothing.
   */
  async update(
    userId: string,
    id: string,
    nameInput: string | null | undefined,
    input: unknown,
  ): Promise<Pipeline> {
    const name = nameInput === null || nameInput === undefined ? null : this.checkName(nameInput);
    const current = await this.find(userId, id);
    if (!current) throw notFound();
    const spec = input === null || input === undefined ? null : this.prepareSpec(input, name ?? current.name);
    if (spec !== null) this.throwIfInvalid(await this.issues(userId, spec));
    const { pipeline, rebuild } = await this.lockedForUser(userId, async (tx) => {
      const row = await tx.pipeline.findFirst({ where: { id, userId } });
      if (!row) throw notFound();
      if (name !== null && name !== row.name) await this.refuseTakenName(tx, userId, name, row.id);
      const changed = spec !== null && !isDeepStrictEqual(spec, row.spec);
      const version = changed ? row.version + 1 : row.version;
      // The filter-list versions the new version runs with: the lists' current ones.
      const filterLists = changed ? await this.filterLists.pinsFor(spec, tx) : {};
      const updated = await tx.pipeline.update({
        where: { id: row.id },
        data: {
          ...(name !== null ? { name } : {}),
          ...(changed
            ? { spec, version, versions: { create: { version, spec, filterLists } }, ...REBUILD_QUEUED }
            : {}),
        },
      });
      if (changed) await pruneVersions(tx, row.id, version, this.config.PIPELINE_VERSIONS_KEPT);
      return { pipeline: updated, rebuild: changed };
    });
    return rebuild ? this.enqueueRebuild(pipeline) : pipeline;
  }

  /**
   * Deletes a pipeline and its timeline. A user always keeps one pipeline, and always has a
   * default: deleting the default needs `newDefault`, another of their pipelines, which becomes
   * the default in the same transaction.
   */
  async delete(userId: string, id: string, newDefault: string | null | undefined): Promise<boolean> {
    if (!isUuid(id)) throw notFound();
    return this.lockedForUser(userId, async (tx) => {
      const row = await tx.pipeline.findFirst({ where: { id, userId } });
      if (!row) throw notFound();
      const count = await tx.pipeline.count({ where: { userId } });
      if (count <= 1)
        throw new AppException(
          AppErrorCode.Conflict,
          'this is your only pipeline; create another one before deleting it',
        );
      if (newDefault !== null && newDefault !== undefined) {
        if (newDefault === id)
          throw new AppException(
            AppErrorCode.BadUserInput,
            'newDefault: must be another pipeline than the deleted one',
            {
              field: 'newDefault',
            },
          );
        const next = isUuid(newDefault)
          ? await tx.pipeline.findFirst({ where: { id: newDefault, userId } })
          : null;
        if (!next)
          throw new AppException(AppErrorCode.NotFound, 'newDefault: pipeline not found', {
            field: 'newDefault',
          });
        await this.makeDefault(tx, userId, next.id);
      } else if (row.isDefault) {
        throw new AppException(
          AppErrorCode.Conflict,
          'this is your default pipeline; pass newDefault (or call setDefaultPipeline first) to choose another',
        );
      }
      await tx.pipeline.delete({ where: { id: row.id } });
      return true;
    });
  }

  async setDefault(userId: string, id: string): Promise<Pipeline> {
    if (!isUuid(id)) throw notFound();
    return this.lockedForUser(userId, async (tx) => {
      const row = await tx.pipeline.findFirst({ where: { id, userId } });
      if (!row) throw notFound();
      return this.makeDefault(tx, userId, row.id);
    });
  }

  private async makeDefault(tx: DbClient, userId: string, id: string): Promise<Pipeline> {
    await tx.pipeline.updateMany({
      where: { userId, isDefault: true, id: { not: id } },
      data: { isDefault: false },
    });
    return tx.pipeline.update({ where: { id }, data: { isDefault: true } });
  }

  /**
   * Runs `work` in a transaction holding the user's row lock: the user's pipeline changes happen
   * one after another (the same lock sign-up's default pipeline is created under, as the row is new).
   */
  private async lockedForUser<T>(userId: string, work: (tx: DbClient) => Promise<T>): Promise<T> {
    try {
      return await withDbErrors(() =>
        this.db.client.$transaction(async (tx) => {
          await tx.$queryRawUnsafe('SELECT 1 FROM "User" WHERE id = $1::uuid FOR UPDATE', userId);
          return work(tx);
        }, USER_LOCK_TX),
      );
    } catch (error) {
      // Only the (userId, name) key can collide here, and the lock makes even that unlikely.
      if (error instanceof DbConflictError)
        throw new AppException(AppErrorCode.Conflict, 'you already have a pipeline with this name');
      throw error;
    }
  }

  private async refuseTakenName(tx: DbClient, userId: string, name: string, except: string | null) {
    const taken = await tx.pipeline.findFirst({
      where: { userId, name, ...(except ? { id: { not: except } } : {}) },
    });
    if (taken)
      throw new AppException(AppErrorCode.Conflict, `you already have a pipeline named "${name}"`, {
        field: 'name',
      });
  }

  /** After the commit: the worker rebuilds the new version; a failure to enqueue is visible on the row. */
  private async enqueueRebuild(pipeline: Pipeline): Promise<Pipeline> {
    try {
      await this.jobs.enqueue('rebuild-timeline', {
        pipelineId: pipeline.id,
        version: pipeline.version,
        userId: pipeline.userId,
      });
      return pipeline;
    } catch {
      await this.db.client.pipeline.updateMany({
        where: { id: pipeline.id, version: pipeline.version },
        data: {
          rebuildState: 'FAILED',
          rebuildError: 'the rebuild could not be queued; save the pipeline again',
        },
      });
      throw new AppException(
        AppErrorCode.UpstreamUnavailable,
        'saved, but the rebuild could not be queued; save again',
      );
    }
  }

  private checkName(input: string): string {
    const name = input.trim();
    if (name.length === 0 || name.length > MAX_NAME)
      throw new AppException(AppErrorCode.BadUserInput, `name: expected 1 to ${MAX_NAME} characters`, {
        field: 'name',
      });
    return name;
  }

  /**
   * The spec as stored: a JSON object within the size limit. Its `name` may be left out (the
   * pipeline's name fills it in); an explicit one is kept.
   */
  private prepareSpec(input: unknown, name: string | null): Prisma.InputJsonObject {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw invalidSpec([{ path: '(root)', message: 'expected a JSON object with "stages"' }]);
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    const max = this.config.PIPELINE_SPEC_MAX_KB * 1024;
    if (bytes > max)
      throw invalidSpec([{ path: '(root)', message: `spec too large (${bytes} bytes, at most ${max})` }]);
    const spec = input as Prisma.InputJsonObject;
    return 'name' in spec ? spec : { name: name ?? 'Preview', ...spec };
  }

  private async issues(userId: string, spec: unknown): Promise<SpecIssue[]> {
    const check = checkPipelineSpec(spec, await describedPlugins(this.db.client, userId));
    return check.valid ? this.filterLists.unknownLists(spec) : check.issues;
  }

  private throwIfInvalid(issues: SpecIssue[]): void {
    if (issues.length > 0) throw invalidSpec(issues);
  }
}

/**
 * Prisma's defaults (2 s to get a connection, 5 s in all) are too short under load, and deleting a
 * pipeline deletes its whole timeline (cascade) inside the transaction.
 */
export const USER_LOCK_TX = { maxWait: 15_000, timeout: 120_000 };

/** Shown until the worker picks the rebuild up. */
const REBUILD_QUEUED = {
  rebuildState: 'RUNNING',
  rebuildDone: 0,
  rebuildTotal: 0,
  rebuildError: null,
} as const;

function notFound(): AppException {
  return new AppException(AppErrorCode.NotFound, 'pipeline not found');
}

function invalidSpec(issues: SpecIssue[]): AppException {
  const first = issues[0]!;
  return new AppException(
    AppErrorCode.BadUserInput,
    `invalid pipeline spec: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    { issues },
  );
}
