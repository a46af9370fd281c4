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
/**
 * The largest config schema an upload may declare, as JSON. Compiling one takes the host's main
 * thread ~3 µs per byte, and a few bytes of code can declare megabytes (an object nested under two
 * keys, level after level); a plugin's settings need a few KiB.
 */
export const MAX_CONFIG_SCHEMA_BYTES = 32 * 1024;
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
  if (Buffer.byteLength(JSON.stringify(configSchema), 'utf8') > MAX_CONFIG_SCHEMA_BYTES)
    return { ok: false, error: `configSchema: larger than ${MAX_CONFIG_SCHEMA_BYTES / 1024} KiB of JSON` };
  if (!storable(configSchema))
    return { ok: false, error: 'configSchema: text with NUL characters or lone surrogates cannot be stored' };
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

/** Whether every string in a JSON value (keys too) can be stored: PostgreSQL refuses NUL and lone surrogates. */
function storable(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\0') && value.isWellFormed();
  if (typeof value !== 'object' || value === null) return true;
  return Object.entries(value).every(([key, item]) => storable(key) && storable(item));
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
  // Stored as text once accepted: PostgreSQL refuses a NUL, and would store a lone surrogate as U+FFFD.
  if (code.includes('\0'))
    return {
      check: { ok: false, error: 'the code contains NUL characters (write \\0 in a string instead)' },
    };
  if (!code.isWellFormed())
    return {
      check: { ok: false, error: 'the code contains lone surrogates (write \\uD800 in a string instead)' },
    };
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
//
// Each chunk is kept a small one-byte string. Strings and buffers of 128 KiB or more take fresh
// memory each time (V8's large-object space, malloc's mmap), which costs page faults (~20 µs each
// on a VM) in both processes at every copy: the IPC message, the child's read buffer and strings,
// the copy into the isolate. One character above U+00FF makes V8 store the whole chunk with two
// bytes a character, so those characters are sent as JSON escapes (\uXXXX), which the isolate's
// JSON.parse turns back into the same string; and a chunk of long posts ends early, after
// CHUNK_CHARS characters. For a plugin taking all post fields (~680 bytes of JSON a post, some
// with Japanese or emoji) this cut the CPU per post of the two processes by about 3×.

/** A chunk of posts ends once its JSON is this long (a chunk ends after SANDBOX_CHUNK posts anyway). */
const CHUNK_CHARS = 96 * 1024;
const WIDE = /[\u0100-\uffff]/;
const WIDE_ALL = /[\u0100-\uffff]/g;
const escapeWide = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON with every character above U+00FF escaped, as a one-byte string. */
function oneByteJson(json: string): string {
  if (!WIDE.test(json)) return json;
  // replace() keeps the two-byte storage even when no wide character is left; latin1 rebuilds it.
  return Buffer.from(json.replace(WIDE_ALL, escapeWide), 'latin1').toString('latin1');
}

interface Chunks {
  /** JSON arrays of post views, one per plugin call. */
  json: string[];
  /** How many posts each chunk holds. */
  counts: number[];
}

function serializer(fields: readonly PluginPostField[]): (posts: readonly Post[]) => Chunks {
  return (posts) => {
    const chunks: Chunks = { json: [], counts: [] };
    let out = '';
    let count = 0;
    for (const post of posts) {
      const json = oneByteJson(JSON.stringify(projectPost(post, fields)));
      out = count === 0 ? `[${json}` : `${out},${json}`;
      count += 1;
      if (count === SANDBOX_CHUNK || out.length >= CHUNK_CHARS) {
        chunks.json.push(`${out}]`);
        chunks.counts.push(count);
        count = 0;
      }
    }
    if (count > 0) {
      chunks.json.push(`${out}]`);
      chunks.counts.push(count);
    }
    return chunks;
  };
}

/**
 * Loads uploaded code into the sandbox and returns a runner for the pipeline engine. A batch goes
 * to the sandbox in one message, as plugin calls of at most {@link SANDBOX_CHUNK} posts (fewer when
 * their JSON is long), each with the sandbox's time and memory limits; any
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
    async run(posts, config, context, usage): Promise<PluginBatchOutcome> {
      const configJson = JSON.stringify(config ?? {});
      const contextJson = JSON.stringify(context);
      const verdicts = check.hooks.filter ? new Array<ReturnType<typeof checkFilterOutput>[number]>() : null;
      const scores = check.hooks.score ? new Array<number>() : null;
      const chunks = serialize(posts);
      const reply = await sandbox.run(key, chunks.json, configJson, contextJson);
      // A failure may have run up to the limit (a timeout does): it counts as the limit.
      if (usage) usage.ms += reply.ok ? reply.cpuMs : sandbox.timeLimitMs;
      if (!reply.ok) return { ok: false, error: reply.error };
      try {
        reply.value.forEach((json, c) => {
          const count = chunks.counts[c]!;
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
