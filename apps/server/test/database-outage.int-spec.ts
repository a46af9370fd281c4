// PostgreSQL ending every session of the service at once (a restart, a failover, an admin's
// pg_terminate_backend): the API and the worker are one process here, and both must go on with new
// connections, neither of them taken down by the errors of the old ones.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue, QueueName, jobOptions, redisConnection } from '@tributary/queue';
import { QueueEvents } from 'bullmq';
import { testPostgresUrl } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let admin: pg.Client;
let dbName: string;
let events: QueueEvents;

beforeAll(async () => {
  instance = await startTestInstance();
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'ADMIN');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "outage", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
  // On the server's maintenance database: a database cannot refuse connections to itself.
  admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
  dbName = new URL(instance.databaseUrl).pathname.slice(1);
  events = new QueueEvents(QueueName.Rebuild, {
    connection: redisConnection(instance.config.REDIS_URL),
    prefix: instance.config.QUEUE_PREFIX,
  });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events?.close();
  await admin?.end();
  await instance?.stop();
});

/** Ends every session on the service's database; returns how many there were. */
async function endSessions(): Promise<number> {
  const { rows } = await admin.query<{ ended: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1`,
    [dbName],
  );
  return rows.filter((r) => r.ended).length;
}

const PIPELINE = `mutation($n: String!) {
  createPipeline(name: $n, spec: { stages: [{ use: "hide-replies" }] }) { id rebuild { state } }
}`;
const REBUILD = `query { pipelines { id rebuild { state error } } }`;

describe('when PostgreSQL ends all of the service’s sessions', () => {
  it('answers, writes and runs jobs again on new connections', async () => {
    // Connections of both the API (Prisma and `sql`, one pool) and the worker are open.
    expect((await gql('{ me { username } }', {}, token)).data).toEqual({ me: { username: 'outage' } });
    const before = await gql<{ createPipeline: { id: string } }>(PIPELINE, { n: 'before' }, token);
    expect(before.errors).toBeUndefined();

    expect(await endSessions()).toBeGreaterThan(0);
    // The ends reach the driver as socket events; a pool drops an idle connection when it sees its end.
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Reads through the token check (`sql`) and Prisma.
    expect((await gql('{ me { username } }', {}, token)).data).toEqual({ me: { username: 'outage' } });
    // A write, and the rebuild job it enqueues, which the worker runs on its own new connections.
    const after = await gql<{ createPipeline: { id: string } }>(PIPELINE, { n: 'after' }, token);
    expect(after.errors).toBeUndefined();
    const created = [before.data!.createPipeline.id, after.data!.createPipeline.id];
    const rebuilds = await waitFor('both rebuilds finished', async () => {
      const res = await gql<{
        pipelines: { id: string; rebuild: { state: string; error: string | null } }[];
      }>(REBUILD, {}, token);
      const ours = (res.data?.pipelines ?? []).filter((p) => created.includes(p.id)).map((p) => p.rebuild);
      return ours.length === 2 && ours.every((r) => r.state === 'DONE' || r.state === 'FAILED') ? ours : null;
    });
    expect(rebuilds).toEqual([
      { state: 'DONE', error: null },
      { state: 'DONE', error: null },
    ]);
  });

  it('retries a pipeline job through a time when PostgreSQL refuses connections, until it is back', async () => {
    const pipelines = await gql<{ me: { id: string }; pipelines: { id: string; version: number }[] }>(
      '{ me { id } pipelines { id version } }',
      {},
      token,
    );
    const { id: pipelineId, version } = pipelines.data!.pipelines[0]!;
    const userId = pipelines.data!.me.id;
    await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
    try {
      await endSessions();
      const data = { pipelineId, version, userId };
      const queue = instance.running.apps[0]!.get(JobQueue, { strict: false }).queue('rebuild-timeline');
      // Its own job id: the rebuild the pipeline's creation queued has the version's id.
      const job = await queue.add('rebuild-timeline', data, {
        ...jobOptions('rebuild-timeline', data),
        jobId: `outage-${pipelineId}`,
      });
      await waitFor('the job to have failed at least once', async () => {
        const state = await queue.getJob(job.id!);
        return (state?.attemptsMade ?? 0) >= 1;
      });
      await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
      // Retried with the jobs' own backoff (a type the worker must know), on new connections.
      await job.waitUntilFinished(events, 60_000);
      const done = await queue.getJob(job.id!);
      expect(done?.attemptsMade).toBeGreaterThanOrEqual(1);
      expect(await done?.getState()).toBe('completed');
    } finally {
      await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
    }
  });
});
