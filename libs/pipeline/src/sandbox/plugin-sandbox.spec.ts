import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from '@jest/globals';
import { makePost } from '@tributary/plugin-sdk';
import { compilePipeline } from '../engine.js';
import { pluginResolver } from '../plugin-runner.js';
import { candidate } from '../spec-helpers.js';
import { PluginSandbox } from './plugin-sandbox.js';
import { PluginSourceError, sandboxedPlugin, validatePluginSource } from './sandboxed-plugin.js';

// A generous limit: tests share the machine, and the wall-clock limit must not hit honest plugins.
const sandbox = new PluginSandbox({ timeLimitMs: 500, memoryLimitMb: 16 });
afterAll(() => sandbox.close());

/** Uploaded code whose filter body is `body` (it sees `posts` and `config`). */
const filterPlugin = (name: string, body: string) =>
  `definePlugin({ name: '${name}', version: '1.0.0', configSchema: { type: 'object' }, filter(posts, config) { ${body} } });`;
const posts = [makePost({ text: 'one' }), makePost({ text: 'two' })];
const context = { now: '2026-11-23T12:00:00.000Z' };

describe('sandboxed plugins', () => {
  it('run uploaded code over a batch of posts', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      `definePlugin({
        name: 'community/short-posts', version: '1.2.0',
        configSchema: { type: 'object', properties: { max: { type: 'integer', default: 3 } } },
        filter: (posts, config) => posts.map((p) => p.text.length <= config.max ? { action: 'warn', reason: 'short' } : null),
        score: (posts) => posts.map((p) => ('raw' in p || 'richText' in p ? 0 : 1)),
      });`,
    );
    expect(runner).toMatchObject({
      name: 'community/short-posts',
      version: '1.2.0',
      hooks: { filter: true, score: true },
    });
    const outcome = await runner.run(
      [makePost({ text: 'hey' }), makePost({ text: 'hello', raw: { big: 'record' } })],
      { max: 3 },
      context,
    );
    // Only the plugin view is copied into the sandbox: no `raw`, no `richText`.
    expect(outcome).toEqual({
      ok: true,
      verdicts: [{ action: 'warn', reason: 'short' }, null],
      scores: [1, 1],
    });
  });

  it('copies only the fields a plugin declares', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      `definePlugin({ name: 'fields', version: '1.0.0', configSchema: { type: 'object' }, fields: ['text', 'hashtags'],
        filter: (posts) => posts.map((p) => ({ action: 'warn', reason: Object.keys(p).join(',') })) });`,
    );
    expect(await runner.run(posts.slice(0, 1), {}, context)).toEqual({
      ok: true,
      verdicts: [{ action: 'warn', reason: 'text,hashtags' }],
      scores: null,
    });
    const check = await validatePluginSource(
      `definePlugin({ name: 'f', version: '1.0.0', configSchema: {}, fields: ['raw'], score: () => [] })`,
      sandbox,
    );
    expect(check).toEqual({
      ok: false,
      error: expect.stringMatching(/^fields: expected a non-empty list of uri, network/),
    });
  });

  it('gives plugins no process, require, network, timers or dynamic import', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin(
        'probe',
        `const seen = [typeof process, typeof require, typeof fetch, typeof XMLHttpRequest, typeof WebSocket, typeof setTimeout, typeof setInterval, typeof queueMicrotask === 'function' ? 'fn' : 'none', typeof globalThis.Buffer].join(',');
        return posts.map(() => ({ action: 'warn', reason: seen }));`,
      ),
    );
    const outcome = await runner.run(posts.slice(0, 1), {}, context);
    expect(outcome).toEqual({
      ok: true,
      verdicts: [
        {
          action: 'warn',
          reason: 'undefined,undefined,undefined,undefined,undefined,undefined,undefined,none,undefined',
        },
      ],
      scores: null,
    });
    for (const [name, body, error] of [
      ['exit', 'process.exit(1)', 'threw: ReferenceError: process is not defined'],
      [
        'fs',
        "require('node:fs').readFileSync('/etc/passwd')",
        'threw: ReferenceError: require is not defined',
      ],
      ['net', "fetch('http://127.0.0.1:6379')", 'threw: ReferenceError: fetch is not defined'],
      [
        'ctor',
        "return posts.constructor.constructor('return process')().exit(1)",
        'threw: ReferenceError: process is not defined',
      ],
    ] as const) {
      const hostile = await sandboxedPlugin(sandbox, filterPlugin(name, body));
      expect(await hostile.run(posts, {}, context)).toEqual({ ok: false, error });
    }
    const imports = await sandboxedPlugin(
      sandbox,
      filterPlugin('imports', "import('node:child_process'); return posts.map(() => null)"),
    );
    expect(await imports.run(posts, {}, context)).toEqual({
      ok: false,
      error: 'threw: Error: Not supported',
    });
  });

  it('stops an infinite loop, and the plugin still works on the next batch', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin('loop', 'if (posts[0].text === "loop") { for (;;) {} } return posts.map(() => null);'),
    );
    expect(await runner.run([makePost({ text: 'loop' })], {}, context)).toEqual({
      ok: false,
      error: 'timeout',
    });
    expect(await runner.run(posts, {}, context)).toEqual({ ok: true, verdicts: [null, null], scores: null });
    await runner.close!();
    expect(await runner.run(posts, {}, context)).toEqual({ ok: false, error: 'not loaded' });
  });

  it('sends a large batch as several calls in one round trip, each with its own limit', async () => {
    const many = Array.from({ length: 250 }, (_, i) => makePost({ text: i === 249 ? 'loop' : `post ${i}` }));
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin(
        'chunks',
        'if (posts.some((p) => p.text === "loop")) { for (;;) {} } return posts.map((p, i) => (i === 0 ? { action: "warn", reason: String(posts.length) } : null));',
      ),
    );
    const ok = await runner.run(many.slice(0, 249), {}, context);
    expect(ok.ok && ok.verdicts?.length).toBe(249);
    expect(ok.ok && ok.verdicts?.filter((v) => v !== null)).toEqual([
      { action: 'warn', reason: '100' },
      { action: 'warn', reason: '100' },
      { action: 'warn', reason: '49' },
    ]);
    expect(await runner.run(many, {}, context)).toEqual({ ok: false, error: 'timeout' });
  });

  it('passes any text through unchanged, and splits long posts into smaller calls in order', async () => {
    // Sent as JSON escapes (one-byte chunks): the plugin must still see the very same strings.
    const texts = ['東京の天気は晴れ 🎉', 'Grüße \\u00e9 "quoted" \u2028', `lone \ud800 surrogate`, 'plain'];
    const long = 'x'.repeat(20_000);
    const batch = [
      ...texts.map((text) => makePost({ text })),
      ...Array.from({ length: 6 }, (_, i) => makePost({ text: `${long}${i}` })),
    ];
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin(
        'texts',
        'return posts.map((p, i) => ({ action: "warn", reason: `${posts.length}:${p.text.length > 1000 ? p.text.slice(-1) : p.text}` }));',
      ),
    );
    const outcome = await runner.run(batch, {}, context);
    if (!outcome.ok) throw new Error(outcome.error);
    const reasons = outcome.verdicts!.map((v) => v?.reason.split(':'));
    expect(reasons.map((r) => r?.slice(1).join(':'))).toEqual([...texts, '0', '1', '2', '3', '4', '5']);
    // Fewer than 100 posts a call once a call's JSON is long.
    expect(Math.max(...reasons.map((r) => Number(r?.[0])))).toBeLessThan(batch.length);
  });

  it('stops a memory bomb at the isolate limit and recreates the isolate', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin(
        'bomb',
        'if (posts[0].text === "bomb") { const hoard = []; for (;;) hoard.push(new Array(100000).fill(Math.random())); } return posts.map(() => null);',
      ),
    );
    expect(await runner.run([makePost({ text: 'bomb' })], {}, context)).toEqual({
      ok: false,
      error: 'memory limit',
    });
    expect(await runner.run(posts, {}, context)).toEqual({ ok: true, verdicts: [null, null], scores: null });
    const strings = await sandboxedPlugin(
      sandbox,
      filterPlugin('string-bomb', 'let s = "x"; for (;;) s += s;'),
    );
    expect((await strings.run(posts, {}, context)).ok).toBe(false);
    const buffers = await sandboxedPlugin(
      sandbox,
      filterPlugin('buffer-bomb', 'const b = []; for (;;) b.push(new ArrayBuffer(1e7));'),
    );
    expect((await buffers.run(posts, {}, context)).ok).toBe(false);
  });

  it('keeps fixed-length ArrayBuffers and typed arrays working', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin(
        'buffers',
        `class Tagged extends ArrayBuffer {}
        const bytes = new Uint8Array(new ArrayBuffer(8));
        bytes.set([1, 2, 3]);
        const seen = [bytes.buffer instanceof ArrayBuffer, bytes.buffer.constructor === ArrayBuffer,
          ArrayBuffer.isView(bytes), new Uint8Array(bytes.buffer.slice(1, 3)).join('+'),
          new Tagged(4) instanceof ArrayBuffer, new Tagged(4).byteLength, typeof ArrayBuffer.prototype.resize];
        return posts.map(() => ({ action: 'warn', reason: seen.join(',') }));`,
      ),
    );
    expect(await runner.run(posts.slice(0, 1), {}, context)).toEqual({
      ok: true,
      verdicts: [{ action: 'warn', reason: 'true,true,true,2+3,true,4,function' }],
      scores: null,
    });
  });

  it('refuses output larger than a call can need', async () => {
    const runner = await sandboxedPlugin(
      sandbox,
      filterPlugin('wordy', 'return posts.map(() => ({ action: "warn", reason: "x".repeat(600000) }));'),
    );
    expect(await runner.run(posts, {}, context)).toEqual({
      ok: false,
      error: 'bad output: over 1 MiB of JSON',
    });
  });

  it('reports a throwing plugin and output that breaks the contract', async () => {
    const thrower = await sandboxedPlugin(sandbox, filterPlugin('thrower', 'throw new TypeError("nope")'));
    expect(await thrower.run(posts, {}, context)).toEqual({ ok: false, error: 'threw: TypeError: nope' });
    const liar = await sandboxedPlugin(
      sandbox,
      filterPlugin('liar', 'JSON.stringify = () => 42; return [{ action: "explode" }, null];'),
    );
    expect(await liar.run(posts, {}, context)).toEqual({
      ok: false,
      error: 'bad output: filter verdict [0]: expected null, "keep" or { action, reason }',
    });
  });

  it('kills and restarts a sandbox process that stops answering, within the call', async () => {
    const runner = await sandboxedPlugin(sandbox, filterPlugin('steady', 'return posts.map(() => null);'));
    expect((await runner.run(posts, {}, context)).ok).toBe(true);
    const before = sandbox.restarts;
    process.kill(sandbox.pid!, 'SIGSTOP'); // a hung process: the isolate's own timeout cannot fire
    expect(await runner.run(posts, {}, context)).toEqual({ ok: false, error: 'timeout' });
    expect(sandbox.restarts).toBe(before + 1);
    expect(await runner.run(posts, {}, context)).toEqual({ ok: true, verdicts: [null, null], scores: null });
  });

  it('runs plugins at a lower CPU priority than the worker, so a spinning plugin yields to the service', async () => {
    const runner = await sandboxedPlugin(sandbox, filterPlugin('humble', 'return posts.map(() => null);'));
    expect((await runner.run(posts, {}, context)).ok).toBe(true);
    expect(getPriority(sandbox.pid!)).toBe(Math.min(19, getPriority() + 10));
  });

  it('survives the sandbox process dying, and reloads plugins into the new one', async () => {
    const runner = await sandboxedPlugin(sandbox, filterPlugin('phoenix', 'return posts.map(() => "keep");'));
    const pid = sandbox.pid!;
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await runner.run(posts, {}, context)).toEqual({ ok: true, verdicts: [null, null], scores: null });
    expect(sandbox.pid).not.toBe(pid);
  });

  it('frees the isolate of a plugin that stopped running, and loads it again for its next run', async () => {
    const own = new PluginSandbox({ timeLimitMs: 2000, memoryLimitMb: 16, idleMs: 0 });
    try {
      const counter = await sandboxedPlugin(
        own,
        filterPlugin(
          'counter',
          'globalThis.runs = (globalThis.runs ?? 0) + 1; return posts.map(() => ({ action: "warn", reason: String(runs) }));',
        ),
      );
      const other = await sandboxedPlugin(own, filterPlugin('other', 'return posts.map(() => null);'));
      expect(own.loadedCount).toBe(2);
      const runs = async () => {
        const outcome = await counter.run(posts.slice(0, 1), {}, context);
        return outcome.ok ? outcome.verdicts![0]!.reason : outcome.error;
      };
      expect([await runs(), await runs()]).toEqual(['1', '2']);
      expect(own.loadedCount).toBe(1); // `other` has not run since: freed
      expect((await other.run(posts, {}, context)).ok).toBe(true);
      expect(own.loadedCount).toBe(1);
      expect(await runs()).toBe('1'); // a new isolate
    } finally {
      await own.close();
    }
  });

  it('lets the pipeline go on per onError and record what happened', async () => {
    const loop = await sandboxedPlugin(
      sandbox,
      `definePlugin({ name: 'spin', version: '1.0.0', configSchema: { type: 'object' }, filter() { for (;;) {} } });`,
    );
    const pipeline = compilePipeline(
      { name: 'x', stages: [{ use: 'plugin:spin@1.0.0', onError: 'hide' }, { use: 'score/engagement' }] },
      { plugins: pluginResolver([loop]) },
    );
    const results = await pipeline.run(posts.map((p) => candidate(p)));
    expect(results.map((r) => r.hiddenReason)).toEqual(['plugin error: timeout', 'plugin error: timeout']);
    expect(results[0]!.decisions).toEqual([
      { stage: 'plugin:spin@1.0.0', index: 0, verdict: 'hide', reason: 'plugin error: timeout', score: 0 },
    ]);
  });
});

/** The sandbox process's peak resident memory so far (Linux), in MiB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

// isolated-vm's memoryLimit counts the isolate's heap and what its ArrayBuffer allocator hands
// out; each of these allocated outside both, without bound (1 GB and more from a 64 MiB isolate).
describe('memory outside the heap', () => {
  const LIMIT_MB = 16;
  const STAGES = 8;
  it.each([
    [
      'a growing WebAssembly memory',
      'globalThis.keep ??= new WebAssembly.Memory({ initial: 1, maximum: 65536 }); keep.grow(512); new Uint8Array(keep.buffer).fill(1);',
      'threw: ReferenceError: WebAssembly is not defined',
    ],
    [
      'a resizable ArrayBuffer',
      'globalThis.keep ??= new ArrayBuffer(0, { maxByteLength: 2 ** 30 }); keep.resize(keep.byteLength + 2 ** 25); new Uint8Array(keep).fill(1);',
      'threw: TypeError: resizable ArrayBuffers are not available to plugins',
    ],
    [
      'a resizable ArrayBuffer made through a prototype',
      'const AB = Object.getPrototypeOf(new Uint8Array(1).buffer).constructor; globalThis.keep ??= []; keep.push(new AB(2 ** 25, { maxByteLength: 2 ** 25 })); new Uint8Array(keep.at(-1)).fill(1);',
      'threw: TypeError: resizable ArrayBuffers are not available to plugins',
    ],
    [
      'a growable SharedArrayBuffer',
      'globalThis.keep ??= new SharedArrayBuffer(0, { maxByteLength: 2 ** 30 }); keep.grow(keep.byteLength + 2 ** 25); new Uint8Array(keep).fill(1);',
      'threw: ReferenceError: SharedArrayBuffer is not defined',
    ],
    [
      'Intl objects (ICU memory)',
      'globalThis.keep ??= []; for (let i = 0; i < 5000; i++) keep.push(new Intl.Segmenter("ja", { granularity: "word" }));',
      'threw: ReferenceError: Intl is not defined',
    ],
  ])('is not available to plugins: %s', async (_name, allocate, error) => {
    const own = new PluginSandbox({ timeLimitMs: 2000, memoryLimitMb: LIMIT_MB });
    try {
      const runner = await sandboxedPlugin(
        own,
        filterPlugin('hoarder', `${allocate} return posts.map(() => null);`),
      );
      const before = peakRssMb(own.pid!);
      // The same plugin as 8 stages of a pipeline: each call adds 32 MiB if the allocation works.
      const outcomes = [];
      for (let stage = 0; stage < STAGES; stage++) outcomes.push(await runner.run(posts, {}, context));
      expect(peakRssMb(own.pid!) - before).toBeLessThan(2 * LIMIT_MB);
      expect(outcomes).toEqual(Array.from({ length: STAGES }, () => ({ ok: false, error })));
    } finally {
      await own.close();
    }
  });
});

describe('validatePluginSource', () => {
  it('returns the manifest of valid code', async () => {
    const check = await validatePluginSource(
      `definePlugin({ name: 'hello', version: '0.1.0', configSchema: { type: 'object', properties: { n: { type: 'number' } } }, score: (posts) => posts.map(() => 0) })`,
      sandbox,
    );
    expect(check).toMatchObject({
      ok: true,
      name: 'hello',
      version: '0.1.0',
      configSchema: { type: 'object', properties: { n: { type: 'number' } } },
      hooks: { filter: false, score: true },
    });
    expect(check.ok && check.fields).toContain('text');
  });

  it.each([
    ['not text', 42, 'expected the plugin source code as text'],
    ['empty', '   ', 'expected the plugin source code as text'],
    ['too big', `// ${'x'.repeat(300 * 1024)}`, 'plugin source is larger than 256 KiB'],
    ['syntax error', 'definePlugin({', /^threw: SyntaxError: /],
    ['no definePlugin', 'const x = 1;', 'threw: Error: the code never called definePlugin({ ... })'],
    [
      'twice',
      `${filterPlugin('a', 'return []')}${filterPlugin('b', 'return []')}`,
      'threw: Error: definePlugin was called more than once',
    ],
    [
      'bad name',
      filterPlugin('Bad Name', 'return []'),
      'name: expected lowercase letters, digits and dashes, optionally "scope/name"',
    ],
    [
      'no hooks',
      `definePlugin({ name: 'x', version: '1.0.0', configSchema: {} })`,
      'a plugin needs a filter or a score function',
    ],
    [
      'bad schema',
      `definePlugin({ name: 'x', version: '1.0.0', configSchema: { type: 'banana' }, score: () => [] })`,
      /^configSchema: /,
    ],
    ['loop at load', 'for (;;) {}', 'timeout'],
    ['a NUL', `${filterPlugin('n', 'return []')} // \u0000`, /^the code contains NUL characters/],
    ['a lone surrogate', `${filterPlugin('s', 'return []')} // \ud800`, /^the code contains lone surrogates/],
    [
      'a schema PostgreSQL cannot store',
      `definePlugin({ name: 'x', version: '1.0.0', configSchema: { description: 'a\\u0000b' }, score: () => [] })`,
      /^configSchema: text with NUL characters or lone surrogates/,
    ],
    ['import statement', "import fs from 'node:fs'; definePlugin({})", /^threw: SyntaxError: /],
    [
      // 200 bytes declaring 7.7 MB of schema: the API took 10 s and 1 GB to parse and compile it.
      'a config schema bomb',
      `let s = { type: 'string' }; for (let i = 0; i < 17; i++) s = { type: 'object', properties: { a: s, b: s } };
       definePlugin({ name: 'bomb', version: '1.0.0', configSchema: s, score: () => [] })`,
      'the plugin definition (name, version, configSchema, fields) is over 64 KiB of JSON',
    ],
    [
      'a config schema over 32 KiB',
      `const properties = {}; for (let i = 0; i < 1000; i++) properties['p' + i] = { type: 'string', maxLength: 10 };
       definePlugin({ name: 'wide', version: '1.0.0', configSchema: { type: 'object', properties }, score: () => [] })`,
      'configSchema: larger than 32 KiB of JSON',
    ],
  ])('rejects %s', async (_name, code, error) => {
    const check = await validatePluginSource(code, sandbox);
    expect(check.ok).toBe(false);
    if (!check.ok)
      expect(check.error).toEqual(typeof error === 'string' ? error : expect.stringMatching(error));
  });

  it('works without a sandbox of its own (temporary one), and sandboxedPlugin throws on bad code', async () => {
    expect((await validatePluginSource(filterPlugin('temp', 'return []'))).ok).toBe(true);
    await expect(sandboxedPlugin(sandbox, 'nonsense(')).rejects.toBeInstanceOf(PluginSourceError);
  });
});
