// The logs of a real process, as a log collector reads them (NODE_ENV=production): one JSON object
// per line, each HTTP request with its id, the id of the request or job in what is logged while
// handling it, and no secret in any of them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createTestDatabase, freePort } from '@tributary/testing';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

type Line = Record<string, unknown>;

let child: ChildProcess;
let output = '';
let apiUrl: string;
let dataDir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const prefix = `logs-test-${process.pid}`;

/** Every line printed so far, parsed: a line that is not JSON fails the test here. */
const lines = (): Line[] =>
  output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'tributary-logs-'));
  const port = await freePort();
  child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'apps/server/src/main.ts'],
    {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        REDIS_EMBEDDED: 'false',
        QUEUE_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  apiUrl = `http://127.0.0.1:${port}`;
  await waitFor('the API to answer', async () => {
    const res = await fetch(`${apiUrl}/health`).catch(() => null);
    return res?.ok ?? false;
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('are JSON lines, with request and job ids, and no secrets', async () => {
    // Logged after the API listens (the health check may answer first).
    const invite = await waitFor('the one-time invite', async () =>
      lines().find((l) => String(l['msg']).includes('one-time invite')),
    );
    const code = /inv_[\w-]+/.exec(String(invite?.['msg']))![0];
    const password = 'a password that must never be logged';
    const gql = graphqlClient(apiUrl);
    const signUp = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'sign-up-request-1' },
      body: JSON.stringify({
        query:
          'mutation($i: String!, $p: String!) { signUp(invite: $i, username: "logged", password: $p) { token } }',
        variables: { i: code, p: password },
      }),
    });
    expect(signUp.headers.get('x-request-id')).toBe('sign-up-request-1');
    const { data } = (await signUp.json()) as { data: { signUp: { token: string } } };
    const token = data.signUp.token;
    // Queues a rebuild job.
    const created = await gql<{ createPipeline: { id: string } }>(
      'mutation { createPipeline(name: "logged", spec: { stages: [] }) { id } }',
      {},
      token,
    );
    expect(created.errors).toBeUndefined();
    await fetch(`${apiUrl}/graphql?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { username } }' }),
    });

    // The rebuild job the pipeline queued logs its end, with the job's id.
    const jobLine = await waitFor('a line logged by the rebuild job', async () =>
      lines().find((l) => l['job'] === 'rebuild-timeline' && typeof l['jobId'] === 'string'),
    );
    expect(jobLine).toMatchObject({ queue: 'rebuild', level: 20 });
    expect(String(jobLine['msg'])).toMatch(/^completed in \d+ ms/);

    const requests = await waitFor('the requests logged', async () => {
      const found = lines().filter((l) => l['msg'] === 'request completed');
      return found.length >= 3 ? found : null;
    });
    expect(requests[0]).toMatchObject({
      reqId: 'sign-up-request-1',
      req: { id: 'sign-up-request-1', method: 'POST', path: '/graphql' },
      res: { statusCode: 200 },
    });
    // What the request logged while handled carries its id.
    expect(lines().find((l) => String(l['msg']).includes('user logged signed up'))).toMatchObject({
      reqId: 'sign-up-request-1',
      context: 'AuthService',
      level: 30,
    });
    // Every request has an id of its own, given or generated.
    const ids = requests.map((r) => r['reqId']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(requests.every((r) => typeof r['responseTime'] === 'number')).toBe(true);

    // Neither the password, nor the token (in a header or a query string), nor the invite.
    expect(output).not.toContain(password);
    expect(output).not.toContain(token);
    // The invite only where it is shown to the operator, once; not in the sign-up that used it.
    expect(lines().filter((l) => JSON.stringify(l).includes(code))).toEqual([invite]);
  });

  it('logs a request whose body is not JSON, answered 400', async () => {
    const res = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'malformed-body-1' },
      body: '{"query": "{ me { username } }"',
    });
    expect(res.status).toBe(400);
    const line = await waitFor('the malformed request logged', async () =>
      lines().find((l) => l['reqId'] === 'malformed-body-1' && l['res'] !== undefined),
    );
    expect(line).toMatchObject({
      level: 40,
      req: { id: 'malformed-body-1', method: 'POST', path: '/graphql' },
      res: { statusCode: 400 },
    });
  });
});
