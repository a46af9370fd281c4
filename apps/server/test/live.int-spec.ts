// Subscriptions end to end: a real graphql-ws client against a real Tributary (API + worker) and
// the reference Bluesky network. Connections are authenticated at `connection_init`; a post made
// on the network reaches `timelineUpdated` through ingest, the pipeline worker and Redis; a revoked
// app password reaches `accountStatusChanged`; nobody ever receives another user's events; clients
// that leave leave nothing subscribed behind.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AccountsService } from '@tributary/accounts';
import { AccountStatus } from '@tributary/core';
import { EventPublisher } from '@tributary/queue';
import { blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import pg from 'pg';
import type { INestApplicationContext } from '@nestjs/common';
import { AuthService } from '../../api/src/auth/auth.service.js';
import {
  GraphqlWsServer,
  OPERATIONS_PER_MINUTE,
  REFUSALS_PER_CONNECTION,
} from '../../api/src/live/graphql-ws.server.js';
import { UserEventsService } from '../../api/src/live/user-events.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import { LiveSubscription, liveClient } from '../../api/src/testing/graphql-ws-client.js';
import type { LiveClient } from '../../api/src/testing/graphql-ws-client.js';
import { BlueskyFirehoseService } from '../../worker/src/streams/bluesky-firehose.service.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkBluesky } from './link-accounts.js';

jest.setTimeout(150_000);

interface Member {
  id: string;
  token: string;
  tokenId: string;
  pipelineId: string;
  bluesky: TestBlueskyAccount;
  accountId: string;
}

interface TimelineUpdate {
  timelineUpdated: {
    pipelineId: string;
    rebuilt: boolean;
    items: { id: string; pipelineId: string; hidden: boolean; post: { uri: string; text: string } }[];
  };
}
interface AccountChange {
  accountStatusChanged: { id: string; status: string; statusReason: string | null };
}
interface ActionChange {
  actionUpdated: { id: string; kind: string; status: string; linkedAccountId: string };
}

const TIMELINE = `subscription($p: ID) { timelineUpdated(pipeline: $p) {
  pipelineId rebuilt items { id pipelineId hidden post { uri text } } } }`;
const ACCOUNTS = 'subscription { accountStatusChanged { id status statusReason } }';
const ACTIONS = 'subscription { actionUpdated { id kind status linkedAccountId } }';

let instance: TestInstance;
let api: INestApplicationContext;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let redis: Redis;
let net: BlueskyNetworkClient;
let author: TestBlueskyAccount;
let alice: Member;
let bob: Member;
const clients: LiveClient[] = [];

function connect(token?: string): LiveClient {
  const live = liveClient(instance.apiUrl, token);
  clients.push(live);
  return live;
}

function listeners(): number {
  return api.get(UserEventsService).stats.listeners;
}

/**
 * Resolves once Redis confirmed the API's subscription to `channel` and the API holds at least
 * `total` listeners (each registers before its channel is subscribed): events published from then
 * on are delivered. Fails at once with the server's answer if one of `subs` ended instead.
 */
async function subscribed(
  channel: string,
  total: number,
  subs: { isCompleted: boolean; next(timeoutMs?: number): Promise<unknown> }[] = [],
): Promise<void> {
  const events = api.get(UserEventsService);
  await waitFor(`${total} listener(s), ${channel} subscribed`, async () => {
    const ended = subs.find((sub) => sub.isCompleted);
    if (ended) throw new Error(`a subscription ended: ${JSON.stringify(await ended.next(0))}`);
    const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count) === 1 && events.stats.listeners >= total;
  });
}

async function member(name: string): Promise<Member> {
  const { code } = await api.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string; tokenInfo: { id: string }; user: { id: string } } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token tokenInfo { id } user { id } } }',
    { i: code, u: name },
  );
  const { token, tokenInfo, user } = res.data!.signUp;
  const bluesky = await net.createAccount(name);
  await bluesky.agent.follow(author.did);
  const accountId = await linkBluesky(gql, token, bluesky, net.info.pdsUrl);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM "Pipeline" WHERE "userId" = $1 AND "isDefault"`,
    [user.id],
  );
  return {
    id: user.id,
    token,
    tokenId: tokenInfo.id,
    pipelineId: rows[0]!.id,
    bluesky,
    accountId,
  };
}

async function entryOwner(entryId: string): Promise<{ userId: string; pipelineId: string; uri: string }> {
  const { rows } = await db.query<{ userId: string; pipelineId: string; uri: string }>(
    `SELECT e."userId", e."pipelineId", p.uri FROM "TimelineEntry" e JOIN "Post" p ON p.id = e."postId" WHERE e.id = $1`,
    [entryId],
  );
  return rows[0]!;
}

beforeAll(async () => {
  net = await blueskyNetwork();
  instance = await startTestInstance({ ROLE: 'all', POLL_INTERVAL_SECONDS: '3600', BACKFILL_DEPTH: '10' });
  api = instance.running.apps.at(-1)!; // the API starts last
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  redis = new Redis(instance.config.REDIS_URL);
  author = await net.createAccount('live-author');
  alice = await member('live-alice');
  bob = await member('live-bob');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  redis?.disconnect();
  await db?.end();
  await instance?.stop();
});

describe('graphql-ws connections', () => {
  it('refuses a connection without a token, with a malformed or unknown token, and with a revoked one', async () => {
    const none = await connect().closed;
    expect(none.code).toBe(4401);
    expect(none.reason).toMatch(/connectionParams.*authorization.*Bearer/);

    const unknown = await connect('not-a-real-token').closed;
    expect(unknown).toEqual({ code: 4401, reason: expect.stringMatching(/invalid, expired or revoked/) });

    const malformed = liveClient(instance.apiUrl, undefined, { authorization: alice.token }); // no "Bearer"
    clients.push(malformed);
    expect((await malformed.closed).code).toBe(4401);

    const login = await gql<{ login: { token: string; tokenInfo: { id: string } } }>(
      'mutation { login(username: "live-alice", password: "long enough password") { token tokenInfo { id } } }',
    );
    const { token, tokenInfo } = login.data!.login;
    const before = connect(token);
    await before.acknowledged;
    const revoked = await gql(
      'mutation($id: ID!) { revokeToken(id: $id) { id } }',
      { id: tokenInfo.id },
      alice.token,
    );
    expect(revoked.errors).toBeUndefined();
    expect((await connect(token).closed).code).toBe(4401);
    // A connection opened before the revocation is closed at once (the revocation is announced).
    expect(await before.closed).toEqual({ code: 4401, reason: expect.stringMatching(/revoked/) });
  });

  it('closes an open connection once its token is revoked', async () => {
    const server = api.get(GraphqlWsServer);
    const login = await gql<{ login: { token: string; tokenInfo: { id: string } } }>(
      'mutation { login(username: "live-bob", password: "long enough password") { token tokenInfo { id } } }',
    );
    const { token, tokenInfo } = login.data!.login;
    server.recheckMs = 200; // instead of 30 s, for this connection only
    const live = connect(token);
    await live.acknowledged;
    server.recheckMs = 30_000;
    await gql('mutation($id: ID!) { revokeToken(id: $id) { id } }', { id: tokenInfo.id }, bob.token);
    expect(await live.closed).toEqual({ code: 4401, reason: expect.stringMatching(/revoked/) });
  });

  it("refuses timelineUpdated for another user's pipeline or an unknown one with NOT_FOUND", async () => {
    const live = connect(bob.token);
    for (const p of [alice.pipelineId, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const sub = new LiveSubscription<TimelineUpdate>(live.client, TIMELINE, { p });
      const result = await sub.next();
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(JSON.stringify(result)).not.toContain(alice.id);
    }
    // Nothing was subscribed on the way.
    expect(listeners()).toBe(0);
  });
});

describe('subscriptions', () => {
  it('delivers a new Bluesky post as timelineUpdated to each follower, with their own entry only', async () => {
    const firehose = instance.running.apps[0]!.get(BlueskyFirehoseService);
    await waitFor(
      "firehose consumer with both accounts' follows loaded",
      async () => firehose.status.ready >= 2,
    );
    const base = listeners();
    const aliceLive = connect(alice.token);
    const bobLive = connect(bob.token);
    const aliceDefault = new LiveSubscription<TimelineUpdate>(aliceLive.client, TIMELINE);
    const aliceNamed = new LiveSubscription<TimelineUpdate>(aliceLive.client, TIMELINE, {
      p: alice.pipelineId,
    });
    const bobDefault = new LiveSubscription<TimelineUpdate>(bobLive.client, TIMELINE);
    await subscribed(`timeline:${alice.id}:${alice.pipelineId}`, base + 3, [
      aliceDefault,
      aliceNamed,
      bobDefault,
    ]);
    await subscribed(`timeline:${bob.id}:${bob.pipelineId}`, base + 3, [
      aliceDefault,
      aliceNamed,
      bobDefault,
    ]);

    const text = `Live to the subscribers ${Date.now()}`;
    const post = await author.agent.post({ text });
    for (const [who, sub] of [
      [alice, aliceDefault],
      [alice, aliceNamed],
      [bob, bobDefault],
    ] as const) {
      const { data, errors } = await sub.next(60_000);
      expect(errors).toBeUndefined();
      const update = data!.timelineUpdated;
      expect(update).toMatchObject({ pipelineId: who.pipelineId, rebuilt: false });
      expect(update.items).toEqual([
        expect.objectContaining({ pipelineId: who.pipelineId, hidden: false, post: { uri: post.uri, text } }),
      ]);
      // The entry is the subscriber's own row, not merely a post they could also see.
      expect(await entryOwner(update.items[0]!.id)).toEqual({
        userId: who.id,
        pipelineId: who.pipelineId,
        uri: post.uri,
      });
    }
    for (const sub of [aliceDefault, aliceNamed, bobDefault]) expect(sub.pending).toBe(0);
  });

  it('tells a subscriber when their pipeline was rebuilt', async () => {
    const base = listeners();
    const sub = new LiveSubscription<TimelineUpdate>(connect(alice.token).client, TIMELINE);
    await subscribed(`timeline:${alice.id}:${alice.pipelineId}`, base + 1, [sub]);
    await api
      .get(EventPublisher)
      .publish({ type: 'timeline-rebuilt', userId: alice.id, pipelineId: alice.pipelineId, version: 2 });
    expect((await sub.next()).data?.timelineUpdated).toEqual({
      pipelineId: alice.pipelineId,
      rebuilt: true,
      items: [],
    });
  });

  it("delivers actionUpdated from the user's own actions only, read back scoped by the user", async () => {
    const base = listeners();
    const aliceSub = new LiveSubscription<ActionChange>(connect(alice.token).client, ACTIONS);
    const bobSub = new LiveSubscription<ActionChange>(connect(bob.token).client, ACTIONS);
    await subscribed(`action:${alice.id}`, base + 2, [aliceSub, bobSub]);
    await subscribed(`action:${bob.id}`, base + 2, [aliceSub, bobSub]);
    const insert = async (m: Member, status: string) => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO "OutboundAction" (id, "userId", "linkedAccountId", kind, payload, status, attempts, "updatedAt")
         VALUES (gen_random_uuid(), $1, $2, 'LIKE', $3, $4, 1, now()) RETURNING id`,
        [m.id, m.accountId, JSON.stringify({ network: 'BLUESKY', postId: '1' }), status],
      );
      return rows[0]!.id;
    };
    const publisher = api.get(EventPublisher);
    const alicesAction = await insert(alice, 'DONE');
    await publisher.publish({ type: 'action', userId: alice.id, actionId: alicesAction });
    // A forged message on Bob's channel naming Alice's action: read scoped by Bob, it is not found.
    await publisher.publish({ type: 'action', userId: bob.id, actionId: alicesAction });
    const bobsAction = await insert(bob, 'FAILED');
    await publisher.publish({ type: 'action', userId: bob.id, actionId: bobsAction });

    expect((await aliceSub.next()).data?.actionUpdated).toEqual({
      id: alicesAction,
      kind: 'LIKE',
      status: 'DONE',
      linkedAccountId: alice.accountId,
    });
    // Bob's first delivery is his own action: Alice's was never sent to him.
    expect((await bobSub.next()).data?.actionUpdated).toMatchObject({ id: bobsAction, status: 'FAILED' });
    expect(aliceSub.pending + bobSub.pending).toBe(0);
  });

  it('delivers accountStatusChanged when a revoked app password moves the account to NEEDS_REAUTH', async () => {
    const base = listeners();
    const aliceSub = new LiveSubscription<AccountChange>(connect(alice.token).client, ACCOUNTS);
    const bobSub = new LiveSubscription<AccountChange>(connect(bob.token).client, ACCOUNTS);
    await subscribed(`account:${alice.id}`, base + 2, [aliceSub, bobSub]);
    await subscribed(`account:${bob.id}`, base + 2, [aliceSub, bobSub]);

    await alice.bluesky.agent.com.atproto.server.revokeAppPassword({ name: alice.bluesky.appPasswordName });
    // It shows at the next refresh (access tokens are not checked against revocation): two hours
    // later by this process's clock, when the access token is about to expire.
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2 * 3600_000);
    let change: AccountChange['accountStatusChanged'] | undefined;
    try {
      // A post by someone the account follows makes the stream ask for a sync, which finds the session revoked.
      await author.agent.post({ text: `After Alice's revocation ${realNow()}` });
      change = (await aliceSub.next(60_000)).data?.accountStatusChanged;
    } finally {
      clock.mockRestore();
    }
    expect(change).toMatchObject({ id: alice.accountId, status: 'NEEDS_REAUTH' });
    expect(change?.statusReason).toBeTruthy();

    // Bob's first event is about his own account, though Alice's change happened before it.
    await api.get(AccountsService).setStatus(bob.accountId, AccountStatus.Error, 'made up for the test');
    expect((await bobSub.next()).data?.accountStatusChanged).toEqual({
      id: bob.accountId,
      status: 'ERROR',
      statusReason: 'made up for the test',
    });
    expect(bobSub.pending).toBe(0);
    // Alice may see her account change more than once (its reason updated); never anyone else's.
    while (aliceSub.pending > 0) {
      expect((await aliceSub.next()).data?.accountStatusChanged.id).toBe(alice.accountId);
    }
  });

  it('leaves no listener, channel or Redis subscription behind when clients go away', async () => {
    const base = listeners();
    const live = connect(alice.token);
    const subs = [
      new LiveSubscription(live.client, TIMELINE),
      new LiveSubscription(live.client, ACCOUNTS),
      new LiveSubscription(live.client, ACTIONS),
    ];
    await subscribed(`action:${alice.id}`, base + 3, subs);
    subs[0]!.stop(); // one completed by the client, the rest by closing the socket
    await Promise.all(clients.map((c) => c.dispose()));
    const events = api.get(UserEventsService);
    await waitFor(
      'no listeners left',
      async () => events.stats.listeners === 0 && events.stats.channels === 0,
    );
    for (const m of [alice, bob]) {
      for (const channel of [`timeline:${m.id}:${m.pipelineId}`, `account:${m.id}`, `action:${m.id}`]) {
        await waitFor(`${channel} unsubscribed`, async () => {
          const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
          return Number(count) === 0;
        });
      }
    }
  });
});

describe('limits over graphql-ws', () => {
  // An API of its own with tight limits: what HTTP refuses, the WebSocket refuses the same way.
  let limited: TestInstance;
  let live: LiveClient;
  let token: string;

  beforeAll(async () => {
    limited = await startTestInstance({
      ROLE: 'api',
      GRAPHQL_MAX_DEPTH: '3',
      GRAPHQL_MAX_COST: '20',
      HTTP_BODY_MAX_MB: '1',
      LIVE_SUBSCRIPTIONS_PER_CONNECTION: '3',
      LIVE_SUBSCRIPTIONS_PER_USER: '5',
      LIVE_CONNECTIONS_PER_USER: '3',
    });
    const { code } = await limited.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
    const res = await graphqlClient(limited.apiUrl)<{ signUp: { token: string } }>(
      'mutation($i: String!) { signUp(invite: $i, username: "limited", password: "long enough password") { token } }',
      { i: code },
    );
    token = res.data!.signUp.token;
    live = liveClient(limited.apiUrl, token);
    await live.acknowledged;
  });

  afterAll(async () => {
    await live?.dispose();
    await limited?.stop();
  });

  it('refuses over-deep and over-costly operations, and malformed ones, with a clear error', async () => {
    const deep = new LiveSubscription(
      live.client,
      'subscription { timelineUpdated { items { post { uri } } } }',
    );
    const deepError = (await deep.next()).errors?.[0];
    expect(deepError?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth', maxDepth: 3 });
    expect(deepError?.message).toMatch(/nested 4 levels deep; at most 3/);

    const costly = new LiveSubscription(live.client, '{ timeline(first: 100) { edges { cursor } } }');
    expect((await costly.next()).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'cost',
      maxCost: 20,
    });

    const broken = new LiveSubscription(live.client, 'subscription { timelineUpdated { pipelineId');
    expect(codeOf(await broken.next())).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = new LiveSubscription(live.client, 'subscription { nope }');
    expect(codeOf(await unknown.next())).toBe('GRAPHQL_VALIDATION_FAILED');

    // A fragment bomb is refused by its expanded size, at once (over 2 s of blocked event loop before).
    let bomb = 'query { ...F0 }';
    for (let i = 0; i < 15; i++)
      bomb += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`;
    const exploded = new LiveSubscription(live.client, `${bomb} fragment F15 on Query { __typename }`);
    expect((await exploded.next()).errors?.map((e) => e.extensions?.['limit'])).toEqual([
      'rootFields',
      'fields',
    ]);

    // Within the limits it subscribes (the connection stayed open through the refusals).
    const fine = new LiveSubscription(live.client, 'subscription { timelineUpdated { pipelineId } }');
    const events = limited.running.apps.at(-1)!.get(UserEventsService);
    await waitFor('subscribed', async () => events.stats.listeners === 1);
    fine.stop();
    await waitFor('unsubscribed', async () => events.stats.listeners === 0);
  });

  it('caps subscriptions per connection and per user, and connections per user', async () => {
    const events = limited.running.apps.at(-1)!.get(UserEventsService);
    const active = (n: number) => waitFor(`${n} subscriptions`, async () => events.stats.listeners === n);
    const subscribe = (client: LiveClient) =>
      new LiveSubscription(client.client, 'subscription { actionUpdated { id } }');
    const first = [subscribe(live), subscribe(live), subscribe(live)];
    const overConnection = (await subscribe(live).next()).errors?.[0];
    expect(overConnection?.extensions).toEqual({
      code: 'RATE_LIMITED',
      limit: 'subscriptionsPerConnection',
      max: 3,
    });
    expect(overConnection?.message).toBe('at most 3 subscriptions per connection; complete one first');
    // A completed one makes room.
    first[0]!.stop();
    first[0] = subscribe(live);
    await active(3);

    const second = liveClient(limited.apiUrl, token);
    const third = liveClient(limited.apiUrl, token);
    try {
      await second.acknowledged;
      const more = [subscribe(second), subscribe(second)];
      await active(5);
      expect((await subscribe(third).next()).errors?.[0]?.extensions).toEqual({
        code: 'RATE_LIMITED',
        limit: 'subscriptionsPerUser',
        max: 5,
      });
      // A fourth connection of the same user is closed.
      const fourth = liveClient(limited.apiUrl, token);
      expect(await fourth.closed).toEqual({
        code: 4429,
        reason: 'Too many connections: at most 3 per user; close one first',
      });
      for (const sub of [...first, ...more]) sub.stop();
      await active(0);
    } finally {
      await Promise.all([second.dispose(), third.dispose()]);
    }
  });

  it('closes a connection that goes on sending operations it is refused', async () => {
    const stubborn = liveClient(limited.apiUrl, token);
    try {
      await stubborn.acknowledged;
      // Each is refused (over-deep); past REFUSALS_PER_CONNECTION the socket is closed.
      const sent = Array.from(
        { length: REFUSALS_PER_CONNECTION + 5 },
        () =>
          new LiveSubscription(
            stubborn.client,
            'subscription { timelineUpdated { items { post { uri } } } }',
          ),
      );
      expect(await stubborn.closed).toEqual({
        code: 4429,
        reason: `Too many refused operations: ${REFUSALS_PER_CONNECTION} on this connection`,
      });
      expect((await sent[0]!.next()).errors?.[0]?.extensions).toMatchObject({ limit: 'depth' });
    } finally {
      await stubborn.dispose();
    }
  });

  it('stops reading a connection it closed for its refusals: a burst of 20,000 operations is not worked through', async () => {
    // The 20,000 subscriptions sent at once: the socket was closed after 100 refusals, but
    // read (each message parsed and answered) until the client's close frame came, after all of them.
    const server = limited.running.apps.at(-1)!.get(GraphqlWsServer);
    const prepare = jest.spyOn(server as unknown as { prepare: (...args: unknown[]) => unknown }, 'prepare');
    const socket = new WebSocket(`${limited.apiUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    try {
      await new Promise((resolve) => socket.once('open', resolve));
      const acknowledged = new Promise((resolve) =>
        socket.on('message', (data) => {
          if (String(data).includes('connection_ack')) resolve(true);
        }),
      );
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      await acknowledged;
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      const query = 'subscription { accountStatusChanged { id } }';
      for (let i = 0; i < 20_000; i++)
        socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
      expect(await closed).toBe(4429);
      // Past the refusals, at most what had arrived with the message that closed it.
      expect(prepare.mock.calls.length).toBeGreaterThan(REFUSALS_PER_CONNECTION);
      expect(prepare.mock.calls.length).toBeLessThan(5_000);
    } finally {
      prepare.mockRestore();
      socket.terminate();
    }
  });

  it('refuses operations past OPERATIONS_PER_MINUTE on a connection, however quickly each is completed', async () => {
    // Subscribe → complete in a loop stays under every cap on what is held open.
    const socket = new WebSocket(`${limited.apiUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    try {
      await new Promise((resolve) => socket.once('open', resolve));
      const errors: { id: string; limit: unknown }[] = [];
      const acknowledged = new Promise((resolve) =>
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as {
            type: string;
            id?: string;
            payload?: { extensions?: { limit?: unknown } }[];
          };
          if (message.type === 'connection_ack') resolve(true);
          if (message.type === 'error')
            errors.push({ id: message.id!, limit: message.payload?.[0]?.extensions?.limit });
        }),
      );
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      await acknowledged;
      const query = 'subscription { accountStatusChanged { id } }';
      for (let i = 0; i < OPERATIONS_PER_MINUTE; i++) {
        socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
        socket.send(JSON.stringify({ id: String(i), type: 'complete' }));
      }
      // The next ones are left open to hear their answer (a completed one is answered with nothing).
      for (let i = OPERATIONS_PER_MINUTE; i < OPERATIONS_PER_MINUTE + 10; i++)
        socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
      await waitFor('the refusals', async () => errors.length >= 10);
      expect(errors.map((e) => e.limit)).toEqual(Array.from({ length: 10 }, () => 'operationsPerMinute'));
      expect(errors.map((e) => Number(e.id))).toEqual(
        Array.from({ length: 10 }, (_, i) => OPERATIONS_PER_MINUTE + i),
      );
    } finally {
      socket.terminate();
    }
  });

  it('closes a connection whose message is larger than HTTP_BODY_MAX_MB, before authentication', async () => {
    const huge = liveClient(limited.apiUrl, undefined, { padding: 'x'.repeat(1024 * 1024) });
    expect((await huge.closed).code).toBe(1009); // ws: "Max payload size exceeded"
  });
});
