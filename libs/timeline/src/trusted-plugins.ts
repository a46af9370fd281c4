// How an admin installs a trusted plugin: `npm install` the package, list it in TRUSTED_PLUGINS,
// restart. At start every process registers the packages' plugins as TRUSTED Plugin rows (the
// catalog loads TRUSTED rows by package name) and removes TRUSTED rows no longer listed, so the
// variable is the one source of truth and users see exactly what is installed.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { describeDefinitionProblem } from '@tributary/plugin-sdk';
import type { PluginDefinition } from '@tributary/plugin-sdk';

/** A listed package that cannot be loaded, or exports no plugin: the admin's setup is wrong. */
export class TrustedPluginError extends Error {
  override readonly name = 'TrustedPluginError';
}

export interface TrustedPlugin {
  packageName: string;
  definition: PluginDefinition<unknown>;
}

type Importer = (packageName: string) => Promise<Record<string, unknown>>;

/** Every plugin definition the packages export (a package may export several). */
export async function loadTrustedPlugins(
  packageNames: readonly string[],
  importer: Importer = (name) => import(name) as Promise<Record<string, unknown>>,
): Promise<TrustedPlugin[]> {
  const plugins: TrustedPlugin[] = [];
  for (const packageName of new Set(packageNames)) {
    let exports: Record<string, unknown>;
    try {
      exports = await importer(packageName);
    } catch (error) {
      throw new TrustedPluginError(
        `TRUSTED_PLUGINS: cannot load package "${packageName}": ${(error as Error).message}`,
      );
    }
    const found = Object.values(exports).filter(
      (value): value is PluginDefinition<unknown> =>
        typeof value === 'object' && value !== null && describeDefinitionProblem(value) === null,
    );
    if (found.length === 0)
      throw new TrustedPluginError(
        `TRUSTED_PLUGINS: package "${packageName}" exports no plugin (definePlugin)`,
      );
    for (const definition of found) {
      const twin = plugins.find(
        (p) => p.definition.name === definition.name && p.definition.version === definition.version,
      );
      if (twin)
        throw new TrustedPluginError(
          `TRUSTED_PLUGINS: ${definition.name}@${definition.version} is exported by both "${twin.packageName}" and "${packageName}"`,
        );
      plugins.push({ packageName, definition });
    }
  }
  return plugins;
}

/**
 * Makes the TRUSTED rows match `plugins`: adds new ones, updates package and schema of existing
 * ones, deletes the rest. Idempotent, and serialized by an advisory lock because every process
 * (API and workers) runs it at start.
 */
export async function syncTrustedPlugins(
  db: PrismaClient,
  plugins: readonly TrustedPlugin[],
): Promise<{ added: number; removed: number }> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('tributary:trusted-plugins'))`);
      const existing = await tx.plugin.findMany({ where: { kind: 'TRUSTED' } });
      const keep: string[] = [];
      let added = 0;
      for (const { packageName, definition } of plugins) {
        const row = existing.find((r) => r.name === definition.name && r.version === definition.version);
        const data = {
          packageName,
          configSchema: JSON.parse(JSON.stringify(definition.configSchema)) as object,
        };
        if (row) {
          await tx.plugin.update({ where: { id: row.id }, data });
          keep.push(row.id);
        } else {
          const created = await tx.plugin.create({
            data: { ...data, name: definition.name, version: definition.version, kind: 'TRUSTED' },
          });
          keep.push(created.id);
          added += 1;
        }
      }
      const removed = await tx.plugin.deleteMany({ where: { kind: 'TRUSTED', id: { notIn: keep } } });
      return { added, removed: removed.count };
    },
    // At start-up under load (API and worker together, a busy pool) Prisma's 2 s default was too short.
    { maxWait: 30_000, timeout: 60_000 },
  );
}

/** Registers TRUSTED_PLUGINS when the app starts; a package that cannot be loaded stops the start. */
@Injectable()
export class TrustedPluginInstaller implements OnApplicationBootstrap {
  private readonly logger = new Logger(TrustedPluginInstaller.name);

  constructor(
    private readonly db: PrismaService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const plugins = await loadTrustedPlugins(this.config.TRUSTED_PLUGINS);
    const { added, removed } = await syncTrustedPlugins(this.db.client, plugins);
    if (added > 0 || removed > 0)
      this.logger.log(`trusted plugins: ${added} registered, ${removed} removed (TRUSTED_PLUGINS)`);
  }
}
