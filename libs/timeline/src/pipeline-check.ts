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

/** The `name@version` plugin references of a spec, with the path of each. */
export function pluginReferences(spec: PipelineSpec): { path: string; name: string; version: string }[] {
  const refs: { path: string; name: string; version: string }[] = [];
  spec.stages.forEach((stage, index) => {
    const plugin = PLUGIN_STAGE_PATTERN.exec(stage.use);
    if (plugin) refs.push({ path: `stages[${index}].use`, name: plugin[1]!, version: plugin[2]! });
    const classifier = (stage.with as { classifier?: { plugin?: unknown } } | undefined)?.classifier?.plugin;
    if (stage.use === 'ai-generated' && typeof classifier === 'string') {
      const [name, version] = classifier.split('@') as [string, string];
      refs.push({ path: `stages[${index}].with.classifier.plugin`, name, version });
    }
  });
  return refs;
}

/**
 * Checks a spec for one user. A plugin that is not installed for them is an error here (the engine
 * itself tolerates it, so a pipeline survives a plugin being removed later, per its `onError`).
 */
export function checkPipelineSpec(input: unknown, plugins: PluginResolver): SpecCheck {
  let spec: PipelineSpec;
  try {
    spec = parsePipelineSpec(input);
  } catch (error) {
    if (error instanceof PipelineSpecError) return { valid: false, issues: error.problems.map(toIssue) };
    throw error;
  }
  const issues: SpecIssue[] = pluginReferences(spec)
    .filter((ref) => plugins(ref.name, ref.version) === undefined)
    .map((ref) => ({
      path: ref.path,
      message: `plugin "${ref.name}@${ref.version}" is not installed (upload it, or ask the admin to install it)`,
    }));
  try {
    compilePipeline(input, { plugins });
  } catch (error) {
    if (!(error instanceof PipelineSpecError)) throw error;
    issues.push(...error.problems.map(toIssue));
  }
  return issues.length > 0 ? { valid: false, issues } : { valid: true, spec };
}
