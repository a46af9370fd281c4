import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

// The worker's side of the sandbox: one child process (sandbox-child.mjs) holding one isolate per
// uploaded plugin. Why a process and not an isolate in the worker's own process: isolated-vm's
// maintainers advise it, the isolate heap limit is enforced by V8 callbacks that a determined
// allocation can overshoot, and isolated-vm on Node ≥ 20 wants `--no-node-snapshot`, which the
// child can be started with without imposing it on the worker or on Jest. A child that dies or
// stops answering is killed and restarted; its plugins are loaded again on their next batch.

// The defaults are the configuration's (PLUGIN_MEMORY_MB, PLUGIN_CPU_MS in libs/config), which the
// worker and the API pass in; these apply to sandboxes made without them (tools, tests).
const DEFAULT_MEMORY_LIMIT_MB = 64;
const DEFAULT_TIME_LIMIT_MS = 200;
const DEFAULT_IDLE_MS = 15 * 60_000;
/**
 * How much lower than the worker's the sandbox process's CPU priority is (nice levels, capped at
 * 19). Plugin code is the one part of the work a member controls and can make spin for its whole
 * limit, call after call: on a busy machine the service's own work (queries, other members' jobs,
 * previews without plugins) goes first. At +10 the sandbox gets about a tenth of a contended core,
 * and all of an idle one.
 */
const DEFAULT_NICENESS = 10;

export interface SandboxOptions {
  /** Heap limit of each plugin's isolate, in MiB (isolated-vm's minimum is 8). Default 64. */
  memoryLimitMb?: number;
  /**
   * Time a plugin may spend on one call (one chunk of posts), in ms. Default 200. Enforced as
   * wall-clock time inside the sandbox (which bounds CPU time; on an overloaded machine a plugin
   * gets less CPU within it, so keep headroom), and by killing the process at 1.5× the limit.
   */
  timeLimitMs?: number;
  /**
   * A plugin's isolate is freed once the sandbox has run other plugins and not this one for this
   * long, in ms (default 15 minutes): a plugin that pipelines stopped using holds no memory. Its
   * code is kept, and its next run loads it again.
   */
  idleMs?: number;
  /**
   * How many nice levels below the worker the sandbox process runs (default 10; 0 keeps the
   * worker's priority). A plugin's wall-clock limit then leaves less of its time to it when the
   * machine is saturated by the service's own work.
   */
  niceness?: number;
  /** Called as the sandbox starts its process (a pool bounds how many run: SandboxPool). */
  onStart?: () => void;
}

/** A failed sandbox call: `timeout`, `memory limit`, `threw: …`, `sandbox crashed`, … */
export type SandboxReply<T> = { ok: true; value: T; cpuMs: number } | { ok: false; error: string };

interface Pending {
  resolve: (reply: ChildReply) => void;
  timer: NodeJS.Timeout;
  /** Starts the kill timer for the next plugin call. */
  arm: () => NodeJS.Timeout;
}

type ChildReply =
  | { id: number; ok: true; meta?: string; outs?: string[]; cpuMs?: number; processCpuMs?: number }
  | { id: number; ok: false; error: string };

const CHILD_PATH = fileURLToPath(new URL('./sandbox-child.mjs', import.meta.url));
const STARTUP_TIMEOUT_MS = 10_000;

export class PluginSandbox {
  readonly memoryLimitMb: number;
  readonly timeLimitMs: number;
  readonly idleMs: number;
  readonly niceness: number;
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Plugin code by key, to load again into a restarted child. */
  private readonly code = new Map<string, string>();
  /** Keys loaded into the current child. */
  private loaded = new Set<string>();
  /** When each key last ran (performance.now()), for freeing idle isolates. */
  private readonly lastRun = new Map<string, number>();
  private nextId = 1;
  /** Calls go to the child one at a time, so each call's time limit counts only its own work. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Calls made and not answered yet, queued or sent. */
  private calls = 0;
  private closed = false;
  private readonly onStart: () => void;
  /** When the last call was made (performance.now()), to stop the least recently used process first. */
  lastCallAt = 0;
  /** How many times the child was killed or died; for tests and metrics. */
  restarts = 0;
  /**
   * CPU time the sandbox process spent on runs (all its threads, from sending the reply before each
   * run to the end of the run, so reading the posts and replying count), in ms; for metrics and benchmarks.
   */
  childCpuMs = 0;

  constructor(options: SandboxOptions = {}) {
    this.memoryLimitMb = Math.max(8, options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB);
    this.timeLimitMs = Math.max(1, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
    this.idleMs = Math.max(0, options.idleMs ?? DEFAULT_IDLE_MS);
    this.niceness = Math.max(0, options.niceness ?? DEFAULT_NICENESS);
    this.onStart = options.onStart ?? (() => undefined);
  }

  /** Whether the sandbox process is running now. */
  get running(): boolean {
    return this.ready !== null;
  }

  /** Whether calls are waiting for an answer. */
  get busy(): boolean {
    return this.calls > 0;
  }

  /**
   * Stops the process while no call waits for it, to give its memory back; the next call starts
   * a new one and loads its plugins again. Returns whether it stopped.
   */
  stop(): boolean {
    if (this.busy || !this.running) return false;
    this.reset('sandbox stopped');
    return true;
  }

  /** How many plugins have an isolate in the sandbox process now (for tests and metrics). */
  get loadedCount(): number {
    return this.loaded.size;
  }

  /** The sandbox process id while it runs (for monitoring). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Loads (or replaces) plugin code under `key`; resolves with its metadata JSON or why it failed. */
  async load(key: string, code: string): Promise<SandboxReply<string>> {
    this.code.set(key, code);
    const reply = await this.call({
      type: 'load',
      key,
      code,
      memoryMb: this.memoryLimitMb,
      timeLimitMs: this.timeLimitMs,
    });
    if (!reply.ok) {
      this.code.delete(key);
      return reply;
    }
    this.loaded.add(key);
    this.lastRun.set(key, performance.now());
    return { ok: true, value: reply.meta ?? '', cpuMs: 0 };
  }

  /** Forgets a plugin and frees its isolate. */
  async unload(key: string): Promise<void> {
    this.code.delete(key);
    this.lastRun.delete(key);
    if (this.loaded.delete(key) && this.child !== null) await this.call({ type: 'unload', key });
  }

  /**
   * Runs a loaded plugin over chunks of posts (each a JSON array), in one round trip to the sandbox
   * process. Each chunk is one plugin call with the time limit; the first failing chunk fails the
   * run. A process that shows no sign of life for 1.5× the limit (it sends one at least every
   * quarter of the limit between chunks) is killed and restarted, so a plugin is stopped within
   * twice its limit even when the isolate cannot stop it.
   */
  async run(
    key: string,
    chunks: readonly string[],
    configJson: string,
    contextJson: string,
  ): Promise<SandboxReply<string[]>> {
    const code = this.code.get(key);
    if (code === undefined) return { ok: false, error: 'not loaded' };
    this.lastRun.set(key, performance.now()); // not idle while it runs
    if (!this.loaded.has(key) || this.child === null) {
      const load = await this.call({
        type: 'load',
        key,
        code,
        memoryMb: this.memoryLimitMb,
        timeLimitMs: this.timeLimitMs,
      });
      if (!load.ok) return load;
      this.loaded.add(key);
    }
    const reply = await this.call({
      type: 'run',
      key,
      chunks,
      config: configJson,
      context: contextJson,
      timeLimitMs: this.timeLimitMs,
    });
    if (reply.ok) this.childCpuMs += reply.processCpuMs ?? 0;
    this.freeIdle(key);
    return reply.ok ? { ok: true, value: reply.outs ?? [], cpuMs: reply.cpuMs ?? 0 } : reply;
  }

  /** Frees the isolates of plugins that have not run for `idleMs`, other than `current`. */
  private freeIdle(current: string): void {
    const now = performance.now();
    this.lastRun.set(current, now);
    for (const key of this.loaded) {
      if (key === current || now - (this.lastRun.get(key) ?? now) < this.idleMs) continue;
      this.loaded.delete(key);
      // Queued behind this run; nothing waits for it (a failed unload dies with its process).
      if (this.child !== null) void this.call({ type: 'unload', key });
    }
  }

  /** Stops the child process. The sandbox cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.reset('sandbox closed');
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.ref(); // an idle child is unref'd; keep the loop alive until it has exited
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
  }

  private start(): Promise<ChildProcess> {
    if (this.ready !== null) return this.ready;
    this.onStart();
    const ready = new Promise<ChildProcess>((resolve, reject) => {
      let started = false;
      const child = fork(CHILD_PATH, [], {
        // isolated-vm needs V8's shared read-only heap off on Node ≥ 20; a small heap of its own.
        execArgv: ['--no-node-snapshot', '--max-old-space-size=256'],
        // Nothing of the worker's environment (database URLs, tokens) reaches the sandbox.
        env: {},
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const startup = setTimeout(() => child.kill('SIGKILL'), STARTUP_TIMEOUT_MS);
      lowerPriority(child, this.niceness);
      child.on('message', (message: ChildReply | { ready: true } | { id: number; progress: number }) => {
        if ('ready' in message) {
          clearTimeout(startup);
          started = true;
          this.child = child;
          this.loaded = new Set();
          this.idle();
          resolve(child);
          return;
        }
        const pending = this.pending.get(message.id);
        if (pending === undefined) return;
        clearTimeout(pending.timer);
        if ('progress' in message) {
          pending.timer = pending.arm();
          return;
        }
        this.pending.delete(message.id);
        this.idle();
        pending.resolve(message);
      });
      child.on('error', () => undefined); // 'exit' follows and does the cleanup
      child.on('exit', () => {
        clearTimeout(startup);
        if (!started) {
          if (this.ready === ready) this.ready = null;
          reject(new Error('sandbox process exited during start-up'));
        } else if (this.child === child) {
          this.restarts += 1;
          this.reset('sandbox crashed');
        }
      });
    });
    this.ready = ready;
    return ready;
  }

  /** Fails every pending call with `error` and forgets the child (the next call starts a new one). */
  private reset(error: string): void {
    const child = this.child;
    this.child = null;
    this.ready = null;
    this.loaded = new Set();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ id, ok: false, error });
    }
    this.pending.clear();
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Lets the worker exit while the sandbox is idle. */
  private idle(): void {
    const child = this.child;
    if (child === null) return;
    if (this.pending.size === 0) {
      child.unref();
      child.channel?.unref();
    } else {
      child.ref();
      child.channel?.ref();
    }
  }

  private call(message: Record<string, unknown> & { type: string }): Promise<ChildReply> {
    this.calls += 1;
    this.lastCallAt = performance.now();
    const result = this.queue.then(() => this.send(message)).finally(() => (this.calls -= 1));
    this.queue = result;
    return result;
  }

  private async send(message: Record<string, unknown> & { type: string }): Promise<ChildReply> {
    if (this.closed) return { id: 0, ok: false, error: 'sandbox closed' };
    let child: ChildProcess;
    try {
      child = await this.start();
    } catch (error) {
      return { id: 0, ok: false, error: `sandbox unavailable: ${(error as Error).message}` };
    }
    const id = this.nextId++;
    return new Promise<ChildReply>((resolve) => {
      // The isolate stops a plugin at the limit; this catches a sandbox that cannot (hung, swapping):
      // each plugin call gets 1.5× the limit from its start, so it is stopped within twice the limit.
      const arm = (): NodeJS.Timeout =>
        setTimeout(() => {
          if (!this.pending.has(id)) return;
          this.pending.delete(id);
          resolve({ id, ok: false, error: 'timeout' });
          this.restarts += 1;
          this.reset('sandbox restarted');
        }, 1.5 * this.timeLimitMs);
      this.pending.set(id, { resolve, timer: arm(), arm });
      this.idle();
      try {
        child.send({ ...message, id });
      } catch {
        this.restarts += 1;
        this.reset('sandbox crashed');
      }
    });
  }
}

/** Renices the child below this process (raising a nice level needs no privilege). */
function lowerPriority(child: ChildProcess, niceness: number): void {
  if (niceness === 0 || child.pid === undefined) return;
  try {
    setPriority(child.pid, Math.min(19, getPriority() + niceness));
  } catch {
    // Gone already (its 'exit' cleans up), or a platform without nice levels: runs as it is.
  }
}
