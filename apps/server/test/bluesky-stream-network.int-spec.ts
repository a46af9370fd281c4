// The Bluesky stream as the real network makes it: followed accounts on another PDS than the
// member's, the watched repos spread over several Jetstream connections, and two Jetstream hosts to
// fail over between. The reference network gets a second PDS (same PLC; its AppView indexes both,
// as the real AppView indexes the relay); no Jetstream runs here, so two libs/testing
// JetstreamServers read both PDSes' real firehoses and speak Jetstream's wire (filters,
// options_update, time_us cursor, zstd with the v1 dictionary). Connections are limited to 2 repos
// (BLUESKY_JETSTREAM_MAX_DIDS) so a handful of accounts needs several; polling is an hour away.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, JetstreamServer } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFanoutService } from '../../worker/src/streams/bluesky-fanout.service.js';
import { start } from '../src/start.js';
import { linkBluesky } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

let net: BlueskyNetworkClient;
let secondPds: string;
let hostA: JetstreamServer;
let hostB: JetstreamServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let member: { account: TestBlueskyAccount; token: string; homeId: string };

const fanout = () => instance.running.apps[0]!.get(BlueskyFanoutService);

/** How many times each of these posts is in the member's HOME source and timeline. */
async function copies(uris: string[]): Promise<{ sources: number[]; entries: number[] }> {
  const count = async (sql: string) => {
    const { rows } = await db.query<{ uri: string; n: number }>(sql, [member.homeId, uris]);
    const n = new Map(rows.map((r) => [r.uri, r.n]));
    return uris.map((u) => n.get(u) ?? 0);
  };
  return {
    sources: await count(
      `SELECT p.uri, count(*)::int AS n FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
       WHERE sp."sourceId" = $1 AND p.uri = ANY($2) GROUP BY p.uri`,
    ),
    entries: await count(
      `SELECT p.uri, count(*)::int AS n FROM "TimelineEntry" t JOIN "Post" p ON p.id = t."postId"
       WHERE t."userId" = (SELECT la."userId" FROM "Source" s JOIN "LinkedAccount" la ON la.id = s."linkedAccountId" WHERE s.id = $1)
         AND p.uri = ANY($2) GROUP BY p.uri`,
    ),
  };
}

async function arrived(uris: string[]): Promise<boolean> {
  return (await copies(uris)).sources.every((n) => n > 0);
}

/** The member's follows are known and every followed repo is on a connection's filter. */
async function watching(dids: string[]): Promise<void> {
  await waitFor('the follows on the stream', async () => {
    const service = fanout();
    return dids.every((d) => service.follows(member.account.did).includes(d) && service.isWatching(d));
  });
}

async function settled(): Promise<void> {
  const jobs = instance.running.apps[0]!.get(JobQueue);
  await waitFor('the queues to settle', async () => {
    for (const name of ['fanout-posts', 'run-pipelines'] as const) {
      const counts = await jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  });
}

beforeAll(async () => {
  net = await blueskyNetwork();
  secondPds = await net.secondPds();
  const pdsUrls = [net.info.pdsUrl, secondPds];
  [hostA, hostB] = await Promise.all([
    JetstreamServer.start({ pdsUrls, plcUrl: net.info.plcUrl }),
    JetstreamServer.start({ pdsUrls, plcUrl: net.info.plcUrl }),
  ]);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    BLUESKY_JETSTREAM_URL: `${hostA.url},${hostB.url}`,
    BLUESKY_JETSTREAM_MAX_DIDS: '2',
    BLUESKY_APPVIEW_URL: net.info.appviewUrl,
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
}, 240_000);

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await hostA?.close();
  await hostB?.close();
});

describe('the Bluesky stream across PDSes, connections and hosts', () => {
  let far: TestBlueskyAccount;
  let near: TestBlueskyAccount;

  it('brings a followed account’s post from a second PDS through the stream, over connections of 2 repos', async () => {
    [far, near] = await Promise.all([net.createAccount('far', secondPds), net.createAccount('near')]);
    const account = await net.createAccount('reader');
    await account.agent.follow(far.did);
    await account.agent.follow(near.did);
    const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
    const res = await gql<{ signUp: { token: string } }>(
      'mutation($i: String!) { signUp(invite: $i, username: "reader", password: "long enough password") { token } }',
      { i: code },
    );
    const token = res.data!.signUp.token;
    const accountId = await linkBluesky(gql, token, account, net.info.pdsUrl);
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
      [accountId],
    );
    member = { account, token, homeId: rows[0]!.id };
    await watching([far.did, near.did]);

    // The followed account lives on another PDS than the member's.
    const pdsOf = async (did: string) =>
      (
        (await (await fetch(`${net.info.plcUrl}/${did}`)).json()) as {
          service: { serviceEndpoint: string }[];
        }
      ).service[0]!.serviceEndpoint;
    expect(new URL(await pdsOf(far.did)).port).toBe(new URL(secondPds).port);
    expect(new URL(await pdsOf(account.did)).port).not.toBe(new URL(secondPds).port);

    const post = await far.agent.post({ text: 'from the other PDS' });
    await waitFor('the second PDS’s post in HOME', () => arrived([post.uri]));
    // Three repos (the member, far, near) at two a connection: two connections, both compressed.
    expect(fanout().status.connections).toEqual({ 0: 2, 1: 1 });
    expect(hostA.connections).toHaveLength(2);
    expect(hostA.connections.every((c) => c.searchParams.get('compress') === 'true')).toBe(true);
  });

  it('changes one connection’s filter live when the member follows, opens another when all are full, keeps a cursor for each', async () => {
    const [third, fourth] = await Promise.all([
      net.createAccount('third', secondPds),
      net.createAccount('fourth', secondPds),
    ]);
    const updates = hostA.optionsUpdates;
    await member.account.agent.follow(third.did);
    await watching([third.did]);
    await waitFor('the options_update', async () => hostA.optionsUpdates > updates);
    expect(hostA.connections).toHaveLength(2); // no reconnect: the free place on connection 1
    expect(fanout().status.connections).toEqual({ 0: 2, 1: 2 });

    await member.account.agent.follow(fourth.did);
    await watching([fourth.did]);
    await waitFor('a third connection', async () => hostA.connections.length === 3);
    expect(fanout().status.connections).toEqual({ 0: 2, 1: 2, 2: 1 });
    // The new connection starts where the stream is, rewound: the follow's moment is covered.
    expect(Number(hostA.connections[2]!.searchParams.get('cursor'))).toBeGreaterThan(0);

    const posts = [
      (await third.agent.post({ text: 'third' })).uri,
      (await fourth.agent.post({ text: 'fourth' })).uri,
      (await near.agent.post({ text: 'near' })).uri,
    ];
    await waitFor('a post from every connection', () => arrived(posts));
    await waitFor('a cursor per connection', async () => {
      const { rows } = await db.query<{ key: string }>(`SELECT key FROM "StreamCursor" ORDER BY key`);
      return rows.map((r) => r.key).join() === 'bluesky:jetstream:0,bluesky:jetstream:1,bluesky:jetstream:2';
    });
  });

  it('fails over to the next host mid-burst, from the same cursor, and says which host is live; every post once', async () => {
    const burst: string[] = [];
    for (let i = 0; i < 8; i++) {
      if (i === 3) await hostA.close(); // the first host goes away for good
      burst.push((await far.agent.post({ text: `burst ${i}` })).uri);
    }
    await waitFor('the whole burst', () => arrived(burst), 90_000);
    // Every connection moved to host B with its cursor.
    expect(hostB.connections.length).toBeGreaterThanOrEqual(3);
    expect(hostB.connections.every((c) => Number(c.searchParams.get('cursor')) > 0)).toBe(true);
    const stream = await waitFor('the status on host B', async () => {
      const res = await gql<{
        linkedAccounts: { stream: { host: string; live: boolean; lastError: string } }[];
      }>('{ linkedAccounts { stream { host live lastError } } }', {}, member.token);
      const s = res.data?.linkedAccounts[0]?.stream;
      return s?.live && s.host === hostB.url ? s : null;
    });
    expect(stream.lastError).toContain(hostA.url);
    await settled();
    expect(await copies(burst)).toEqual({ sources: Array(8).fill(1), entries: Array(8).fill(1) });
  });

  it('after a restart, every connection resumes from its stored cursor: a post made while down arrives once', async () => {
    await settled();
    const before = hostB.connections.length;
    await instance.running.stop();
    const whileDown = (await far.agent.post({ text: 'posted while Tributary was down' })).uri;
    instance.running = await start(instance.config);
    gql = graphqlClient(instance.running.apiUrl ?? '');
    await waitFor('the post made while down', () => arrived([whileDown]), 90_000);
    await settled();
    const resumed = hostB.connections.slice(before);
    expect(resumed.length).toBeGreaterThanOrEqual(3);
    expect(resumed.every((c) => Number(c.searchParams.get('cursor')) > 0)).toBe(true);
    expect(await copies([whileDown])).toEqual({ sources: [1], entries: [1] });
  });
});
