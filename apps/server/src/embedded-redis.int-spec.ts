import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tributary/config';
import { freePort } from '@tributary/testing';
import { Redis } from 'ioredis';
import { RedisUnavailableError, ensureRedis } from './embedded-redis.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function configFor(env: Record<string, string>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-redis-'));
  dirs.push(dataDir);
  return loadConfig({ DATA_DIR: dataDir, ...env });
}

describe('ensureRedis', () => {
  it('uses the Redis that answers at REDIS_URL and starts nothing', async () => {
    expect(await ensureRedis(await configFor({}))).toBeNull();
  });

  const installed = spawnSync('redis-server', ['--version']).status === 0;
  (installed ? it : it.skip)(
    'starts a private redis-server with AOF under DATA_DIR when none answers',
    async () => {
      const port = await freePort();
      const config = await configFor({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const child = await ensureRedis(config);
      expect(child).not.toBeNull();
      children.push(child!);
      const client = new Redis(config.REDIS_URL);
      expect(await client.set('k', 'v')).toBe('OK');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await client.quit();
      expect((await stat(join(config.DATA_DIR, 'redis'))).isDirectory()).toBe(true);
      const exited = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGTERM');
      await exited;
    },
  );

  it('stops with a message that says how to get a Redis when it may not start one', async () => {
    const port = await freePort();
    const config = await configFor({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_EMBEDDED: 'false' });
    const attempt = ensureRedis(config);
    await expect(attempt).rejects.toThrow(RedisUnavailableError);
    await expect(ensureRedis(config)).rejects.toThrow(
      /REDIS_URL=redis:\/\/127\.0\.0\.1:\d+[\s\S]*apt-get install redis-server[\s\S]*docker compose/,
    );
  });
});
