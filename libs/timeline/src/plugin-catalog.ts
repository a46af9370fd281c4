import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { watchSandboxRestarts } from '@tributary/metrics';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService } from '@tributary/db';
import type { Plugin } from '@tributary/db';
import {
  SandboxPool,
  parsePipelineSpec,
  pickPlugin,
  pluginResolver,
  sandboxedPlugin,
  trustedPlugin,
  validatePluginSource,
} from '@tributary/pipeline';
import type { PluginResolver, PluginRunner, PluginSourceCheck } from '@tributary/pipeline';
import type { PluginDefinition } from '@tributary/plugin-sdk';
import { pluginReferences } from './pipeline-check.js';

/** The plugins a spec names; none when it is not a valid spec (it will not compile anyway). */
function referencedPlugins(spec: unknown): { name: string; version: string }[] {
  try {
    return pluginReferences(parsePipelineSpec(spec));
  } catch {
    return [];
  }
}

/** What the catalog reads of a plugin row to choose it (the code only once it loads it). */
type PluginChoice = Pick<Plugin, 'id' | 'ownerId' | 'name' | 'version' | 'kind'>;

/**
 * The plugins a pipeline runs: the admin's TRUSTED packages (no owner) and the user's own
 * SANDBOXED uploads, each loaded only once a spec names it (an upload no pipeline uses holds no
 * isolate). Runners are made once per plugin row (a row's code never changes; a new upload is a
 * new version) and kept for the process; uploaded code runs in its owner's sandbox process
 * (SandboxPool), started on first use and closed on shutdown. A plugin that cannot be loaded is left out,
 * so its stages fail as "not installed" and their `onError` applies.
 */
@Injectable()
export class PluginCatalog implements OnApplicationShutdown {
  private readonly logger = new Logger(PluginCatalog.name);
  private readonly runners = new Map<string, Promise<PluginRunner | null>>();
  /** Owner of each cached runner's row (null: trusted), to drop runners of deleted rows. */
  private readonly owners = new Map<string, string | null>();
  private readonly sandboxes: SandboxPool;

  constructor(
    private readonly db: PrismaService,
    @Inject(CONFIG) config: Config,
  ) {
    const sandboxes = new SandboxPool({
      timeLimitMs: config.PLUGIN_CPU_MS,
      memoryLimitMb: config.PLUGIN_MEMORY_MB,
      maxProcesses: config.PLUGIN_SANDBOX_PROCESSES,
    });
    watchSandboxRestarts(() => sandboxes.restarts);
    this.sandboxes = sandboxes;
  }

  /** The runners of the plugins `spec` (a pipeline spec of `userId`'s, valid or not) names. */
  async resolverFor(userId: string, spec: unknown): Promise<PluginResolver> {
    const rows: PluginChoice[] = await this.db.client.plugin.findMany({
      where: { OR: [{ ownerId: null }, { ownerId: userId }] },
      select: { id: true, ownerId: true, name: true, version: true, kind: true },
      // Of two rows with one name@version the last is picked: a trusted plugin wins over an upload.
      orderBy: { kind: 'desc' },
    });
    // Rows deleted since (an upload removed in the API, a trusted package unlisted) free their
    // isolates here: the worker hears of a deletion only through this query.
    const present = new Set(rows.map((row) => row.id));
    for (const [id, owner] of this.owners)
      if ((owner === null || owner === userId) && !present.has(id)) await this.forget(id);
    const chosen = new Set<PluginChoice>();
    for (const ref of referencedPlugins(spec)) {
      const row = pickPlugin(rows, ref.name, ref.version);
      if (row !== undefined) chosen.add(row);
    }
    const runners = await Promise.all([...chosen].map((row) => this.runner(row)));
    return pluginResolver(runners.filter((r): r is PluginRunner => r !== null));
  }

  /**
   * Checks code `userId` uploads in their sandbox without keeping it loaded: its manifest, or why
   * it cannot be a plugin (syntax, contract, a loop or memory bomb while loading, size).
   */
  inspect(userId: string, code: string): Promise<PluginSourceCheck> {
    return validatePluginSource(code, this.sandboxes.for(userId));
  }

  /** Drops a deleted plugin's runner (and frees its isolate) in this process. */
  async forget(pluginId: string): Promise<void> {
    const runner = this.runners.get(pluginId);
    this.runners.delete(pluginId);
    this.owners.delete(pluginId);
    await (await runner)?.close?.();
  }

  private runner(row: PluginChoice): Promise<PluginRunner | null> {
    let runner = this.runners.get(row.id);
    if (!runner) {
      runner = this.load(row).catch((error: unknown) => {
        this.logger.warn(
          `plugin ${row.name}@${row.version} (${row.id}) not loaded: ${(error as Error).message}`,
        );
        return null;
      });
      this.runners.set(row.id, runner);
      this.owners.set(row.id, row.ownerId);
    }
    return runner;
  }

  private async load(choice: PluginChoice): Promise<PluginRunner> {
    const row = await this.db.client.plugin.findUnique({ where: { id: choice.id } });
    if (!row) throw new Error('deleted meanwhile');
    if (row.kind === 'SANDBOXED') {
      if (!row.code || !row.ownerId) throw new Error('no code or owner stored');
      return sandboxedPlugin(this.sandboxes.for(row.ownerId), row.code);
    }
    if (!row.packageName) throw new Error('no package name stored');
    // An installed package exporting the definition (e.g. `export const myPlugin = definePlugin(…)`).
    const exports = (await import(row.packageName)) as Record<string, unknown>;
    const definition = Object.values(exports).find(
      (value): value is PluginDefinition<unknown> =>
        typeof value === 'object' &&
        value !== null &&
        (value as PluginDefinition<unknown>).name === row.name &&
        (value as PluginDefinition<unknown>).version === row.version,
    );
    if (!definition)
      throw new Error(`package ${row.packageName} exports no plugin ${row.name}@${row.version}`);
    return trustedPlugin(definition);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandboxes.close();
    this.runners.clear();
    this.owners.clear();
  }
}
