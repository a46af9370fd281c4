// One API process for a benchmark: production mode on a free port, over the given database, told
// apart by its own data directory and queue prefix; reports the CPU it used (from /proc).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../libs/testing/src/free-port.js';

/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;

/** The CPU a process used so far (all its threads), in seconds. */
export function processCpuSeconds(pid: number): number {
  // After the command name: utime and stime are fields 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export interface BenchApi {
  url: string;
  /** CPU seconds the API process has used (all threads: JavaScript, GC, I/O). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts `ROLE=api` with `env` on top of the defaults and waits until it listens; `nodeArgs` go to
 * its node (e.g. `--cpu-prof --cpu-prof-dir=DIR`: a V8 profile written into DIR when it stops).
 */
export async function startBenchApi(
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<BenchApi> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', '@swc-node/register/esm-register', 'apps/server/src/main.ts'],
    {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ROLE: 'api',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        REDIS_EMBEDDED: 'false',
        QUEUE_PREFIX: `bench-${process.pid}`,
        ...env,
        LOG_LEVEL: 'log', // for the "GraphQL API on" line; stdout is read, not shown
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('API did not start')), 120_000);
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('GraphQL API on')) {
        clearTimeout(timer);
        // Request logs from here on are drained unread: kept, they made a string that grew by every
        // line and was searched again at each chunk, and a pipe read too slowly blocks the API's
        // synchronous log writes.
        child.stdout.off('data', onData).resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
