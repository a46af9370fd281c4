// Brings up what ROLE asks for (API, worker or both) on one database handle and one Redis.
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigError } from '@tributary/config';
import type { Config } from '@tributary/config';
import { DbModule, openDatabase } from '@tributary/db';
import { meterUpstreamRequests, serveMetrics } from '@tributary/metrics';
// The launcher is the one place that composes the two apps into one process (Nx forbids importing
// apps in general; the api and worker apps themselves still may not import each other).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootstrapApi } from '@tributary/api';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootstrapWorker } from '@tributary/worker';
import { ensureRedis } from './embedded-redis.js';
import { resolveBlueskyOAuthKey } from './bluesky-oauth-key.js';
import { resolveEncryptionKey } from './encryption-key.js';

export interface Running {
  apps: INestApplicationContext[];
  /** Base URL of the API when this process runs it (`http://127.0.0.1:<port>`). */
  apiUrl: string | null;
  /** This process's Prometheus endpoint when METRICS_PORT is set (`http://…/metrics`). */
  metricsUrl: string | null;
  stop(): Promise<void>;
}

export async function start(settings: Config): Promise<Running> {
  let config = settings;
  if (config.ROLE !== 'all' && !config.DATABASE_URL) {
    throw new ConfigError([
      `DATABASE_URL: required when ROLE=${config.ROLE} (the embedded database belongs to a single process; ` +
        'run API and worker together with ROLE=all, or give them a PostgreSQL)',
    ]);
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  config = {
    ...config,
    ENCRYPTION_KEY: (await resolveEncryptionKey(config)).toString('base64'),
    BLUESKY_OAUTH_KEY: await resolveBlueskyOAuthKey(config),
  };
  const redis = await ensureRedis(config);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    migrate: true,
  }).catch(async (error: unknown) => {
    await stopChild(redis);
    throw error;
  });

  const dbModule = DbModule.forRoot(database);
  const apps: INestApplicationContext[] = [];
  const stopMetering = meterUpstreamRequests();
  let metrics: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await metrics?.close();
      stopMetering();
      for (const app of [...apps].reverse()) await app.close();
      await database.close();
      await stopChild(redis);
    })());

  let apiUrl: string | null = null;
  try {
    if (config.ROLE !== 'api') apps.push(await bootstrapWorker(config, dbModule));
    if (config.ROLE !== 'worker') {
      const api = await bootstrapApi(config, dbModule);
      apps.push(api);
      apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    }
    if (config.METRICS_PORT !== undefined) {
      metrics = await serveMetrics({
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
        token: config.METRICS_TOKEN,
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { apps, apiUrl, metricsUrl: metrics?.url ?? null, stop };
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
