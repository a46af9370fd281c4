// The outages a deployment meets, and the answers clients and operators get: Redis gone (a mutation
// that enqueues fails fast with UPSTREAM_UNAVAILABLE instead of waiting for Redis to come back),
// PostgreSQL refusing connections (UPSTREAM_UNAVAILABLE, not INTERNAL_SERVER_ERROR), and `/ready`
// naming the dependency that is missing while `/health` still answers.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort, testPostgresUrl } from '@tributary/testing';
import pg from 'pg';
import { Redis } from 'ioredis';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

const PIPELINE = `mutation($n: String!) { createPipeline(name: $n, spec: { stages: [] }) { id } }`;

async function signUp(instance: TestInstance, username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'ADMIN');
  const res = await graphqlClient(instance.apiUrl)<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: username },
  );
  return res.data!.signUp.token;
}

async function readiness(instance: TestInstance): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${instance.apiUrl}/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A private redis-server on `port` (no persistence): this test may stop it, the shared one not. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor('the private redis-server to answer', async () => {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('with Redis gone', () => {
  let instance: TestInstance;
  let redis: ChildProcess;
  let port: number;
  let token: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    instance = await startTestInstance({ REDIS_URL: `redis://127.0.0.1:${port}` });
    token = await signUp(instance, 'redis-outage');
  });

  afterAll(async () => {
    // The instance's shutdown cleans its keys: give it a Redis to do so on.
    if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(port);
    await instance?.stop();
    await stopRedis(redis);
  });

  it('answers a mutation that enqueues with UPSTREAM_UNAVAILABLE at once, and works again once Redis is back', async () => {
    const gql = graphqlClient(instance.apiUrl);
    expect((await gql(PIPELINE, { n: 'before' }, token)).errors).toBeUndefined();
    expect(await readiness(instance)).toMatchObject({ status: 200, body: { status: 'ready', missing: [] } });

    await stopRedis(redis);
    const started = Date.now();
    const res = await gql(PIPELINE, { n: 'during' }, token);
    const elapsed = Date.now() - started;
    expect(res.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    // A bound on behaviour, not a benchmark: before, the request waited until Redis came back.
    expect(elapsed).toBeLessThan(1000);

    const ready = await readiness(instance);
    expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', missing: ['redis'] } });
    expect((ready.body['checks'] as Record<string, string>)['database']).toBe('ok');
    // Liveness asks no dependency: an orchestrator does not restart an API that only waits for Redis.
    expect((await fetch(`${instance.apiUrl}/health`)).status).toBe(200);

    redis = await startRedis(port);
    await waitFor('the API to see Redis again', async () => (await readiness(instance)).status === 200);
    const after = await gql<{ createPipeline: { id: string } }>(PIPELINE, { n: 'after' }, token);
    expect(after.errors).toBeUndefined();
  });
});

describe('with PostgreSQL refusing connections', () => {
  let instance: TestInstance;
  let admin: pg.Client;
  let dbName: string;
  let token: string;

  beforeAll(async () => {
    instance = await startTestInstance();
    token = await signUp(instance, 'db-outage');
    admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    dbName = new URL(instance.databaseUrl).pathname.slice(1);
  });

  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
    await admin?.end();
    await instance?.stop();
  });

  it('answers UPSTREAM_UNAVAILABLE, not INTERNAL_SERVER_ERROR, and /ready names the database', async () => {
    const gql = graphqlClient(instance.apiUrl);
    expect((await gql('{ pipelines { id } }', {}, token)).errors).toBeUndefined();

    await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [dbName]);
    try {
      // Read through Prisma (pipelines) and the hand-written SQL (the token check, after its cache).
      for (const query of ['{ pipelines { id } }', '{ me { username } }']) {
        const res = await gql(query, {}, token);
        expect(res.errors?.map((e) => e.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
        expect(res.errors?.[0]?.message).not.toMatch(/accepting connections|55000/);
      }
      const mutation = await gql(PIPELINE, { n: 'during' }, token);
      expect(mutation.errors?.map((e) => e.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
      const ready = await readiness(instance);
      expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', missing: ['database'] } });
      expect((ready.body['checks'] as Record<string, string>)['redis']).toBe('ok');
    } finally {
      await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
    }
    await waitFor(
      'the API to see the database again',
      async () => (await readiness(instance)).status === 200,
    );
    expect((await gql('{ pipelines { id } }', {}, token)).errors).toBeUndefined();
  });
});
