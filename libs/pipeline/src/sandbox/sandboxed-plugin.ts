import type { Post } from '@tributary/core';
import type { JsonSchema, PluginPostField } from '@tributary/plugin-sdk';
import {
  PLUGIN_POST_FIELDS,
  checkFilterOutput,
  checkScoreOutput,
  compileConfigSchema,
  describeDefinitionProblem,
  projectPost,
} from '@tributary/plugin-sdk';
import type { PluginBatchOutcome, PluginRunner } from '../plugin-runner.js';
import { PluginSandbox } from './plugin-sandbox.js';

/** Uploaded code larger than this is refused before it reaches the sandbox. */
export const MAX_PLUGIN_SOURCE_BYTES = 256 * 1024;
/** Posts per sandbox call: large enough to amortize the call, small enough for one time limit. */
export const SANDBOX_CHUNK = 100;

/** What an uploaded plugin declares, as found by running its code in the sandbox. */
export interface PluginManifest {
  name: string;
  version: string;
  configSchema: JsonSchema;
  /** The post fields the plugin receives. */
  fields: PluginPostField[];
  hooks: { filter: boolean; score: boolean };
}

export type PluginSourceCheck = ({ ok: true } & PluginManifest) | { ok: false; error: string };

function manifestFrom(metaJson: string): PluginSourceCheck {
  let meta: {
    name?: unknown;
    version?: unknown;
    configSchema?: unknown;
    fields?: unknown;
    filter?: unknown;
    score?: unknown;
  };
  try {
    meta = JSON.parse(metaJson) as typeof meta;
  } catch {
    return { ok: false, error: 'the plugin definition is not serializable' };
  }
  const noop = (): never[] => [];
  const problem = describeDefinitionProblem({
    name: meta.name,
    version: meta.version,
    configSchema: meta.configSchema,
    fields: meta.fields,
    filter: meta.filter === true ? noop : undefined,
    score: meta.score === true ? noop : undefined,
  });
  if (problem !== null) return { ok: false, error: problem };
  const configSchema = meta.configSchema as JsonSchema;
  try {
    compileConfigSchema(configSchema);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return {
    ok: true,
    name: meta.name as string,
    version: meta.version as string,
    configSchema,
    fields: (meta.fields as PluginPostField[] | undefined) ?? [...PLUGIN_POST_FIELDS],
    hooks: { filter: meta.filter === true, score: meta.score === true },
  };
}

let loadSeq = 0;

/**
 * Checks uploaded plugin code without trusting it: size, then evaluation in the sandbox (syntax
 * errors, a missing or invalid `definePlugin({ … })`, loops and memory bombs at load time) and the
 * declared name, version and config schema. Returns the manifest to store, or a clear error.
 * Uses `sandbox` when given, else a temporary one.
 */
export async function validatePluginSource(
  code: unknown,
  sandbox?: PluginSandbox,
): Promise<PluginSourceCheck> {
  const box = sandbox ?? new PluginSandbox();
  const key = `validate:${++loadSeq}`;
  try {
    const loaded = await loadChecked(box, key, code);
    return loaded.check;
  } finally {
    if (sandbox === undefined) await box.close();
    else await box.unload(key);
  }
}

/** Loads code under `key` and checks its manifest; the plugin stays loaded only when it is valid. */
async function loadChecked(
  sandbox: PluginSandbox,
  key: string,
  code: unknown,
): Promise<{ check: PluginSourceCheck }> {
  if (typeof code !== 'string' || code.trim() === '')
    return { check: { ok: false, error: 'expected the plugin source code as text' } };
  if (Buffer.byteLength(code, 'utf8') > MAX_PLUGIN_SOURCE_BYTES) {
    return {
      check: { ok: false, error: `plugin source is larger than ${MAX_PLUGIN_SOURCE_BYTES / 1024} KiB` },
    };
  }
  const loaded = await sandbox.load(key, code);
  if (!loaded.ok) return { check: { ok: false, error: loaded.error } };
  const check = manifestFrom(loaded.value);
  if (!check.ok) await sandbox.unload(key);
  return { check };
}

/** Uploaded code that cannot be used as a plugin; `message` says why. */
export class PluginSourceError extends Error {
  override readonly name = 'PluginSourceError';
}

// Posts are copied into the sandbox as JSON of their plugin view (projectPost: the declared fields,
// never `raw`), one JSON array per chunk. Not cached per post: a batch's posts are new objects
// (read from the database for that batch), and a WeakMap entry per post cost more in garbage
// collection than the rare reuse saved.
function serializer(
  fields: readonly PluginPostField[],
): (posts: readonly Post[], from: number, to: number) => string {
  return (posts, from, to) => {
    let out = '[';
    for (let i = from; i < to; i++) {
      const json = JSON.stringify(projectPost(posts[i]!, fields));
      out += i === from ? json : `,${json}`;
    }
    return `${out}]`;
  };
}

/**
 * Loads uploaded code into the sandbox and returns a runner for the pipeline engine. A batch goes
 * to the sandbox in one message, as plugin calls of at most {@link SANDBOX_CHUNK} posts, each with
 * the sandbox's time and memory limits; any
 * failure becomes `{ ok: false, error }` (the stage's `onError` decides what happens). Throws
 * {@link PluginSourceError} when the code is not a valid plugin.
 */
export async function sandboxedPlugin(sandbox: PluginSandbox, code: string): Promise<PluginRunner> {
  const key = `plugin:${++loadSeq}`;
  const { check } = await loadChecked(sandbox, key, code);
  if (!check.ok) throw new PluginSourceError(`invalid plugin: ${check.error}`);
  const serialize = serializer(check.fields);
  return {
    name: check.name,
    version: check.version,
    configSchema: check.configSchema,
    hooks: check.hooks,
    close: () => sandbox.unload(key),
    async run(posts, config, context): Promise<PluginBatchOutcome> {
      const configJson = JSON.stringify(config ?? {});
      const contextJson = JSON.stringify(context);
      const verdicts = check.hooks.filter ? new Array<ReturnType<typeof checkFilterOutput>[number]>() : null;
      const scores = check.hooks.score ? new Array<number>() : null;
      const chunks: string[] = [];
      for (let from = 0; from < posts.length; from += SANDBOX_CHUNK)
        chunks.push(serialize(posts, from, Math.min(posts.length, from + SANDBOX_CHUNK)));
      const reply = await sandbox.run(key, chunks, configJson, contextJson);
      if (!reply.ok) return { ok: false, error: reply.error };
      try {
        reply.value.forEach((json, c) => {
          const count = Math.min(SANDBOX_CHUNK, posts.length - c * SANDBOX_CHUNK);
          const out = JSON.parse(json) as { f?: unknown; s?: unknown };
          if (verdicts !== null) verdicts.push(...checkFilterOutput(out.f, count));
          if (scores !== null) scores.push(...checkScoreOutput(out.s, count));
        });
      } catch (error) {
        return { ok: false, error: `bad output: ${(error as Error).message}` };
      }
      return { ok: true, verdicts, scores };
    },
  };
}
