// A Mastodon-API server without a streaming API (the fake's single-user personality): found out
// once, shown as POLLING on the account, kept fresh by polling every POLL_INTERVAL_SECONDS, with one
// sync per poll and no reconnect loop.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, SINGLE_USER_SERVER } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

const POLL_INTERVAL_SECONDS = 10;

let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Pool;
let token: string;
let author: FakeAccount;

const upgrades = () => fake.requests.filter((r) => r.path === '/api/v1/streaming').length;

async function stored(nativeId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`, [
    nativeId,
  ]);
  return rows.length === 1;
}

beforeAll(async () => {
  fake = await FakeMastodonServer.start(SINGLE_USER_SERVER);
  const reader = fake.createAccount('reader');
  author = fake.createAccount('author');
  fake.follow(reader, author);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
    BACKFILL_DEPTH: '0',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Pool({ connectionString: instance.databaseUrl, max: 2 });
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "reader", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
  const linked = await gql(
    'mutation($i: String!, $t: String!) { linkMastodonAccount(instance: $i, accessToken: $t) { id } }',
    { i: fake.origin, t: fake.issueToken(reader) },
    token,
  );
  expect(linked.errors).toBeUndefined();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('a Mastodon-API server without streaming', () => {
  it('is found out once and the account shows POLLING with the configured interval', async () => {
    const account = await waitFor('the account polling', async () => {
      const res = await gql<{ linkedAccounts: { freshness: string; pollIntervalSeconds: number | null }[] }>(
        '{ linkedAccounts { freshness pollIntervalSeconds } }',
        {},
        token,
      );
      const a = res.data?.linkedAccounts[0];
      return a?.freshness === 'POLLING' && a;
    });
    expect(account.pollIntervalSeconds).toBe(POLL_INTERVAL_SECONDS);
  });

  it('polls every POLL_INTERVAL_SECONDS, one sync per poll, and never tries the stream again', async () => {
    const firstPages = () =>
      fake.requests.filter((r) => r.path === '/api/v1/timelines/home' && !r.query['max_id']).length;
    const before = firstPages();
    const one = fake.post(author, { text: 'polled, not streamed' });
    await waitFor('the first status polled', () => stored(one), 90_000);
    const two = fake.post(author, { text: 'the next poll' });
    await waitFor('the second status polled', () => stored(two), 90_000);
    // Two statuses, two polls apart: a poll is one sync (no second request for the same poll).
    expect(firstPages() - before).toBeLessThanOrEqual(3);
    expect(upgrades()).toBe(1);
    expect(fake.violations).toEqual([]);
  });
});
