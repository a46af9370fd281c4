import { z } from 'zod';
import { SchemaPatternError, schemaPatterns } from './config-patterns.js';
import type { JsonSchema } from './plugin.js';
import { PluginContractError } from './plugin.js';

/** A zod issue path as people write it: `stages[3].with.halfLifeHours`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

// Validators by schema object: a plugin's schema is one object for as long as its runner lives, and
// a pipeline compiles each of its plugin stages (64 stages of one plugin compiled its schema 64
// times, each time a spec was validated, previewed or rebuilt).
const compiled = new WeakMap<object, z.ZodType | PluginContractError>();

/**
 * Turns a plugin's JSON Schema into a validator; throws {@link PluginContractError} if unsupported.
 * Its `pattern`s run on RE2 in linear time (config-patterns.ts), never on V8. The schema is treated
 * as immutable: one object is compiled once.
 */
export function compileConfigSchema(schema: JsonSchema): z.ZodType {
  const known = typeof schema === 'object' && schema !== null ? compiled.get(schema) : undefined;
  if (known instanceof PluginContractError) throw known;
  if (known !== undefined) return known;
  let result: z.ZodType | PluginContractError;
  try {
    const patterns = schemaPatterns(schema);
    const base = z.fromJSONSchema(patterns.stripped as Parameters<typeof z.fromJSONSchema>[0]);
    result = base.superRefine((value, ctx) => {
      for (const problem of patterns.check(value)) ctx.addIssue({ code: 'custom', ...problem });
    });
  } catch (error) {
    result =
      error instanceof SchemaPatternError
        ? new PluginContractError(`configSchema${error.path}: ${error.message}`)
        : new PluginContractError(`configSchema: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof schema === 'object' && schema !== null) compiled.set(schema, result);
  if (result instanceof PluginContractError) throw result;
  return result;
}

/** Result of checking a stage's `with` object against a plugin's schema: the config with defaults, or `path: message` lines. */
export type ConfigCheck = { ok: true; config: unknown } | { ok: false; problems: string[] };

/**
 * Validates `config` (undefined means `{}`) against a plugin's configuration schema; problem
 * paths are prefixed with `prefix` (e.g. `stages[9].with`).
 */
export function checkPluginConfig(schema: z.ZodType, config: unknown, prefix = 'with'): ConfigCheck {
  const result = schema.safeParse(config ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = formatPath([...issue.path]);
      return `${path === '' ? prefix : `${prefix}.${path}`}: ${issue.message}`;
    }),
  };
}
