import { PluginSandbox } from './plugin-sandbox.js';
import type { SandboxOptions } from './plugin-sandbox.js';

export interface SandboxPoolOptions extends Omit<SandboxOptions, 'onStart'> {
  /**
   * How many sandbox processes may run at once (default 4); starting one more first stops the
   * least recently used of those without calls waiting. When all of them are running calls, it
   * starts anyway: the processes are then as many as members running plugins at that moment.
   */
  maxProcesses?: number;
}

const DEFAULT_MAX_PROCESSES = 4;

/**
 * A sandbox per member: each member's uploaded plugins run in a process of their own, one call
 * after another. In one shared process a member's plugin spinning to its limit, call after call,
 * queued every other member's plugin calls behind it (a rebuild that took 0.4 s alone waited seconds);
 * now it only delays its own member's. A member's process is stopped when others need the room
 * (their plugins' code is kept, and loaded again on their next call).
 */
export class SandboxPool {
  private readonly sandboxes = new Map<string, PluginSandbox>();
  private readonly maxProcesses: number;
  private readonly options: Omit<SandboxOptions, 'onStart'>;

  constructor({ maxProcesses, ...options }: SandboxPoolOptions = {}) {
    this.maxProcesses = Math.max(1, maxProcesses ?? DEFAULT_MAX_PROCESSES);
    this.options = options;
  }

  /** The sandbox of `member`'s plugins. */
  for(member: string): PluginSandbox {
    let sandbox = this.sandboxes.get(member);
    if (sandbox === undefined) {
      const made: PluginSandbox = new PluginSandbox({ ...this.options, onStart: () => this.makeRoom(made) });
      sandbox = made;
      this.sandboxes.set(member, sandbox);
    }
    return sandbox;
  }

  /** Processes running now. */
  get processes(): number {
    let running = 0;
    for (const sandbox of this.sandboxes.values()) if (sandbox.running) running += 1;
    return running;
  }

  /** Times a sandbox process was killed or died, all members' together (for metrics). */
  get restarts(): number {
    let restarts = 0;
    for (const sandbox of this.sandboxes.values()) restarts += sandbox.restarts;
    return restarts;
  }

  /** Stops every process (a later call starts a new sandbox). */
  async close(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].map((sandbox) => sandbox.close()));
    this.sandboxes.clear();
  }

  /** Before `starting` starts its process: stops idle ones, least recently used first, to keep under the bound. */
  private makeRoom(starting: PluginSandbox): void {
    const idle = [...this.sandboxes.values()]
      .filter((sandbox) => sandbox !== starting && sandbox.running && !sandbox.busy)
      .sort((a, b) => a.lastCallAt - b.lastCallAt);
    for (const sandbox of idle) {
      if (this.processes < this.maxProcesses) return;
      sandbox.stop();
    }
  }
}
