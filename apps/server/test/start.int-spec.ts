// `npm start` as a newcomer runs it: a real process on embedded defaults (PGlite in a fresh data
// folder, the machine's Redis), answering GraphQL, and stopping cleanly on SIGTERM.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tributary/testing';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid)
      process.kill(-child.pid, 'SIGKILL');
  }
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function npmStart(env: Record<string, string>) {
  const child = spawn('npm', ['start'], {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    detached: true, // its own process group, so the whole tree can be signalled
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close' waits for every holder of the output pipes, i.e. also for node after npm itself exited.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('npm start', () => {
  it('boots API + worker on embedded defaults and answers { __typename }', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const run = npmStart({ PORT: String(port), DATA_DIR: dataDir, QUEUE_PREFIX: `start-test-${port}` });

    let body: unknown = null;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && run.child.exitCode === null) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        body = await response.json();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    expect({ body, output: body ? '' : run.output() }).toEqual({
      body: { data: { __typename: 'Query' } },
      output: '',
    });
    // Production logs are JSON lines: the message's line breaks are escaped there.
    expect(run.output()).toMatch(/one-time invite:(\s|\\n)+inv_/);
    // The last line says where the web app and the API are.
    expect(run.output()).toMatch(
      /ready: the web app at http:\/\/127\.0\.0\.1:\d+\/ and the GraphQL API at http:\/\/127\.0\.0\.1:\d+\/graphql/,
    );

    // npm itself dies of the signal; what matters is that Tributary shut down in order.
    process.kill(-run.child.pid!, 'SIGTERM');
    await run.exited;
    expect(run.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped cleanly/);
  }, 120_000);

  it('stops with a message naming a bad variable', async () => {
    const run = npmStart({ PORT: 'not-a-port' });
    expect(await run.exited).toBe(78);
    expect(run.output()).toMatch(/PORT: .*"not-a-port"/);
  }, 60_000);
});
