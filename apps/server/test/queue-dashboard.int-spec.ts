// The queue dashboard (bull-board) at /admin/queues: administrators only, with their API token as
// the password a browser prompts for, or as a bearer token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

let instance: TestInstance;
let adminToken: string;
let memberToken: string;

async function signUp(role: 'ADMIN' | 'MEMBER', username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, role);
  const res = await graphqlClient(instance.apiUrl)<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: username },
  );
  return res.data!.signUp.token;
}

const basic = (token: string) => `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}`;
const get = (path: string, authorization?: string) =>
  fetch(`${instance.apiUrl}${path}`, { headers: authorization ? { authorization } : {} });

beforeAll(async () => {
  instance = await startTestInstance();
  adminToken = await signUp('ADMIN', 'queue_admin');
  memberToken = await signUp('MEMBER', 'queue_member');
});

afterAll(async () => {
  await instance?.stop();
});

describe('the queue dashboard', () => {
  it('asks a browser for credentials, and refuses a bad token', async () => {
    const anonymous = await get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await get('/admin/queues', basic('not-a-token'))).status).toBe(401);
    expect((await get('/admin/queues/api/queues', 'Bearer not-a-token')).status).toBe(401);
  });

  it('refuses members, the page and its API alike', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/api/queues/pipeline/retry/failed',
    ]) {
      expect((await get(path, basic(memberToken))).status).toBe(403);
      expect((await get(path, `Bearer ${memberToken}`)).status).toBe(403);
    }
    const retry = await fetch(`${instance.apiUrl}/admin/queues/api/queues/pipeline/retry/failed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${memberToken}` },
    });
    expect(retry.status).toBe(403);
  });

  it('shows administrators every queue', async () => {
    const page = await get('/admin/queues', basic(adminToken));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await get('/admin/queues/api/queues', `Bearer ${adminToken}`);
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string }[] };
    expect(queues.map((q) => q.name).sort()).toEqual([
      'actions',
      'ingest',
      'maintenance',
      'pipeline',
      'rebuild',
    ]);
  });
});
