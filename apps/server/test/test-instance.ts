import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tributary/config';
import type { Config } from '@tributary/config';
import { blueskyTestHostPolicy, createTestDatabase } from '@tributary/testing';
import { QueueName, redisConnection } from '@tributary/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Running } from '../src/start.js';
import { start } from '../src/start.js';

export interface TestInstance {
  config: Config;
  running: Running;
  apiUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * A real Tributary (API, and the worker unless ROLE says otherwise) on its own fresh PostgreSQL
 * database, its own Redis key prefix and a random port.
 */
export async function startTestInstance(env: Record<string, string> = {}): Promise<TestInstance> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    LOG_LEVEL: 'warn',
    REDIS_EMBEDDED: 'false',
    // The reference Bluesky network's PDS is on loopback over http, which the guard refuses otherwise.
    ...(process.env.TRIBUTARY_BSKY_PDS_URL
      ? {
          BLUESKY_ALLOWED_HOSTS: blueskyTestHostPolicy(process.env.TRIBUTARY_BSKY_PDS_URL).allowHosts.join(
            ',',
          ),
          BLUESKY_ALLOW_HTTP: 'true',
        }
      : {}),
    ...env,
  });
  const running = await start(config);
  const instance: TestInstance = {
    config,
    running,
    apiUrl: running.apiUrl ?? '',
    databaseUrl: database.url,
    async stop() {
      // `instance.running`, not the first one: a test may restart the service on the same database.
      await instance.running.stop();
      // Leave the shared Redis as it was found.
      for (const name of Object.values(QueueName)) {
        const queue = new Queue(name, {
          connection: redisConnection(config.REDIS_URL),
          prefix: config.QUEUE_PREFIX,
        });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      const redis = new Redis(config.REDIS_URL);
      const counters = await redis.keys(`${config.QUEUE_PREFIX}:login-limits:*`); // LoginLimits
      if (counters.length > 0) await redis.del(...counters);
      await redis.quit();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return instance;
}
