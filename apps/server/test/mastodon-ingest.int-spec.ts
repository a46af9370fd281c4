// Mastodon end to end through the real service: GraphQL linking (OAuth with PKCE, token), backfill,
// sync and the leader's user stream in the worker, against the OpenAPI-validated fake instance.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { credentialsKey } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { registerApp } from '@tributary/connector-mastodon';
import { seal } from '@tributary/db';
import { QueueName, redisConnection } from '@tributary/queue';
import { FakeMastodonServer } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import { Queue } from 'bullmq';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { addSource } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

interface SourceView {
  id: string;
  kind: string;
  externalId: string;
  backfill: { state: string; done: number; target: number };
}
interface AccountView {
  id: string;
  handle: string;
  status: string;
  statusReason: string | null;
  sources: SourceView[];
}

let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Pool;
let ingest: Queue;
let token: string;

// The instance's people: `me` links through OAuth, `second` with a token.
let me: FakeAccount;
let second: FakeAccount;
let friend: FakeAccount; // followed: home
let booster: FakeAccount; // followed: boosts a stranger
let stranger: FakeAccount; // not followed: only seen boosted
let artist: FakeAccount; // list member, not followed
let tagger: FakeAccount; // posts #tributarytest, not followed

const ids: Record<string, string> = {};
let homeCount = 0; // distinct statuses in me's home timeline
let listId = '';
let mainAccountId = '';
let secondAccountId = '';
const sourceIds: Record<'HOME' | 'LIST' | 'HASHTAG', string> = { HOME: '', LIST: '', HASHTAG: '' };

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Rows for a source: SourcePost links and distinct posts behind them. */
const rowsOf = (sourceId: string) =>
  count(`SELECT count(*) AS n FROM "SourcePost" WHERE "sourceId" = $1`, [sourceId]);

const storedIn = (sourceId: string, nativeId: string) =>
  count(
    `SELECT count(*) AS n FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId" WHERE sp."sourceId" = $1 AND p."nativeId" = $2`,
    [sourceId, nativeId],
  );

async function postData(nativeId: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`,
    [nativeId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.data;
}

/** When the status was recorded deleted at origin (the Post.deletedAt column); null while it exists. */
async function deletedAt(nativeId: string): Promise<Date | null> {
  const { rows } = await db.query<{ deletedAt: Date | null }>(
    `SELECT "deletedAt" AT TIME ZONE 'UTC' AS "deletedAt" FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`,
    [nativeId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.deletedAt;
}

interface AuditEntry {
  hidden: boolean;
  hiddenReason: string | null;
  decisions: { stage: string; verdict: string; reason: string | null }[];
  seenIn: { sourceId: string }[];
  post: { text: string; deletedAt: string | null };
}

/** The member's timeline entries of the post with this text (`includeHidden`: the audit too). */
async function entriesOf(text: string, includeHidden: boolean): Promise<AuditEntry[]> {
  const res = await gql<{ timeline: { edges: { node: AuditEntry }[] } }>(
    `query($h: Boolean) { timeline(first: 100, includeHidden: $h) { edges { node {
       hidden hiddenReason decisions { stage verdict reason } seenIn { sourceId } post { text deletedAt } } } } }`,
    { h: includeHidden },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text === text);
}

async function accounts(): Promise<AccountView[]> {
  const res = await gql<{ linkedAccounts: AccountView[] }>(
    '{ linkedAccounts { id handle status statusReason sources { id kind externalId backfill { state done target } } } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.linkedAccounts;
}

beforeAll(async () => {
  fake = await FakeMastodonServer.start();
  me = fake.createAccount('me');
  second = fake.createAccount('second');
  friend = fake.createAccount('friend', { displayName: 'A Friend' });
  booster = fake.createAccount('booster');
  stranger = fake.createAccount('stranger');
  artist = fake.createAccount('artist');
  tagger = fake.createAccount('tagger');
  fake.follow(me, friend);
  fake.follow(me, booster);
  listId = fake.createList(me, 'Artists', [artist]);

  // History before linking: the shapes a timeline has, then enough plain posts for two backfill pages.
  ids['cw'] = fake.post(friend, {
    text: 'the ending of the film',
    spoilerText: 'film spoilers',
    sensitive: true,
  });
  ids['reply'] = fake.post(friend, { text: 'replying to myself', inReplyTo: ids['cw'] });
  ids['quote'] = fake.post(friend, { text: 'quoting this', quoteOf: ids['cw'] });
  ids['media'] = fake.post(friend, {
    text: 'a picture',
    media: [{ type: 'image', description: 'A red bicycle against a wall', width: 640, height: 480 }],
  });
  ids['card'] = fake.post(friend, {
    html: '<p>read <a href="https://news.example/article">this</a></p>',
    card: { url: 'https://news.example/article', title: 'An article', description: 'About things' },
  });
  ids['hostile'] = fake.post(friend, {
    html: '<p>hello<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">click</a><iframe src="https://evil.example"></iframe></p>',
  });
  ids['boosted'] = fake.post(stranger, { text: 'worth boosting' });
  ids['boost'] = fake.boost(booster, ids['boosted']);
  homeCount = 6 + 1; // six of friend's, one boosted original
  for (let n = 0; n < 38; n++) fake.post(friend, { text: `plain post ${n}` });
  homeCount += 38; // 45 > one page of 40, < BACKFILL_DEPTH 50
  for (let n = 0; n < 3; n++) fake.post(artist, { text: `artwork ${n}` });
  for (let n = 0; n < 2; n++)
    fake.post(tagger, { text: `tagged ${n} #tributarytest`, tags: ['tributarytest'] });

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '50',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Pool({ connectionString: instance.databaseUrl, max: 2 });
  ingest = new Queue(QueueName.Ingest, {
    connection: redisConnection(instance.config.REDIS_URL),
    prefix: instance.config.QUEUE_PREFIX,
  });
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "reader", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
});

afterAll(async () => {
  await ingest?.close();
  await db?.end();
  await instance?.stop();
  await fake?.close();
});

describe('Mastodon ingest through the service', () => {
  it('links through OAuth with PKCE (single use, bound to the state) and with a token', async () => {
    // An app registered before Tributary asked for write:media: it is registered again, with it.
    const old = await registerApp(
      fake.origin,
      { clientName: 'Tributary', redirectUri: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write:statuses' },
      { allowHosts: [fake.host], allowHttp: true },
    );
    await db.query(
      `INSERT INTO "MastodonApp" (id, instance, "clientId", "clientSecret", "redirectUri", scopes) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
      [
        fake.origin,
        old.clientId,
        seal(old.clientSecret, credentialsKey(instance.running.apps.at(-1)!.get<Config>(CONFIG))),
        old.redirectUri,
        old.scopes,
      ],
    );
    const started = await gql<{ startMastodonLink: { authorizeUrl: string; state: string } }>(
      'mutation($i: String!) { startMastodonLink(instance: $i) { authorizeUrl state } }',
      { i: fake.origin },
      token,
    );
    const { authorizeUrl, state } = started.data!.startMastodonLink;
    const url = new URL(authorizeUrl);
    expect(url.searchParams.get('client_id')).not.toBe(old.clientId);
    expect(url.searchParams.get('scope')?.split(' ')).toContain('write:media');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe(state);
    const approved = fake.approve(authorizeUrl, me);
    expect(approved.state).toBe(state);

    const wrongState = await gql(
      'mutation($c: String!) { completeMastodonLink(state: "not-a-started-link", code: $c) { id } }',
      { c: approved.code },
      token,
    );
    expect(codeOf(wrongState)).toBe('BAD_USER_INPUT');

    const done = await gql<{ completeMastodonLink: { id: string; handle: string; status: string } }>(
      'mutation($s: String!, $c: String!) { completeMastodonLink(state: $s, code: $c) { id handle status } }',
      { s: state, c: approved.code },
      token,
    );
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeMastodonLink).toMatchObject({ handle: `me@${fake.host}`, status: 'ACTIVE' });
    mainAccountId = done.data!.completeMastodonLink.id;
    // The token request carried the verifier the fake checks against the challenge.
    expect(fake.requests.some((r) => r.path === '/oauth/token')).toBe(true);

    const replay = await gql(
      'mutation($s: String!, $c: String!) { completeMastodonLink(state: $s, code: $c) { id } }',
      { s: state, c: approved.code },
      token,
    );
    expect(codeOf(replay)).toBe('BAD_USER_INPUT');

    const linked = await gql<{ linkMastodonAccount: { id: string; handle: string } }>(
      'mutation($i: String!, $t: String!) { linkMastodonAccount(instance: $i, accessToken: $t) { id handle } }',
      { i: fake.origin, t: fake.issueToken(second) },
      token,
    );
    expect(linked.errors).toBeUndefined();
    secondAccountId = linked.data!.linkMastodonAccount.id;
    expect((await accounts()).map((a) => a.handle).sort()).toEqual([
      `me@${fake.host}`,
      `second@${fake.host}`,
    ]);
  });

  it('adds list and hashtag sources and backfills all three to DONE', async () => {
    for (const [kind, externalId] of [
      ['LIST', listId],
      ['HASHTAG', 'tributarytest'],
    ] as const) {
      sourceIds[kind] = await addSource(gql, token, mainAccountId, kind, externalId);
    }
    const sources = await waitFor('backfill DONE on every source', async () => {
      const main = (await accounts()).find((a) => a.id === mainAccountId);
      return (
        main &&
        main.sources.length === 3 &&
        main.sources.every((s) => s.backfill.state === 'DONE') &&
        main.sources
      );
    });
    sourceIds.HOME = sources.find((s) => s.kind === 'HOME')!.id;
    expect(sources.find((s) => s.kind === 'HOME')!.backfill).toEqual({
      state: 'DONE',
      done: homeCount,
      target: 50,
    });

    // Pagination over two pages (40 + 5) neither duplicated nor skipped anything.
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
    expect(await rowsOf(sourceIds.LIST)).toBe(3);
    expect(await rowsOf(sourceIds.HASHTAG)).toBe(2);
    for (const id of Object.keys(ids).filter((k) => k !== 'boost'))
      expect(await storedIn(sourceIds.HOME, ids[id]!)).toBe(1);
    // The home sync and backfill overlapped: still one Post per status.
    expect(
      await count(`SELECT count(*) - count(DISTINCT uri) AS n FROM "Post" WHERE network = 'MASTODON'`, []),
    ).toBe(0);
  });

  it('stores normalized posts: content warning, reply, quote, media alt text, link card, boost, hostile HTML', async () => {
    const cw = await postData(ids['cw']!);
    expect(cw).toMatchObject({
      contentWarning: 'film spoilers',
      sensitive: true,
      text: 'the ending of the film',
    });
    expect((cw['author'] as { displayName: string }).displayName).toBe('A Friend');

    const reply = await postData(ids['reply']!);
    expect((reply['replyParent'] as { uri: string }).uri).toBe(
      `${fake.origin}/users/friend/statuses/${ids['cw']}`,
    );

    const quote = await postData(ids['quote']!);
    expect((quote['quote'] as { nativeId: string; text: string }).nativeId).toBe(ids['cw']);

    const media = (await postData(ids['media']!))['media'] as { type: string; altText: string | null }[];
    expect(media).toEqual([
      expect.objectContaining({ type: 'image', altText: 'A red bicycle against a wall' }),
    ]);

    const card = await postData(ids['card']!);
    expect(card['linkCard']).toMatchObject({ url: 'https://news.example/article', title: 'An article' });

    const hostile = JSON.stringify(await postData(ids['hostile']!));
    expect(hostile).toContain('hello');
    for (const bad of ['<script', 'alert(', 'javascript:', 'onerror', 'iframe', 'evil.example']) {
      expect(hostile).not.toContain(bad);
    }

    // A boost stores the original once, with who boosted it as the reason in the home source.
    const { rows } = await db.query<{ reason: { by: { handle: string } } | null }>(
      `SELECT sp.reason FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId" WHERE sp."sourceId" = $1 AND p."nativeId" = $2`,
      [sourceIds.HOME, ids['boosted']],
    );
    expect(rows[0]?.reason?.by.handle).toContain('booster');
  });

  it('delivers a new status from the user stream into the store without a manual sync', async () => {
    await waitFor('both user streams open', async () => fake.openStreams >= 2, 45_000);
    const id = fake.post(friend, { text: 'fresh off the stream' });
    await waitFor('the streamed status stored', async () => (await storedIn(sourceIds.HOME, id)) === 1);
    homeCount += 1;
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
  });

  it('delivers new statuses of a list and a followed hashtag from their own streams (no polling)', async () => {
    // POLL_INTERVAL_SECONDS is an hour: only the list and hashtag streams can bring these.
    const listed = fake.post(artist, { text: 'new artwork, streamed' });
    const tagged = fake.post(tagger, { text: 'streamed #tributarytest', tags: ['tributarytest'] });
    await waitFor('the list status stored', async () => (await storedIn(sourceIds.LIST, listed)) === 1);
    await waitFor('the hashtag status stored', async () => (await storedIn(sourceIds.HASHTAG, tagged)) === 1);
    const kinds = fake.requests.filter((r) => r.path === '/api/v1/streaming').map((r) => r.query['stream']);
    expect(new Set(kinds)).toEqual(new Set(['user', 'list', 'hashtag']));
  });

  it('references the parent of a later reply by its URI when the parent is stored', async () => {
    const id = fake.post(friend, { text: 'a late reply', inReplyTo: ids['media'] });
    await waitFor('the reply stored', async () => (await storedIn(sourceIds.HOME, id)) === 1);
    homeCount += 1;
    expect((await postData(id))['replyParent']).toEqual({
      uri: `${fake.origin}/users/friend/statuses/${ids['media']}`,
      authorNetworkId: `${fake.origin}/users/friend`,
    });
  });

  it('applies an edit streamed as status.update to the stored post', async () => {
    const id = fake.post(friend, { text: 'before the edit' });
    await waitFor('the status stored', async () => (await storedIn(sourceIds.HOME, id)) === 1);
    homeCount += 1;
    fake.editStatus(id, { text: 'after the edit', spoilerText: 'now with a warning' });
    await waitFor('the edit stored', async () => (await postData(id))['text'] === 'after the edit');
    expect((await postData(id))['contentWarning']).toBe('now with a warning');
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
  });

  it('takes a status deleted at origin (streamed delete) off the timeline, keeping it in the audit', async () => {
    const text = `deleted at origin ${Date.now()}`;
    const shown = async (includeHidden: boolean) => {
      const res = await gql<{
        timeline: {
          edges: { node: { hidden: boolean; hiddenReason: string | null; post: { text: string } } }[];
        };
      }>(
        'query($h: Boolean) { timeline(first: 100, includeHidden: $h) { edges { node { hidden hiddenReason post { text } } } } }',
        { h: includeHidden },
        token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text === text);
    };
    const id = fake.post(friend, { text });
    await waitFor('the status shown', async () => (await shown(false)).length === 1);
    homeCount += 1;
    fake.deleteStatus(id);
    await waitFor('the status gone from the timeline', async () => (await shown(false)).length === 0);
    expect(await shown(true)).toEqual([{ hidden: true, hiddenReason: 'deleted at origin', post: { text } }]);
    expect(await deletedAt(id)).toBeInstanceOf(Date);
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
  });

  it('keeps a deleted status deleted when a later sync stores it again', async () => {
    const tag = `stale${Date.now()}`;
    const text = `deleted, then listed again #${tag}`;
    const id = fake.post(friend, { text, tags: [tag] });
    await waitFor('the status shown', async () => (await entriesOf(text, false)).length === 1);
    homeCount += 1;
    // The delete is streamed, but the instance's tag timeline still lists the status, as a page read
    // just before the delete would.
    fake.deleteStatus(id, { staleIn: ['tag'] });
    await waitFor('the status gone', async () => (await entriesOf(text, false)).length === 0);
    // A source added now backfills that timeline: the status is stored again (its data rewritten)
    // and the member's pipelines run over it with the new source.
    const sourceId = await addSource(gql, token, secondAccountId, 'HASHTAG', tag);
    const [entry] = await waitFor('the pipelines run over it with the new source', async () => {
      const found = await entriesOf(text, true);
      return found.length === 1 && found[0]!.seenIn.some((s) => s.sourceId === sourceId) && found;
    });
    expect(await storedIn(sourceId, id)).toBe(1);
    expect(entry).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
      decisions: [{ stage: 'input', verdict: 'HIDE', reason: 'deleted at origin' }],
      post: { deletedAt: expect.any(String) },
    });
    expect(await entriesOf(text, false)).toEqual([]);
    // One record of the delete, which no sync writes: the column, not the data.
    expect(new Date(entry!.post.deletedAt!)).toEqual(await deletedAt(id));
    expect(await postData(id)).not.toHaveProperty('deletedAt');
  });

  it('stores a status deleted before any sync stored it as deleted (its delete is remembered)', async () => {
    const tag = `early${Date.now()}`;
    const text = `deleted before it was stored #${tag}`;
    // Nobody follows the stranger or the tag: nothing stores the status before its delete, which
    // reaches the instance's other streams while the tag's timeline still lists the status.
    const id = fake.post(stranger, { text, tags: [tag] });
    fake.deleteStatus(id, { staleIn: ['tag'] });
    await waitFor('the delete remembered', async () =>
      (await count(`SELECT count(*) AS n FROM "StatusTombstone" WHERE "nativeId" = $1`, [id])) === 1
        ? true
        : false,
    );
    expect(
      await count(`SELECT count(*) AS n FROM "Post" WHERE network = 'MASTODON' AND "nativeId" = $1`, [id]),
    ).toBe(0);
    // A source added now backfills that timeline and stores the status: deleted, never shown.
    const sourceId = await addSource(gql, token, secondAccountId, 'HASHTAG', tag);
    const [entry] = await waitFor('the pipelines run over it', async () => {
      const found = await entriesOf(text, true);
      return found.length === 1 && found;
    });
    expect(await storedIn(sourceId, id)).toBe(1);
    expect(entry).toMatchObject({
      hidden: true,
      hiddenReason: 'deleted at origin',
      post: { deletedAt: expect.any(String) },
    });
    expect(await entriesOf(text, false)).toEqual([]);
  });

  it("shows a poll in the timeline: options, counts, expiry, and no member's own vote", async () => {
    const text = `a poll ${Date.now()}`;
    fake.post(friend, {
      text,
      poll: { options: ['left', 'right'], expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    const node = await waitFor('the poll shown', async () => {
      const res = await gql<{
        timeline: { edges: { node: { post: { text: string; poll: unknown; deletedAt: string | null } } }[] };
      }>(
        `{ timeline(first: 100) { edges { node { post { text deletedAt
          poll { options { title votes } expiresAt expired multiple votes voters } } } } } }`,
        {},
        token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.timeline.edges.find((e) => e.node.post.text === text)?.node;
    });
    homeCount += 1;
    expect(node.post).toEqual({
      text,
      deletedAt: null,
      poll: {
        options: [
          { title: 'left', votes: 0 },
          { title: 'right', votes: 0 },
        ],
        expiresAt: '2099-01-01T00:00:00.000Z',
        expired: false,
        multiple: false,
        votes: 0,
        voters: 0,
      },
    });
  });

  it('moves an account to NEEDS_REAUTH when the streaming API refuses its token', async () => {
    fake.revokeTokens(second);
    fake.dropStreams(); // both reconnect; second's token is refused at the upgrade
    const reauth = await waitFor('second in NEEDS_REAUTH', async () => {
      const a = (await accounts()).find((x) => x.id === secondAccountId);
      return a?.status === 'NEEDS_REAUTH' && a;
    });
    expect(reauth.statusReason).toMatch(/streaming/);
    // main's home, list and hashtag streams
    await waitFor('main streams back', async () => fake.openStreams === 3);
  });

  it('reconnects a dropped stream and catches up what it missed, without gaps or duplicates', async () => {
    const before = fake.requests.length;
    fake.dropStreams({ stayDown: true });
    // More than one page (40): the catch-up sync finds a full page above its marker and pages back.
    const missed = Array.from({ length: 45 }, (_, n) => fake.post(friend, { text: `while down ${n}` }));
    await new Promise((r) => setTimeout(r, 500));
    fake.restoreStreaming();
    for (const id of missed) {
      await waitFor(
        `missed status ${id} caught up`,
        async () => (await storedIn(sourceIds.HOME, id)) === 1,
        60_000,
      );
    }
    homeCount += missed.length;
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
    const pagedBack = fake.requests
      .slice(before)
      .filter((r) => r.path === '/api/v1/timelines/home' && r.query['since_id'] && r.query['max_id']);
    expect(pagedBack.length).toBeGreaterThanOrEqual(1);
    await waitFor('streams open again', async () => fake.openStreams === 3);
    const after = fake.post(friend, { text: 'after the reconnect' });
    await waitFor('post-reconnect status stored', async () => (await storedIn(sourceIds.HOME, after)) === 1);
    homeCount += 1;
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
  });

  it('waits out a 429 (job delayed, not failed)', async () => {
    fake.failNext(429, { resetInSeconds: 3, pathPrefix: '/api/v1/timelines/home' });
    const id = fake.post(friend, { text: 'rate limited at first' });
    const delayed = await waitFor('a delayed sync-source job', async () =>
      (await ingest.getDelayed()).find((j) => j.name === 'sync-source' && j.data.sourceId === sourceIds.HOME),
    );
    await waitFor(
      'the status stored after the reset',
      async () => (await storedIn(sourceIds.HOME, id)) === 1,
    );
    homeCount += 1;
    expect(await rowsOf(sourceIds.HOME)).toBe(homeCount);
    // The row lands before the job finishes its bookkeeping: wait for the job itself to complete.
    await waitFor('the delayed job to complete', async () =>
      /completed|unknown/.test((await (await ingest.getJob(delayed.id!))?.getState()) ?? 'unknown'),
    );
    expect(await ingest.getFailedCount()).toBe(0);
  });

  it('moves the account to NEEDS_REAUTH when a sync gets 401, visible in GraphQL', async () => {
    fake.failNext(401, { pathPrefix: '/api/v1/timelines/home' });
    fake.post(friend, { text: 'this sync is refused' });
    const main = await waitFor('main in NEEDS_REAUTH', async () => {
      const a = (await accounts()).find((x) => x.id === mainAccountId);
      return a?.status === 'NEEDS_REAUTH' && a;
    });
    expect(main.statusReason).toBeTruthy();
    // No retries of a refused token: the job failed for good, once.
    const failed = await ingest.getFailed();
    expect(failed.map((j) => j.data.sourceId)).toEqual([sourceIds.HOME]);
    expect(failed[0]!.attemptsMade).toBe(1);
  });

  it('the fake instance saw no violation of the OpenAPI description', () => {
    expect(fake.violations).toEqual([]);
  });
});
