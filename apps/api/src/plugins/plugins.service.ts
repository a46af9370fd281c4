import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { DbConflictError, PrismaService, withDbErrors } from '@tributary/db';
import type { Plugin } from '@tributary/db';
import { MAX_PLUGIN_SOURCE_BYTES } from '@tributary/pipeline';
import { PluginCatalog, pluginReferences } from '@tributary/timeline';
import { parsePipelineSpec } from '@tributary/pipeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { USER_LOCK_TX } from '../pipelines/pipelines.service.js';
import { PluginKindModel } from './plugin.model.js';
import type { PluginModel } from './plugin.model.js';

const HOUR_MS = 3_600_000;

export function toPluginModel(row: Plugin): PluginModel {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind as PluginKindModel,
    use: `plugin:${row.name}@${row.version}`,
    configSchema: row.configSchema ?? { type: 'object' },
    packageName: row.packageName,
    code: row.kind === 'SANDBOXED' ? row.code : null,
    createdAt: row.createdAt,
  };
}

/** Does a stage's `plugin:name@version` (version possibly partial, `@1`) refer to this plugin row? */
function refersTo(ref: { name: string; version: string }, row: { name: string; version: string }): boolean {
  return ref.name === row.name && (ref.version === row.version || row.version.startsWith(`${ref.version}.`));
}

/**
 * The admin's trusted plugins (visible to all) and each user's own uploads. Uploaded code is
 * checked by running it in the sandbox only: name, version and config schema come from what the
 * code declares there, never from trusting its text.
 */
@Injectable()
export class PluginsService {
  /**
   * Uploads checked per user in the current hour window. Counted in this process, whose sandbox the
   * checks occupy one at a time: unlimited, one user's hostile uploads (each stopped only at the
   * sandbox's time limit) would hold up every other user's uploads and previews here.
   */
  private readonly checks = new LRUCache<string, { count: number; since: number }>({
    max: 100_000,
    ttl: HOUR_MS,
  });

  constructor(
    private readonly db: PrismaService,
    private readonly catalog: PluginCatalog,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  list(userId: string): Promise<Plugin[]> {
    return this.db.client.plugin.findMany({
      where: { OR: [{ ownerId: null, kind: 'TRUSTED' }, { ownerId: userId }] },
      orderBy: [{ kind: 'asc' }, { name: 'asc' }, { version: 'asc' }],
    });
  }

  async upload(userId: string, code: string): Promise<Plugin> {
    if (Buffer.byteLength(code, 'utf8') > MAX_PLUGIN_SOURCE_BYTES)
      throw new AppException(
        AppErrorCode.BadUserInput,
        `code: plugin source is larger than ${MAX_PLUGIN_SOURCE_BYTES / 1024} KiB`,
        { field: 'code' },
      );
    const tooMany = () =>
      new AppException(
        AppErrorCode.Conflict,
        `at most ${this.config.PLUGINS_PER_USER} uploaded plugins per user; delete one first`,
      );
    // Counted before the (slow) sandbox check to spare it, and again under the lock to be exact.
    if ((await this.db.client.plugin.count({ where: { ownerId: userId } })) >= this.config.PLUGINS_PER_USER)
      throw tooMany();
    this.countCheck(userId);
    const check = await this.catalog.inspect(userId, code);
    if (!check.ok)
      throw new AppException(AppErrorCode.BadUserInput, `code: not a usable plugin: ${check.error}`, {
        field: 'code',
      });
    try {
      return await withDbErrors(() =>
        this.db.client.$transaction(async (tx) => {
          // The user's row lock serializes their uploads (limit and name checks included).
          await tx.$queryRawUnsafe('SELECT 1 FROM "User" WHERE id = $1::uuid FOR UPDATE', userId);
          if ((await tx.plugin.count({ where: { ownerId: userId } })) >= this.config.PLUGINS_PER_USER)
            throw tooMany();
          const taken = await tx.plugin.findFirst({
            where: { name: check.name, version: check.version, OR: [{ ownerId: null }, { ownerId: userId }] },
          });
          if (taken)
            throw new AppException(
              AppErrorCode.Conflict,
              taken.ownerId === null
                ? `${check.name}@${check.version} is installed by the admin; choose another name`
                : `you already uploaded ${check.name}@${check.version}; upload a new version instead`,
            );
          return tx.plugin.create({
            data: {
              ownerId: userId,
              kind: 'SANDBOXED',
              name: check.name,
              version: check.version,
              code,
              configSchema: JSON.parse(JSON.stringify(check.configSchema)) as object,
            },
          });
        }, USER_LOCK_TX),
      );
    } catch (error) {
      if (error instanceof DbConflictError)
        throw new AppException(AppErrorCode.Conflict, `you already uploaded ${check.name}@${check.version}`);
      throw error;
    }
  }

  /** Counts one sandbox check of the user's; RATE_LIMITED once the hour's are used up. */
  private countCheck(userId: string): void {
    // The cache forgets a window an hour after it opened (its ttl): no window, a new hour.
    const window = this.checks.get(userId);
    if (window === undefined) {
      this.checks.set(userId, { count: 1, since: Date.now() });
      return;
    }
    const limit = this.config.PLUGIN_UPLOADS_PER_HOUR;
    if (window.count >= limit) {
      const retryAt = new Date(window.since + HOUR_MS).toISOString();
      throw new AppException(
        AppErrorCode.RateLimited,
        `at most ${limit} plugin uploads per hour; try again after ${retryAt}`,
        { retryAt },
      );
    }
    window.count += 1;
  }

  /**
   * Deletes one of the caller's uploads. Refused while a pipeline of theirs uses it and no other
   * installed version would take its place (the pipeline would silently lose the stage).
   */
  async delete(userId: string, id: string): Promise<boolean> {
    const row = isUuid(id) ? await this.db.client.plugin.findFirst({ where: { id, ownerId: userId } }) : null;
    if (!row) {
      const trusted = isUuid(id)
        ? await this.db.client.plugin.findFirst({ where: { id, ownerId: null } })
        : null;
      if (trusted)
        throw new AppException(
          AppErrorCode.Forbidden,
          'trusted plugins are managed by the admin (TRUSTED_PLUGINS)',
        );
      throw new AppException(AppErrorCode.NotFound, 'plugin not found');
    }
    const others = await this.db.client.plugin.findMany({
      where: { name: row.name, id: { not: row.id }, OR: [{ ownerId: null }, { ownerId: userId }] },
      select: { name: true, version: true },
    });
    const users: string[] = [];
    for (const pipeline of await this.db.client.pipeline.findMany({ where: { userId } })) {
      let refs: { name: string; version: string }[];
      try {
        refs = pluginReferences(parsePipelineSpec(pipeline.spec));
      } catch {
        continue; // a spec that no longer parses runs nothing
      }
      if (refs.some((ref) => refersTo(ref, row) && !others.some((other) => refersTo(ref, other))))
        users.push(pipeline.name);
    }
    if (users.length > 0)
      throw new AppException(
        AppErrorCode.Conflict,
        `plugin ${row.name}@${row.version} is used by: ${users.join(', ')}; remove it from these pipelines first`,
        { pipelines: users },
      );
    await this.db.client.plugin.delete({ where: { id: row.id } });
    await this.catalog.forget(row.id);
    return true;
  }
}
