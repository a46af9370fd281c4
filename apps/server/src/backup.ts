// Backup and restore of an instance: the PostgreSQL database (pg_dump's custom format), the
// credentials key (without it no linked account's credentials open) and the instance's Redis keys
// (queued jobs, retries, fair shares), each in a file of one folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@tributary/config';
import type { Config } from '@tributary/config';
import { Redis } from 'ioredis';
import { resolveEncryptionKey } from './encryption-key.js';

export const BACKUP_FILES = {
  manifest: 'manifest.json',
  database: 'database.dump',
  key: 'encryption.key',
  redis: 'redis.jsonl',
} as const;

export interface BackupManifest {
  format: 'tributary-backup';
  version: 1;
  createdAt: string;
  queuePrefix: string;
  pgDump: string;
  redisKeys: number;
}

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** The PostgreSQL client tools this machine has, or why they cannot be used. */
function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (found.status !== 0)
    throw new BackupError(
      `${name} was not found: install PostgreSQL's client tools (Debian: apt-get install postgresql-client), ` +
        "of the server's major version or newer",
    );
  return found.stdout.trim();
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${command} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

function databaseUrl(config: Config): string {
  if (!config.DATABASE_URL)
    throw new ConfigError([
      'DATABASE_URL: backup and restore work on PostgreSQL; for the embedded database stop Tributary and copy DATA_DIR',
    ]);
  return config.DATABASE_URL;
}

/** Every key of the instance's queues in Redis (QUEUE_PREFIX), with DUMP and PTTL. */
async function dumpRedis(config: Config): Promise<string[]> {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const lines: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const [value, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
        if (value === null) continue; // gone meanwhile
        lines.push(JSON.stringify({ key, ttl: ttl > 0 ? ttl : 0, value: value.toString('base64') }));
      }
    } while (cursor !== '0');
    return lines;
  } finally {
    redis.disconnect();
  }
}

/**
 * Writes a backup of the instance to `dir` (created; an existing backup there is refused). The
 * database is dumped in one snapshot; the Redis keys are read after it, so a job queued in between
 * may run again after a restore (jobs are idempotent).
 */
export async function backup(config: Config, dir: string): Promise<BackupManifest> {
  const url = databaseUrl(config);
  const pgDump = pgTool('pg_dump');
  await mkdir(dir, { recursive: true });
  const manifestFile = join(dir, BACKUP_FILES.manifest);
  if (
    await readFile(manifestFile).then(
      () => true,
      () => false,
    )
  )
    throw new BackupError(`${dir} already holds a backup; choose a new folder`);
  await run('pg_dump', [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${join(dir, BACKUP_FILES.database)}`,
    `--dbname=${url}`,
  ]);
  const key = await resolveEncryptionKey(config);
  await writeFile(join(dir, BACKUP_FILES.key), `${key.toString('base64')}\n`, { mode: 0o600 });
  const redis = await dumpRedis(config);
  await writeFile(join(dir, BACKUP_FILES.redis), redis.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  const manifest: BackupManifest = {
    format: 'tributary-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    queuePrefix: config.QUEUE_PREFIX,
    pgDump,
    redisKeys: redis.length,
  };
  // Last: a folder with a manifest is a complete backup.
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Restores the backup in `dir` into the configured PostgreSQL database (whatever it holds is
 * replaced), the instance's Redis keys (those under QUEUE_PREFIX are replaced) and the key (into
 * DATA_DIR/secret.key, unless ENCRYPTION_KEY is set, which must then be the backup's). Run it with
 * Tributary stopped.
 */
export async function restore(config: Config, dir: string): Promise<BackupManifest> {
  const url = databaseUrl(config);
  const manifest = JSON.parse(
    await readFile(join(dir, BACKUP_FILES.manifest), 'utf8').catch(() => {
      throw new BackupError(`${dir} holds no complete backup (no ${BACKUP_FILES.manifest})`);
    }),
  ) as BackupManifest;
  if (manifest.format !== 'tributary-backup' || manifest.version !== 1)
    throw new BackupError(`${dir}: not a backup this version of Tributary reads`);
  pgTool('pg_restore');
  // Some of BullMQ's values name other keys with their prefix: restored keys keep theirs.
  if (manifest.queuePrefix !== config.QUEUE_PREFIX)
    throw new BackupError(
      `the backup's queues are under QUEUE_PREFIX=${manifest.queuePrefix}: set it to restore them`,
    );

  const key = (await readFile(join(dir, BACKUP_FILES.key), 'utf8')).trim();
  if (config.ENCRYPTION_KEY) {
    if (config.ENCRYPTION_KEY !== key)
      throw new BackupError(
        'ENCRYPTION_KEY differs from the backup’s key: the restored credentials would not open. ' +
          `Set ENCRYPTION_KEY to the key in ${join(dir, BACKUP_FILES.key)}`,
      );
  } else {
    await mkdir(config.DATA_DIR, { recursive: true });
    await writeFile(join(config.DATA_DIR, 'secret.key'), `${key}\n`, { mode: 0o600 });
  }

  await run('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    `--dbname=${url}`,
    join(dir, BACKUP_FILES.database),
  ]);

  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    const text = await readFile(join(dir, BACKUP_FILES.redis), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const { key, ttl, value } = JSON.parse(line) as { key: string; ttl: number; value: string };
      await redis.restore(key, ttl, Buffer.from(value, 'base64'), 'REPLACE');
    }
  } finally {
    redis.disconnect();
  }
  return manifest;
}
