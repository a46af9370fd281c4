// The merged timeline end to end: one user with a Bluesky account (reference network) and a
// Mastodon account (the fake instance) follows a person who posts the same words on both. Told that
// the two accounts are one person (the dedupe stage's identities), Tributary shows the post once,
// seen on both networks; the same words from someone else stay a post of their own.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';
import { FakeMastodonServer, blueskyNetwork } from '@tributary/testing';
import type { BlueskyNetworkClient, FakeAccount, TestBlueskyAccount } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';
import { linkBluesky, linkMastodon } from './link-accounts.js';

jest.setTimeout(180_000);

interface Item {
  id: string;
  hidden: boolean;
  hiddenReason: string | null;
  post: { network: string; text: string; author: { handle: string } };
  seenIn: { network: string; linkedAccountId: string; uri: string }[];
  decisions: { stage: string; verdict: string; reason: string | null }[];
}

let net: BlueskyNetworkClient;
let fake: FakeMastodonServer;
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let token: string;
let blueskyAccountId: string;
let mastodonAccountId: string;
// The person, on both networks, and someone else on Mastodon.
let samBluesky: TestBlueskyAccount;
let samMastodon: FakeAccount;
let other: FakeAccount;
const TEXT = `Same words on both networks ${Date.now()}`;

async function timeline(includeHidden: boolean): Promise<Item[]> {
  const res = await gql<{ timeline: { edges: { node: Item }[] } }>(
    `query($h: Boolean) { timeline(first: 100, includeHidden: $h) { edges { node { id hidden hiddenReason
      post { network text author { handle } } seenIn { network linkedAccountId uri } decisions { stage verdict reason } } } } }`,
    { h: includeHidden },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.timeline.edges.map((e) => e.node).filter((n) => n.post.text === TEXT);
}

beforeAll(async () => {
  net = await blueskyNetwork();
  fake = await FakeMastodonServer.start();
  const [viewer, sam] = await Promise.all([net.createAccount('viewer'), net.createAccount('sam')]);
  samBluesky = sam;
  await viewer.agent.follow(sam.did);
  const reader = fake.createAccount('reader');
  samMastodon = fake.createAccount('sam');
  other = fake.createAccount('other');
  fake.follow(reader, samMastodon);
  fake.follow(reader, other);

  instance = await startTestInstance({
    ROLE: 'all',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '20',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  gql = graphqlClient(instance.apiUrl);
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const signUp = await gql<{ signUp: { token: string } }>(
    'mutation($i: String!) { signUp(invite: $i, username: "both", password: "long enough password") { token } }',
    { i: code },
  );
  token = signUp.data!.signUp.token;

  // The user tells their pipeline that the two accounts are one person.
  const pipelines = await gql<{ pipelines: { id: string; isDefault: boolean }[] }>(
    '{ pipelines { id isDefault } }',
    {},
    token,
  );
  const home = pipelines.data!.pipelines.find((p) => p.isDefault)!;
  const spec = JSON.parse(JSON.stringify(DEFAULT_PIPELINE_SPEC)) as {
    stages: { use: string; with?: object }[];
  };
  spec.stages = spec.stages.map((s) =>
    s.use === 'dedupe-crossposts' ? { ...s, with: { identities: [[sam.handle, `@sam@${fake.host}`]] } } : s,
  );
  const updated = await gql(
    'mutation($id: ID!, $s: JSON!) { updatePipeline(id: $id, spec: $s) { id } }',
    { id: home.id, s: spec },
    token,
  );
  expect(updated.errors).toBeUndefined();

  // Sam posts the same words on both networks (a minute apart); someone else says it too.
  await sam.agent.post({ text: TEXT, createdAt: new Date(Date.now() - 60_000).toISOString() });
  await net.processAll();
  fake.post(samMastodon, { text: TEXT });
  fake.post(other, { text: TEXT });

  blueskyAccountId = await linkBluesky(gql, token, viewer, net.info.pdsUrl);
  mastodonAccountId = await linkMastodon(gql, token, fake.origin, fake.issueToken(reader));
});

afterAll(async () => {
  await instance?.stop();
  await fake?.close();
});

describe('merged timeline', () => {
  it("shows a person's cross-post once, seen on both networks, through both linked accounts", async () => {
    // All three copies have reached the pipeline (one of Sam's is then hidden as the duplicate).
    const all = await waitFor('the three copies in the timeline', async () => {
      const items = await timeline(true);
      return items.length === 3 && items.some((i) => i.seenIn.length === 2) ? items : null;
    });
    const visible = await timeline(false);
    const fromSam = visible.filter((i) => i.post.author.handle !== `other@${fake.host}`);
    expect(fromSam).toHaveLength(1);
    const merged = fromSam[0]!;
    expect(merged.seenIn.map((s) => s.network).sort()).toEqual(['BLUESKY', 'MASTODON']);
    expect(merged.seenIn.map((s) => s.linkedAccountId).sort()).toEqual(
      [blueskyAccountId, mastodonAccountId].sort(),
    );
    expect([samBluesky.handle, `sam@${fake.host}`]).toContain(merged.post.author.handle);
    // The copy it absorbed is there for "what was hidden and why".
    const duplicate = all.find((i) => i.hidden)!;
    expect(duplicate.hiddenReason).toBe('duplicate: same text on both networks');
    expect(duplicate.post.network).not.toBe(merged.post.network);
    expect(merged.seenIn.map((s) => s.uri)).toContain(all.find((i) => i.id === duplicate.id)!.seenIn[0]!.uri);
    // The same words from another person are theirs, not merged.
    const others = visible.filter((i) => i.post.author.handle === `other@${fake.host}`);
    expect(others).toHaveLength(1);
    expect(others[0]!.seenIn).toEqual([
      expect.objectContaining({ network: 'MASTODON', linkedAccountId: mastodonAccountId }),
    ]);
    expect(visible).toHaveLength(2);
  });
});

it('the fake Mastodon instance saw no request and sent no answer outside the API description', () => {
  expect(fake.violations).toEqual([]);
});
