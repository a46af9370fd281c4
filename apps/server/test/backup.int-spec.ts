// Backup and restore of a whole instance (README "Backups"): backup, wipe everything (the database,
// the instance's Redis keys, the credentials key), restore, start again: the same timelines, the
// same queued jobs, and linked accounts whose credentials still open.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import { FakeMastodonServer } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BackupError, backup, restore } from '../src/backup.js';
import { start } from '../src/start.js';
import { linkMastodon } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { deleteQueueKeys, startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

let fake: FakeMastodonServer;
let friend: FakeAccount;
let instance: TestInstance;
let token: string;
let backupDir: string;

const TIMELINES = `{ pipelines { id name version spec readPosition } linkedAccounts { handle status }
  timeline(first: 50) { edges { cursor node { post { id text author { handle } } decisions { stage verdict } } } } }`;

const gql = () => graphqlClient(instance.running.apiUrl!);
const read = async () => {
  const res = await gql()<{ timeline: { edges: { node: { post: { text: string } } }[] } }>(
    TIMELINES,
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!;
};

beforeAll(async () => {
  fake = await FakeMastodonServer.start();
  const reader = fake.createAccount('reader');
  friend = fake.createAccount('friend');
  fake.follow(reader, friend);
  for (let n = 0; n < 5; n++) fake.post(friend, { text: `before the backup ${n}` });
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await graphqlClient(instance.apiUrl)<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "kept", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
  await linkMastodon(graphqlClient(instance.apiUrl), token, fake.origin, fake.issueToken(reader));
  backupDir = join(await mkdtemp(join(tmpdir(), 'tributary-backup-')), 'backup');
});

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
  if (backupDir) await rm(join(backupDir, '..'), { recursive: true, force: true });
});

describe('backup → wipe → restore', () => {
  it('brings back the same timelines, queued jobs and working credentials', async () => {
    const before = await waitFor('the timeline with the five posts', async () => {
      const data = await read();
      return data.timeline.edges.length === 5 ? data : null;
    });
    // A job waiting in Redis: it must come back with the queues.
    const jobs = () => instance.running.apps[0]!.get(JobQueue, { strict: false });
    await jobs().enqueue('save-read-marker', { pipelineId: 'backup-probe' }, 3600_000);

    const manifest = await backup(instance.config, backupDir);
    expect(manifest).toMatchObject({ format: 'tributary-backup', queuePrefix: instance.config.QUEUE_PREFIX });
    expect(manifest.redisKeys).toBeGreaterThan(0);
    expect((await stat(join(backupDir, 'encryption.key'))).mode & 0o077).toBe(0);
    await expect(backup(instance.config, backupDir)).rejects.toBeInstanceOf(BackupError);

    // Everything gone: the service, its database's tables, its Redis keys, its key file.
    await instance.running.stop();
    const db = new pg.Client({ connectionString: instance.databaseUrl });
    await db.connect();
    await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await db.end();
    await deleteQueueKeys(instance.config);
    const keyFile = join(instance.config.DATA_DIR, 'secret.key');
    const key = await readFile(keyFile, 'utf8');
    await rm(keyFile);

    await restore(instance.config, backupDir);
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    instance.running = await start(instance.config);

    expect(await read()).toEqual(before);
    const delayed = await jobs().queue('save-read-marker').getDelayed();
    expect(delayed.map((j) => j.data)).toContainEqual({ pipelineId: 'backup-probe' });
    // The restored credentials open with the restored key: a new post still arrives.
    fake.post(friend, { text: 'after the restore' });
    await waitFor('the new post in the restored timeline', async () =>
      (await read()).timeline.edges.some((e) => e.node.post.text === 'after the restore'),
    );
  });

  it('says what is missing when pg_dump is not installed (npm run backup)', async () => {
    // Only node on the PATH: no PostgreSQL client tools.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        'apps/server/src/backup-cli.ts',
        'backup',
        `${backupDir}-2`,
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: dirname(process.execPath),
          DATABASE_URL: instance.databaseUrl,
          DATA_DIR: instance.config.DATA_DIR,
          QUEUE_PREFIX: instance.config.QUEUE_PREFIX,
        },
      },
    );
    expect({ status: child.status, stderr: child.stderr.trim() }).toEqual({
      status: 1,
      stderr: expect.stringMatching(/^pg_dump was not found: install PostgreSQL's client tools/),
    });
  });
});
