// The relay firehose as the instance's one Bluesky stream (BLUESKY_STREAM=relay), with fan-out on
// write: every commit's signature and proofs verified by @atproto/sync against the repo's key in
// the reference PLC. The reference network has no relay; its PDS serves the same
// `com.atproto.sync.subscribeRepos`, and libs/testing's ForgingRelay relays its real frames, with
// one account's commits rewritten to claim another's: what an untrustworthy relay could do.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JobQueue } from '@tributary/queue';
import { blueskyNetwork, ForgingRelay } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFanoutService } from '../../worker/src/streams/bluesky-fanout.service.js';
import { BlueskyStreamService } from '../../worker/src/streams/bluesky-stream.service.js';
import { linkBluesky } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

let net: BlueskyNetworkClient;
let relay: ForgingRelay;
let instance: TestInstance;
let db: pg.Client;
let reader: TestBlueskyAccount;
let victim: TestBlueskyAccount;
let forger: TestBlueskyAccount;
let token: string;
let homeId: string;

const worker = () => instance.running.apps[0]!;

async function home(): Promise<Map<string, string>> {
  const { rows } = await db.query<{ uri: string; text: string }>(
    `SELECT p.uri, p.data->>'text' AS text FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
     WHERE sp."sourceId" = $1`,
    [homeId],
  );
  return new Map(rows.map((r) => [r.uri, r.text]));
}

async function settled(): Promise<void> {
  const jobs = worker().get(JobQueue);
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
  [reader, victim, forger] = await Promise.all([
    net.createAccount('rl-reader'),
    net.createAccount('rl-victim'),
    net.createAccount('rl-forger'),
  ]);
  await reader.agent.follow(victim.did);
  relay = await ForgingRelay.start(net.info.pdsUrl, forger.did, victim.did);
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    BLUESKY_STREAM: 'relay',
    BLUESKY_RELAY_URL: relay.url,
    BLUESKY_PLC_URL: net.info.plcUrl,
    BLUESKY_APPVIEW_URL: net.info.appviewUrl,
  });
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  const gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "relay_reader", password: "long enough password") { token } }',
    { i: code },
  );
  token = res.data!.signUp.token;
  const accountId = await linkBluesky(gql, token, reader, net.info.pdsUrl);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM "Source" WHERE "linkedAccountId" = $1 AND kind = 'HOME'`,
    [accountId],
  );
  homeId = rows[0]!.id;
}, 240_000);

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await relay?.close();
});

describe('the relay firehose as the stream', () => {
  it('brings a followed account’s post, verified, and drops a commit forged in its name', async () => {
    expect(worker().get(BlueskyStreamService).choice).toEqual({ kind: 'relay', url: relay.url });
    const fanout = worker().get(BlueskyFanoutService);
    await waitFor('the reader’s follows', async () => fanout.isReady(reader.did));

    // The forger's post reaches the relay's consumers as the victim's, signed with the forger's key.
    const forged = await forger.agent.post({ text: 'forged words in the victim’s name' });
    const genuine = await victim.agent.post({ text: 'my own words' });
    const forgedAsVictim = forged.uri.replace(forger.did, victim.did);
    await waitFor('the genuine post', async () => (await home()).has(genuine.uri));
    await settled();
    const built = await home();
    expect(built.get(genuine.uri)).toBe('my own words');
    expect(built.has(forgedAsVictim)).toBe(false);
    const { rows } = await db.query(`SELECT 1 FROM "Post" WHERE data->>'text' LIKE 'forged words%'`);
    expect(rows).toHaveLength(0);
    // The refused commit is the stream's last problem, for the operator.
    expect(fanout.status.lastError).toMatch(/relay firehose/);

    // The status says which stream is live.
    const gql = graphqlClient(instance.apiUrl);
    const stream = await waitFor('the relay live on the account', async () => {
      const res = await gql<{ linkedAccounts: { stream: { kind: string; live: boolean } | null }[] }>(
        '{ linkedAccounts { stream { kind live } } }',
        {},
        token,
      );
      const s = res.data?.linkedAccounts[0]?.stream;
      return s?.live ? s : null;
    });
    expect(stream.kind).toBe('relay');
  });
});
