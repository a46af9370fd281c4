import type { Post } from '@tributary/core';
import type { CheckedVerdict, JsonSchema, PluginContext, PluginDefinition } from '@tributary/plugin-sdk';
import { checkFilterOutput, checkScoreOutput } from '@tributary/plugin-sdk';

/** A plugin batch's outcome: checked output, or why it failed (`timeout`, `memory limit`, `threw: …`). */
export type PluginBatchOutcome =
  { ok: true; verdicts: CheckedVerdict[] | null; scores: number[] | null } | { ok: false; error: string };

/** How the engine runs a plugin, trusted (in-process) or sandboxed. */
export interface PluginRunner {
  readonly name: string;
  readonly version: string;
  readonly configSchema: JsonSchema;
  readonly hooks: { filter: boolean; score: boolean };
  /** Never rejects: failures come back as `{ ok: false }`. `config` is already validated. */
  run(posts: readonly Post[], config: unknown, context: PluginContext): Promise<PluginBatchOutcome>;
  /** Frees what the runner holds (a sandboxed plugin's isolate); the runner is unusable afterwards. */
  close?(): Promise<void>;
}

/** Finds the runner for a `plugin:<name>@<version>` stage; undefined when it is not installed. */
export type PluginResolver = (name: string, version: string) => PluginRunner | undefined;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs an admin-installed plugin package in the worker's own process: fastest, no limits, so only
 * for code the instance admin trusts. Exceptions and contract violations become `{ ok: false }`.
 */
export function trustedPlugin<Config>(definition: PluginDefinition<Config>): PluginRunner {
  return {
    name: definition.name,
    version: definition.version,
    configSchema: definition.configSchema,
    hooks: { filter: definition.filter !== undefined, score: definition.score !== undefined },
    run(posts, config, context) {
      try {
        const cfg = config as Config;
        const verdicts = definition.filter
          ? checkFilterOutput(definition.filter(posts, cfg, context), posts.length)
          : null;
        const scores = definition.score
          ? checkScoreOutput(definition.score(posts, cfg, context), posts.length)
          : null;
        return Promise.resolve({ ok: true, verdicts, scores });
      } catch (error) {
        return Promise.resolve({ ok: false, error: `threw: ${describe(error)}` });
      }
    },
  };
}

/** Numeric parts of a version (`1.2.0-beta` → [1, 2, 0]), for ordering. */
function versionParts(version: string): number[] {
  return version
    .split('-')[0]!
    .split('.')
    .map((n) => Number(n));
}

function newer(a: string, b: string): boolean {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/**
 * The plugin a `plugin:name@version` stage means among `plugins` (runners, or stored rows before
 * they are loaded): that exact version (the last one listed, when two share it), or for a partial
 * version (`@1`, `@1.2`) the newest stable release with that prefix, so a pipeline can follow a
 * plugin's compatible updates.
 */
export function pickPlugin<P extends { name: string; version: string }>(
  plugins: readonly P[],
  name: string,
  version: string,
): P | undefined {
  let exact: P | undefined;
  for (const p of plugins) if (p.name === name && p.version === version) exact = p;
  if (exact !== undefined || !/^\d+(?:\.\d+)?$/.test(version)) return exact;
  let best: P | undefined;
  for (const p of plugins) {
    if (p.name !== name || !p.version.startsWith(`${version}.`) || p.version.includes('-')) continue;
    if (best === undefined || !newer(best.version, p.version)) best = p; // the last of equals, as above
  }
  return best;
}

/** A resolver over a fixed list of runners (see {@link pickPlugin}). */
export function pluginResolver(runners: readonly PluginRunner[]): PluginResolver {
  return (name, version) => pickPlugin(runners, name, version);
}
