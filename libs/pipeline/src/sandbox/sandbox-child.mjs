// The sandbox process: runs uploaded plugin code in isolated-vm isolates, one per plugin, each
// with its own heap limit. It is a separate process (started by sandbox-host.ts with
// --no-node-snapshot, an empty environment and the IPC channel only) so that nothing a plugin
// does — an isolate overrunning its heap, a crash in native code — can take the worker down.
// Plain JavaScript so it starts with a bare `node`, without a TypeScript loader.
import ivm from 'isolated-vm';

// Evaluated in each isolate before the plugin, strict so that no stack frame hands out a function.
//
// First it takes away what allocates outside the isolate's heap, which isolated-vm's memoryLimit
// does not count (see plugin-sandbox.spec.ts, "memory outside the heap"): WebAssembly memories,
// resizable ArrayBuffers and growable SharedArrayBuffers (committed page by page, not through the
// counted allocator) and Intl objects (ICU's memory: ~7 KB each for a Segmenter, so the heap limit
// let 400,000 of them take 2.7 GB). Deleting a global loses its only reference; ArrayBuffer stays,
// replaced everywhere it can be reached (global, prototype.constructor) by a constructor that
// refuses { maxByteLength } and passes only the length on, so the original is out of reach.
//
// Then it captures JSON and the definition in a closure so plugin code that overwrites globals can
// only break its own output (which the host checks).
const BOOTSTRAP = `(() => {
  'use strict';
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Intl']) delete globalThis[name];
  const NativeArrayBuffer = globalThis.ArrayBuffer, construct = Reflect.construct;
  const ArrayBuffer = function ArrayBuffer(length) {
    if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
    const options = arguments[1];
    if (typeof options === 'object' && options !== null && options.maxByteLength !== undefined)
      throw new TypeError('resizable ArrayBuffers are not available to plugins');
    return construct(NativeArrayBuffer, [length], new.target);
  };
  Object.defineProperty(ArrayBuffer, 'prototype', { value: NativeArrayBuffer.prototype, writable: false });
  Object.defineProperty(ArrayBuffer, 'isView', Object.getOwnPropertyDescriptor(NativeArrayBuffer, 'isView'));
  Object.defineProperty(ArrayBuffer, Symbol.species, Object.getOwnPropertyDescriptor(NativeArrayBuffer, Symbol.species));
  Object.defineProperty(NativeArrayBuffer.prototype, 'constructor', { value: ArrayBuffer, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'ArrayBuffer', { value: ArrayBuffer, writable: true, configurable: true });
  const parse = JSON.parse, stringify = JSON.stringify;
  let definition = null;
  globalThis.definePlugin = (d) => {
    if (definition !== null) throw new Error('definePlugin was called more than once');
    if (typeof d !== 'object' || d === null) throw new Error('definePlugin expects an object');
    definition = d;
    return d;
  };
  const meta = () => {
    if (definition === null) throw new Error('the code never called definePlugin({ ... })');
    return stringify({
      name: definition.name, version: definition.version, configSchema: definition.configSchema,
      fields: definition.fields, filter: typeof definition.filter === 'function', score: typeof definition.score === 'function',
    });
  };
  const run = (postsJson, configJson, contextJson) => {
    const posts = parse(postsJson), config = parse(configJson), context = parse(contextJson);
    const out = {};
    if (typeof definition.filter === 'function') out.f = definition.filter(posts, config, context);
    if (typeof definition.score === 'function') out.s = definition.score(posts, config, context);
    return stringify(out);
  };
  return { meta, run };
})()`;

// What one call may return: 100 verdicts with long reasons are ~30 KB. More would only be copied to
// the worker (which parses it) to be cut there.
const MAX_OUTPUT_CHARS = 1024 * 1024;
// What a definition (name, version, configSchema, fields) may come to as JSON. Its config schema is
// parsed and compiled in the API's and worker's main threads: 200 bytes of code that nest one object
// under two keys 17 times declared a 7.7 MB schema, which took the API 10 s and 1 GB to accept
// (sandboxed-plugin.ts refuses a schema over 32 KiB; this spares the host a larger JSON at all).
const MAX_DEFINITION_CHARS = 64 * 1024;

/** @type {Map<string, { code: string, memoryMb: number, isolate: import('isolated-vm').Isolate | null, run: import('isolated-vm').Reference | null }>} */
const plugins = new Map();

// Process CPU since the previous reply was sent: a run's figure includes reading its message, which
// for large batches costs more than the plugin calls, and sending the previous run's reply.
let cpuMark = process.cpuUsage();

function describe(error) {
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message) || /Isolate is disposed/i.test(message)) return 'memory limit';
  if (/timed out/i.test(message)) return 'timeout';
  const name = error instanceof Error && error.name ? error.name : 'Error';
  return `threw: ${name}: ${message}`.slice(0, 300);
}

/** Creates the isolate and evaluates the plugin code; returns its metadata JSON. */
function instantiate(entry, loadTimeoutMs) {
  const isolate = new ivm.Isolate({ memoryLimit: entry.memoryMb });
  try {
    const context = isolate.createContextSync();
    const api = isolate.compileScriptSync(BOOTSTRAP).runSync(context, { timeout: 1000, reference: true });
    const script = isolate.compileScriptSync(entry.code, { filename: 'plugin.js' });
    script.runSync(context, { timeout: loadTimeoutMs });
    const metaJson = api
      .getSync('meta', { reference: true })
      .applySync(undefined, [], { timeout: loadTimeoutMs });
    entry.isolate = isolate;
    entry.run = api.getSync('run', { reference: true });
    return metaJson;
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

function handle(message) {
  const { id, type } = message;
  try {
    if (type === 'load') {
      const entry = { code: message.code, memoryMb: message.memoryMb, isolate: null, run: null };
      plugins.get(message.key)?.isolate?.dispose();
      const meta = instantiate(entry, message.timeLimitMs);
      if (meta.length > MAX_DEFINITION_CHARS) {
        entry.isolate.dispose();
        return {
          id,
          ok: false,
          error: `the plugin definition (name, version, configSchema, fields) is over ${MAX_DEFINITION_CHARS / 1024} KiB of JSON`,
        };
      }
      plugins.set(message.key, entry);
      return { id, ok: true, meta };
    }
    if (type === 'unload') {
      const entry = plugins.get(message.key);
      if (entry?.isolate && !entry.isolate.isDisposed) entry.isolate.dispose();
      plugins.delete(message.key);
      return { id, ok: true };
    }
    if (type === 'run') {
      const entry = plugins.get(message.key);
      if (entry === undefined) return { id, ok: false, error: 'not loaded' };
      // One message carries a whole batch as chunks; each chunk is one call with its own limit.
      const outs = [];
      let cpuMs = 0;
      // A sign of life whenever a quarter of the limit has passed since the last one: the host's
      // kill timer (1.5x the limit since the last sign) then never fires on a chunk that finishes
      // within the limit, while a batch of fast chunks costs no extra messages.
      const every = message.timeLimitMs / 4;
      let lastSign = performance.now();
      for (const posts of message.chunks) {
        // An isolate that hit its memory limit is gone: start a fresh one for the next batch.
        if (entry.isolate === null || entry.isolate.isDisposed) instantiate(entry, message.timeLimitMs);
        const before = entry.isolate.cpuTime;
        const out = entry.run.applySync(undefined, [posts, message.config, message.context], {
          timeout: message.timeLimitMs,
        });
        cpuMs += Number(entry.isolate.cpuTime - before) / 1e6;
        if (typeof out !== 'string') return { id, ok: false, error: 'bad output: not serializable' };
        if (out.length > MAX_OUTPUT_CHARS) return { id, ok: false, error: 'bad output: over 1 MiB of JSON' };
        outs.push(out);
        if (outs.length < message.chunks.length && performance.now() - lastSign >= every) {
          process.send({ id, progress: outs.length });
          lastSign = performance.now();
        }
      }
      const used = process.cpuUsage(cpuMark);
      return { id, ok: true, outs, cpuMs, processCpuMs: (used.user + used.system) / 1000 };
    }
    return { id, ok: false, error: `unknown message ${String(type)}` };
  } catch (error) {
    const entry = message.key !== undefined ? plugins.get(message.key) : undefined;
    if (entry?.isolate?.isDisposed) entry.isolate = null;
    return { id, ok: false, error: describe(error) };
  }
}

process.on('message', (message) => {
  const reply = handle(message);
  cpuMark = process.cpuUsage();
  // The parent may have gone while the call ran (it stopped, or killed us for the time limit).
  if (process.connected) process.send(reply);
});
process.on('disconnect', () => process.exit(0));
// A reply written as the channel closes fails with EPIPE: the parent is gone, and so are we.
process.on('error', () => process.exit(0));
process.send({ ready: true });
