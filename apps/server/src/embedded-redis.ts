import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '@tributary/config';
import { Redis } from 'ioredis';

const logger = new Logger('Redis');

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Makes sure a Redis answers at REDIS_URL. On a single machine without one, starts a private
 * redis-server (AOF on, data under DATA_DIR/redis) if the binary is installed; otherwise stops
 * with a message that says how to get one. Returns the child to stop on shutdown, if any.
 */
export async function ensureRedis(config: Config): Promise<ChildProcess | null> {
  if (await answers(config.REDIS_URL)) return null;
  const url = new URL(config.REDIS_URL);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
  const installed = spawnSync('redis-server', ['--version']).status === 0;
  if (!config.REDIS_EMBEDDED || !local || !installed) {
    throw new RedisUnavailableError(
      `No Redis answers at REDIS_URL=${config.REDIS_URL}.` +
        (local && !installed ? ' redis-server is not installed either.' : '') +
        '\nStart one, for example:\n' +
        '  sudo apt-get install redis-server      (Debian/Ubuntu; brew install redis on macOS)\n' +
        '  docker compose -f docker/compose.yaml up -d redis\n' +
        'or point REDIS_URL at an existing server.',
    );
  }
  const dir = resolve(join(config.DATA_DIR, 'redis'));
  await mkdir(dir, { recursive: true });
  const port = url.port || '6379';
  logger.log(
    `no Redis at ${config.REDIS_URL}; starting a private redis-server on 127.0.0.1:${port} (data in ${dir})`,
  );
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      port,
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 50; i++) {
    if (await answers(config.REDIS_URL)) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new RedisUnavailableError(
    `the private redis-server did not start on port ${port} (is the port taken?)`,
  );
}
