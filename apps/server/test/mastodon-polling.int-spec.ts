// A Mastodon-API server without a streaming API (the fake's single-user personality): found out
// once, shown as POLLING on the account, kept fresh by polling every POLL_INTERVAL_SECONDS, with one
// sync per poll and no reconnect loop.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FakeMastodonServer, SINGLE_USER_SERVER } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { RECHECK_PAGE } from '../../worker/src/ingest/origin-changes.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { addSource, linkMastodon } from './link-accounts.js';
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
let accountId: string;

const upgrades = () => fake.requests.filter((r) => r.path === '/api/v1/streaming').length;

interface Item {
  hidden: boolean;
  hiddenReason: string | null;
  decisions: { stage: string; verdict: string; reason: string | null }[];
  seenIn: { sourceId: string }[];
  post: { text: string; deletedAt: string | null };
}

async function timeline(includeHidden: boolean, stamp: string): Promise<Item[]> {
  const res = await gql<{ timeline: { edges: { node: Item }[] } }>(
    `query($h: Boolean) { timeline(first: 100, includeHidden: $h) { edges { node {
       hidden hiddenReason decisions { stage verdict reason } seenIn { sourceId } post { text deletedAt } } } } }`,
    { h: includeHidden },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text.includes(stamp));
}

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
  accountId = await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
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
    // A sync's first pages (the edit/deletion re-check reads a page of its own size, RECHECK_PAGE).
    const firstPages = () =>
      fake.requests.filter(
        (r) =>
          r.path === '/api/v1/timelines/home' &&
          !r.query['max_id'] &&
          r.query['limit'] !== String(RECHECK_PAGE),
      ).length;
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

  it('applies edits and deletions at origin at the next poll: a deleted status stays in the audit only', async () => {
    const stamp = `origin-${Date.now()}`;
    const edited = fake.post(author, { text: `${stamp} before the edit` });
    const deleted = fake.post(author, { text: `${stamp} soon deleted` });
    fake.post(author, { text: `${stamp} untouched` });
    await waitFor(
      'the three statuses shown',
      async () => (await timeline(false, stamp)).length === 3,
      90_000,
    );
    fake.editStatus(edited, { text: `${stamp} after the edit` });
    fake.deleteStatus(deleted);
    const visible = await waitFor(
      'the edit and the deletion polled',
      async () => {
        const items = await timeline(false, stamp);
        const texts = items.map((i) => i.post.text).sort();
        return texts.length === 2 && texts[0]!.endsWith('after the edit') && items;
      },
      90_000,
    );
    expect(visible.map((i) => i.post.text).sort()).toEqual([`${stamp} after the edit`, `${stamp} untouched`]);
    const audit = await timeline(true, stamp);
    expect(audit.find((i) => i.post.text === `${stamp} soon deleted`)).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
    });
    expect(fake.violations).toEqual([]);
  });

  it('keeps a status found deleted at a poll deleted when a later sync stores it again', async () => {
    const tag = `stale${Date.now()}`;
    const id = fake.post(author, { text: `${tag} polled, deleted, listed again`, tags: [tag] });
    await waitFor('the status shown', async () => (await timeline(false, tag)).length === 1, 90_000);
    // Gone from the home timeline (the re-check finds it missing, then 404), still listed by the
    // tag's timeline, as a page read just before the delete would.
    fake.deleteStatus(id, { staleIn: ['tag'] });
    await waitFor('the deletion polled', async () => (await timeline(false, tag)).length === 0, 90_000);
    const sourceId = await addSource(gql, token, accountId, 'HASHTAG', tag);
    const [entry] = await waitFor(
      'the pipelines run over it with the new source',
      async () => {
        const found = await timeline(true, tag);
        return found.length === 1 && found[0]!.seenIn.some((s) => s.sourceId === sourceId) && found;
      },
      90_000,
    );
    expect(entry).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
      decisions: [{ stage: 'input', verdict: 'HIDE', reason: 'deleted at origin' }],
      post: { deletedAt: expect.any(String) },
    });
    expect(await timeline(false, tag)).toEqual([]);
    const { rows } = await db.query<{ deletedAt: Date | null; data: object }>(
      `SELECT "deletedAt" AT TIME ZONE 'UTC' AS "deletedAt", data FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`,
      [id],
    );
    expect(rows[0]!.deletedAt).toEqual(new Date(entry!.post.deletedAt!));
    expect(rows[0]!.data).not.toHaveProperty('deletedAt');
    expect(fake.violations).toEqual([]);
  });
});
