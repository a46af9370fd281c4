// Moderation that is each member's own, through the stream, on the reference network. Blocks: a
// member's HOME gets nothing of an account they block, as the AppView's timeline would not. Labels
// of the labelers members subscribe to, on the reference network with its real labeler
// (Ozone, dev-env's moderation service): a member's subscriptions come from their preferences and
// are followed when they change; a label the labeler applies later comes from its own label stream
// and changes the verdicts of its subscribers' entries, and of nobody else's. Posts arrive by the
// stream (libs/testing's Jetstream over the real PDS firehose), polling an hour away.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { blueskyNetwork, JetstreamServer } from '@tributary/testing';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '@tributary/testing';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFanoutService } from '../../worker/src/streams/bluesky-fanout.service.js';
import { BlueskyLabelsService } from '../../worker/src/streams/bluesky-labels.service.js';
import { linkBluesky } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

interface Member {
  account: TestBlueskyAccount;
  userId: string;
}

interface Entry {
  hidden: boolean;
  hiddenReason: string | null;
  labels: { post: { value: string; source: string }[] } | null;
}

let net: BlueskyNetworkClient;
let jetstream: JetstreamServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let ozone: { did: string; url: string };

const worker = () => instance.running.apps[0]!;

async function addMember(
  name: string,
  setup: (account: TestBlueskyAccount) => Promise<void>,
): Promise<Member> {
  const account = await net.createAccount(name);
  await setup(account);
  const { code } = await instance.running.apps[1]!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: account.handle.split('.')[0]!.replace(/-/g, '_') },
  );
  const accountId = await linkBluesky(gql, res.data!.signUp.token, account, net.info.pdsUrl);
  const { rows } = await db.query<{ userId: string }>(`SELECT "userId" FROM "LinkedAccount" WHERE id = $1`, [
    accountId,
  ]);
  await waitFor('the member’s follows', async () => worker().get(BlueskyFanoutService).isReady(account.did));
  return { account, userId: rows[0]!.userId };
}

/** The labelers Tributary holds for the member (read from their preferences). */
async function labelers(member: Member): Promise<string[]> {
  const { rows } = await db.query<{ labelers: string[] }>(
    `SELECT labelers FROM "LinkedAccount" WHERE "networkAccountId" = $1`,
    [member.account.did],
  );
  return rows[0]?.labelers ?? [];
}

/** The member's default-pipeline entry of the post, if any. */
async function entry(member: Member, uri: string): Promise<Entry | null> {
  const { rows } = await db.query<Entry>(
    `SELECT t.hidden, t."hiddenReason", t.labels FROM "TimelineEntry" t JOIN "Post" p ON p.id = t."postId"
     WHERE t."userId" = $1 AND p.uri = $2`,
    [member.userId, uri],
  );
  return rows[0] ?? null;
}

/** True when the post is in one of the member's sources. */
async function holds(member: Member, uri: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
     JOIN "Source" s ON s.id = sp."sourceId" JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
     WHERE la."userId" = $1 AND p.uri = $2`,
    [member.userId, uri],
  );
  return rows.length > 0;
}

/** The member's HOME source's personal labels of the post (SourcePost.labels). */
async function sourceLabels(member: Member, uri: string): Promise<unknown> {
  const { rows } = await db.query<{ labels: unknown }>(
    `SELECT sp.labels FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
     JOIN "Source" s ON s.id = sp."sourceId" JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
     WHERE la."userId" = $1 AND p.uri = $2`,
    [member.userId, uri],
  );
  return rows[0]?.labels;
}

const hiddenBy = (label: string) => (e: Entry | null) =>
  e?.hidden === true && e.hiddenReason === `label: ${label}`;
const visible = (e: Entry | null) => e !== null && !e.hidden;

beforeAll(async () => {
  net = await blueskyNetwork();
  ozone = await net.ozone();
  jetstream = await JetstreamServer.start({ pdsUrls: [net.info.pdsUrl], plcUrl: net.info.plcUrl });
  jetstream.beforeServe = () => net.processAll();
  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    BLUESKY_JETSTREAM_URL: jetstream.url,
    BLUESKY_APPVIEW_URL: net.info.appviewUrl,
    BLUESKY_DEFAULT_SERVICE: net.info.pdsUrl,
    BLUESKY_PLC_URL: net.info.plcUrl,
    // The labeler runs on loopback too; members name it (by subscribing), so it passes the same guard.
    BLUESKY_ALLOWED_HOSTS: [new URL(net.info.pdsUrl).host, new URL(ozone.url).host].join(','),
    BLUESKY_ALLOW_HTTP: 'true',
    BLUESKY_LABELERS_REFRESH_SECONDS: '1',
  });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
  await jetstream?.close();
});

describe('Bluesky labelers, per member', () => {
  let carol: TestBlueskyAccount;
  let alice: Member;
  let bob: Member;
  let post: { uri: string; cid: string };

  it('applies a label the labeler publishes later to its subscriber’s entry only, and recomputes its verdict', async () => {
    carol = await net.createAccount('carol');
    alice = await addMember('alice', async (a) => {
      await a.agent.addLabeler(ozone.did);
      await a.agent.follow(carol.did);
    });
    bob = await addMember('bob', async (a) => void (await a.agent.follow(carol.did)));
    await waitFor('Alice’s labelers read', async () => (await labelers(alice)).includes(ozone.did));
    await waitFor('the labeler’s stream open', async () =>
      worker().get(BlueskyLabelsService).consuming.includes(ozone.did),
    );

    post = await carol.agent.post({ text: 'something a labeler will flag' });
    await waitFor('Alice’s entry', async () => visible(await entry(alice, post.uri)));
    await waitFor('Bob’s entry', async () => visible(await entry(bob, post.uri)));

    await net.ozoneLabel(post, 'porn');
    // The default pipeline hides `porn`: Alice's verdict is computed again with the label.
    const hidden = await waitFor('Alice’s entry hidden by the label', async () => {
      const e = await entry(alice, post.uri);
      return hiddenBy('porn')(e) ? e : null;
    });
    expect(hidden.labels?.post).toEqual([expect.objectContaining({ value: 'porn', source: ozone.did })]);
    // Bob does not subscribe to that labeler: nothing of it on his entry or his source.
    expect(await entry(bob, post.uri)).toEqual({ hidden: false, hiddenReason: null, labels: null });
    expect(await sourceLabels(bob, post.uri)).toBeNull();
    // Nor on the post everyone shares.
    const { rows } = await db.query<{ labels: { source: string }[] }>(
      `SELECT data->'labels' AS labels FROM "Post" WHERE uri = $1`,
      [post.uri],
    );
    for (const row of rows) expect(row.labels.map((l) => l.source)).not.toContain(ozone.did);
  });

  it('picks up a labeler subscribed to after linking, and drops the labels of one unsubscribed from', async () => {
    await bob.account.agent.addLabeler(ozone.did);
    // Asked of the labeler for Bob's recent posts: the label it applied before is his too now.
    await waitFor('Bob’s entry hidden by the label', async () =>
      hiddenBy('porn')(await entry(bob, post.uri)),
    );

    await alice.account.agent.removeLabeler(ozone.did);
    await waitFor('Alice’s entry visible again', async () => {
      const e = await entry(alice, post.uri);
      return visible(e) && e!.labels === null;
    });
    expect(await sourceLabels(alice, post.uri)).toBeNull();
    expect(hiddenBy('porn')(await entry(bob, post.uri))).toBe(true);
  });

  it('shows the post again when the labeler withdraws its label', async () => {
    await net.ozoneLabel(post, 'porn', true);
    await waitFor('Bob’s entry visible again', async () => {
      const e = await entry(bob, post.uri);
      return visible(e) && e!.labels === null;
    });
  });

  it('gives a fanned-out post the labels of each member’s own labelers, from one hydration', async () => {
    // A labeler whose labels the AppView serves (dev-env's example labeler): Alice subscribes.
    await alice.account.agent.addLabeler(net.info.labelerDid);
    await waitFor('Alice’s labelers read', async () => (await labelers(alice)).includes(net.info.labelerDid));

    // The post is labelled at the AppView before the stream announces it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jetstream.beforeServe = () => gate.then(() => net.processAll());
    const labelled = await carol.agent.post({ text: 'labelled before it is fanned out' });
    await net.processAll();
    await net.label(labelled, 'porn');
    release();

    await waitFor('Alice’s entry hidden by the label', async () =>
      hiddenBy('porn')(await entry(alice, labelled.uri)),
    );
    await waitFor('Bob’s entry', async () => (await entry(bob, labelled.uri)) !== null);
    expect(await entry(bob, labelled.uri)).toEqual({ hidden: false, hiddenReason: null, labels: null });
    expect(await sourceLabels(bob, labelled.uri)).toBeNull();
  });
});

describe('Bluesky blocks, per member', () => {
  const blockRecord = (subject: string) => ({ subject, createdAt: new Date().toISOString() });

  it('never fans out a blocked account’s posts, or reposts of them, to the blocker; blocks follow the stream', async () => {
    const dave = await net.createAccount('dave');
    const erin = await net.createAccount('erin');
    // Blocked before linking: read from the member's repo with its follows.
    let block!: { uri: string };
    const frank = await addMember('frank', async (a) => {
      await a.agent.follow(dave.did);
      await a.agent.follow(erin.did);
      block = await a.agent.app.bsky.graph.block.create({ repo: a.did }, blockRecord(dave.did));
    });
    const gina = await addMember('gina', async (a) => {
      await a.agent.follow(dave.did);
      await a.agent.follow(erin.did);
    });

    const blocked = await dave.agent.post({ text: 'frank blocks me' });
    await erin.agent.repost(blocked.uri, blocked.cid);
    const after = await erin.agent.post({ text: 'after the repost' });
    await waitFor('Gina’s HOME with the post', () => holds(gina, blocked.uri));
    // Events are handled in order: once Frank has Erin's later post, the repost was decided too.
    await waitFor('Frank’s HOME with Erin’s post', () => holds(frank, after.uri));
    expect(await holds(frank, blocked.uri)).toBe(false);

    // Unblocked, then blocked again, from the stream.
    await frank.account.agent.app.bsky.graph.block.delete({
      repo: frank.account.did,
      rkey: block.uri.split('/').pop()!,
    });
    await waitFor('the unblock stored', async () => {
      const { rows } = await db.query(`SELECT 1 FROM "BlueskyBlock" WHERE "memberDid" = $1`, [
        frank.account.did,
      ]);
      return rows.length === 0;
    });
    const unblocked = await dave.agent.post({ text: 'frank sees me again' });
    await waitFor('Frank’s HOME with Dave’s post', () => holds(frank, unblocked.uri));

    await frank.account.agent.app.bsky.graph.block.create({ repo: frank.account.did }, blockRecord(dave.did));
    await waitFor('the block stored', async () => {
      const { rows } = await db.query(`SELECT 1 FROM "BlueskyBlock" WHERE "memberDid" = $1`, [
        frank.account.did,
      ]);
      return rows.length === 1;
    });
    const again = await dave.agent.post({ text: 'blocked again' });
    const last = await erin.agent.post({ text: 'the last one' });
    await waitFor('Gina’s HOME with Dave’s post', () => holds(gina, again.uri));
    await waitFor('Frank’s HOME with Erin’s last post', () => holds(frank, last.uri));
    expect(await holds(frank, again.uri)).toBe(false);
  });
});
