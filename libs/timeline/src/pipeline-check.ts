// Validation of a user's pipeline spec against what that user can run: the spec's own rules
// (libs/pipeline, path-named) plus whether each plugin it names is installed for them and accepts
// its `with`. Uses the stored plugin rows only: no uploaded code runs to validate a spec.
import type { DbClient } from '@tributary/db';
import {
  compilePipeline,
  parsePipelineSpec,
  pluginResolver,
  PLUGIN_STAGE_PATTERN,
  PipelineSpecError,
} from '@tributary/pipeline';
import type { PipelineSpec, PluginResolver, PluginRunner } from '@tributary/pipeline';
import type { JsonSchema } from '@tributary/plugin-sdk';

/** One problem of a spec: where (`stages[3].with.halfLifeHours`, `(root)`) and what. */
export interface SpecIssue {
  path: string;
  message: string;
}

export type SpecCheck = { valid: true; spec: PipelineSpec } | { valid: false; issues: SpecIssue[] };

/** `stages[3].with.halfLifeHours: expected a positive number` → path and message. */
export function toIssue(problem: string): SpecIssue {
  const at = problem.indexOf(': ');
  return at < 0
    ? { path: '(root)', message: problem }
    : { path: problem.slice(0, at), message: problem.slice(at + 2) };
}

/**
 * The plugins `userId` may use (the admin's trusted ones and their own uploads) as runners that
 * only describe them: enough to resolve names and check configs, never run.
 */
export async function describedPlugins(db: DbClient, userId: string): Promise<PluginResolver> {
  const rows = await db.plugin.findMany({
    where: { OR: [{ ownerId: null }, { ownerId: userId }] },
    select: { name: true, version: true, configSchema: true },
  });
  const runners = rows.map((row): PluginRunner => ({
    name: row.name,
    version: row.version,
    configSchema: (row.configSchema ?? { type: 'object' }) as JsonSchema,
    hooks: { filter: true, score: true },
    run: () => Promise.resolve({ ok: false, error: 'not runnable: validation only' }),
  }));
  return pluginResolver(runners);
}

/**
 * The `name@version` plugin references of a spec, with the path of each. Read from the input as
 * given, valid or not, so that a plugin missing is named beside the spec's other problems.
 */
export function pluginReferences(spec: unknown): { path: string; name: string; version: string }[] {
  const refs: { path: string; name: string; version: string }[] = [];
  const stages = (spec as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) return refs;
  stages.forEach((stage: unknown, index) => {
    const { use, with: config } = (stage ?? {}) as { use?: unknown; with?: unknown };
    if (typeof use !== 'string') return;
    const plugin = PLUGIN_STAGE_PATTERN.exec(use.trim());
    if (plugin) refs.push({ path: `stages[${index}].use`, name: plugin[1]!, version: plugin[2]! });
    const classifier = (config as { classifier?: { plugin?: unknown } } | undefined)?.classifier?.plugin;
    if (use.trim() === 'ai-generated' && typeof classifier === 'string' && classifier.includes('@')) {
      const [name, version] = classifier.split('@') as [string, string];
      refs.push({ path: `stages[${index}].with.classifier.plugin`, name, version });
    }
  });
  return refs;
}

/**
 * Checks a spec for one user: every problem at once, the spec's own and the plugins it names that
 * are not installed for them (an error here; the engine itself tolerates it, so a pipeline
 * survives a plugin being removed later, per its `onError`). The `with` of installed plugins is
 * checked once the rest of the spec is valid (it needs the compiled spec).
 */
export function checkPipelineSpec(input: unknown, plugins: PluginResolver): SpecCheck {
  const issues: SpecIssue[] = [];
  let spec: PipelineSpec | null = null;
  try {
    spec = parsePipelineSpec(input);
  } catch (error) {
    if (!(error instanceof PipelineSpecError)) throw error;
    issues.push(...error.problems.map(toIssue));
  }
  for (const ref of pluginReferences(input)) {
    if (plugins(ref.name, ref.version) === undefined)
      issues.push({
        path: ref.path,
        message: `plugin "${ref.name}@${ref.version}" is not installed (upload it, or ask the admin to install it)`,
      });
  }
  if (spec === null) return { valid: false, issues };
  try {
    compilePipeline(input, { plugins });
  } catch (error) {
    if (!(error instanceof PipelineSpecError)) throw error;
    issues.push(...error.problems.map(toIssue));
  }
  return issues.length > 0 ? { valid: false, issues } : { valid: true, spec };
}
