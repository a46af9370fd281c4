import { DEFAULT_BATCH_BUDGET_CALLS, configSchema } from './config.schema.js';
import type { Config } from './config.schema.js';

/** A configuration that cannot start the service; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates the environment once at boot. Empty strings count as unset so `.env` files with
 * `FOO=` fall back to defaults instead of failing on an empty value.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(configSchema.shape);
  const input = Object.fromEntries(known.map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = input[name];
        const shown = value === undefined ? 'missing' : `got ${JSON.stringify(value)}`;
        return `${name}: ${issue.message} (${shown})`;
      }),
    );
  }
  const config = parsed.data;
  return {
    ...config,
    PLUGIN_BATCH_BUDGET_MS:
      config.PLUGIN_BATCH_BUDGET_MS ?? DEFAULT_BATCH_BUDGET_CALLS * config.PLUGIN_CPU_MS,
  };
}
