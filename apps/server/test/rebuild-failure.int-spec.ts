// A rebuild whose job fails for good must say so: its worker hung (or was killed) twice, so BullMQ
// fails the job as stalled, and the pipeline's rebuild shows FAILED with why, not RUNNING forever.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue, redisConnection } from '@tributary/queue';
import { Worker } from 'bullmq';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { Running } from '../src/start.js';
import { start } from '../src/start.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

let instance: TestInstance;
let worker: Running | undefined;
let gql: ReturnType<typeof graphqlClient>;
let token: string;

beforeAll(async () => {
  // The API only: the worker is started once the rebuild's job has stalled twice.
  instance = await startTestInstance({
    ROLE: 'api',
    QUEUE_LOCK_DURATION_MS: '1000',
    QUEUE_STALLED_INTERVAL_MS: '1000',
  });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps[0]!.get(AuthService, { strict: false }).createInvite(
    null,
    'MEMBER',
  );
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "stalled", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
});

afterAll(async () => {
  await worker?.stop();
  await instance?.stop();
});

describe('a rebuild whose job fails for good', () => {
  it('shows FAILED with the reason through GraphQL', async () => {
    const created = await gql<{ createPipeline: { id: string; rebuild: { state: string } } }>(
      'mutation { createPipeline(name: "heavy", spec: { stages: [{ use: "hide-replies" }] }) { id rebuild { state } } }',
      {},
      token,
    );
    const { id, rebuild } = created.data!.createPipeline;
    expect(rebuild.state).toBe('RUNNING');

    // A worker that takes the job and hangs without renewing its lock, as a hung or killed process
    // does: its own stall check hands the job back, it takes it again (a second slot), and after the
    // second stall BullMQ marks the job to fail when a worker next takes it.
    const queue = instance.running.apps[0]!.get(JobQueue, { strict: false }).queue('rebuild-timeline');
    const hung = new Worker(queue.name, () => new Promise<never>(() => {}), {
      connection: redisConnection(instance.config.REDIS_URL),
      prefix: instance.config.QUEUE_PREFIX,
      concurrency: 2,
      lockDuration: 1000,
      stalledInterval: 500,
      skipLockRenewal: true,
    });
    try {
      await waitFor('the job to have stalled twice', async () => {
        const jobs = await queue.getJobs(['wait', 'active', 'prioritized']);
        return jobs.some((job) => job.deferredFailure !== undefined);
      });
    } finally {
      await hung.close(true);
    }

    worker = await start({ ...instance.config, ROLE: 'worker' });
    const failed = await waitFor('the rebuild to show FAILED', async () => {
      const res = await gql<{ pipeline: { rebuild: { state: string; error: string | null } } }>(
        'query($id: ID!) { pipeline(id: $id) { rebuild { state error } } }',
        { id },
        token,
      );
      const state = res.data!.pipeline.rebuild;
      return state.state === 'FAILED' ? state : null;
    });
    expect(failed.error).toMatch(/^the rebuild stopped: .*stalled/);
  });
});
