// Members as administrators manage them (list, suspend, delete, instance numbers, sync health), and
// a member's rights over their data: every row of theirs deleted, checked model by model against
// the Prisma schema, and everything of theirs exported as JSON.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Prisma } from '@tributary/db';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

const PASSWORD = 'long enough password';
let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let db: pg.Client;
let admin: { id: string; token: string };

async function signUp(username: string, role: 'ADMIN' | 'MEMBER' = 'MEMBER') {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, role);
  const res = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($i: String!, $u: String!, $p: String!) { signUp(invite: $i, username: $u, password: $p) { token user { id } } }',
    { i: code, u: username, p: PASSWORD },
  );
  return { id: res.data!.signUp.user.id, token: res.data!.signUp.token };
}

const login = (username: string) =>
  gql<{ login: { token: string } }>(
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    {
      u: username,
      p: PASSWORD,
    },
  );

beforeAll(async () => {
  instance = await startTestInstance({ ROLE: 'api' });
  gql = graphqlClient(instance.apiUrl);
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
  admin = await signUp('chief', 'ADMIN');
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
});

describe('administrators', () => {
  it('list members with their status, suspend one (tokens refused, login too) and reinstate them', async () => {
    const member = await signUp('suspect');
    const list = await gql<{
      members: { username: string; status: string; role: string; pipelines: number }[];
    }>('{ members { username status role pipelines } }', {}, admin.token);
    expect(list.data?.members).toEqual(
      expect.arrayContaining([
        { username: 'chief', status: 'ACTIVE', role: 'ADMIN', pipelines: 1 },
        { username: 'suspect', status: 'ACTIVE', role: 'MEMBER', pipelines: 1 },
      ]),
    );

    const SUSPEND =
      'mutation($m: ID!, $s: Boolean!) { suspendMember(member: $m, suspended: $s) { status suspendedAt } }';
    const suspended = await gql<{ suspendMember: { status: string } }>(
      SUSPEND,
      { m: member.id, s: true },
      admin.token,
    );
    expect(suspended.data?.suspendMember.status).toBe('SUSPENDED');
    expect(codeOf(await gql('{ me { id } }', {}, member.token))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login('suspect'))).toBe('FORBIDDEN');

    await gql(SUSPEND, { m: member.id, s: false }, admin.token);
    expect((await login('suspect')).data?.login.token).toMatch(/^trb_/);
    // Not oneself.
    expect(codeOf(await gql(SUSPEND, { m: admin.id, s: true }, admin.token))).toBe('BAD_USER_INPUT');
  });

  it('see the instance in numbers and which of a member’s sources are stale, and why', async () => {
    const member = await signUp('stale_one');
    const [fresh] = (
      await db.query<{ id: string }>(
        `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
         VALUES (gen_random_uuid(), $1, 'MASTODON', 'https://m.test/users/s', 's@m.test', 'https://m.test', 'v1.x', now()) RETURNING id`,
        [member.id],
      )
    ).rows;
    const [broken] = (
      await db.query<{ id: string }>(
        `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, status, "statusReason", "updatedAt")
         VALUES (gen_random_uuid(), $1, 'BLUESKY', 'did:plc:stale', 's.test', 'https://pds.test', 'v1.x', 'NEEDS_REAUTH', 'app password revoked', now()) RETURNING id`,
        [member.id],
      )
    ).rows;
    await db.query(
      `INSERT INTO "Source" (id, "linkedAccountId", kind, "lastSyncedAt") VALUES
         (gen_random_uuid(), $1, 'HOME', now()),
         (gen_random_uuid(), $1, 'LIST', now() - interval '2 days'),
         (gen_random_uuid(), $2, 'HOME', now())`,
      [fresh!.id, broken!.id],
    );
    await db.query(`UPDATE "Source" SET "externalId" = 'l1', "lastError" = 'HTTP 500' WHERE kind = 'LIST'`);

    const health = await gql<{
      memberSyncHealth: { kind: string; network: string; stale: boolean; reason: string | null }[];
    }>(
      'query($m: ID!) { memberSyncHealth(member: $m) { kind network stale reason } }',
      { m: member.id },
      admin.token,
    );
    expect(health.data?.memberSyncHealth).toEqual([
      { kind: 'HOME', network: 'MASTODON', stale: false, reason: null },
      {
        kind: 'LIST',
        network: 'MASTODON',
        stale: true,
        reason: expect.stringMatching(/^not synced since .*: HTTP 500$/),
      },
      { kind: 'HOME', network: 'BLUESKY', stale: true, reason: 'account NEEDS_REAUTH: app password revoked' },
    ]);

    // The members list carries everyone's health in the same response (the members screen makes
    // one request, not one per member), each member's own sources only.
    const list = await gql<{
      members: { id: string; syncHealth: { kind: string; network: string; stale: boolean }[] }[];
    }>('{ members { id syncHealth { kind network stale } } }', {}, admin.token);
    const byId = new Map(list.data!.members.map((m) => [m.id, m.syncHealth]));
    expect(byId.get(member.id)).toEqual(
      health.data!.memberSyncHealth.map(({ kind, network, stale }) => ({ kind, network, stale })),
    );
    expect(byId.get(admin.id)).toEqual([]);

    const stats = await gql<{ instanceStats: Record<string, unknown> }>(
      '{ instanceStats { members suspendedMembers pipelines linkedAccounts { network count } queues { queue waiting failed } } }',
      {},
      admin.token,
    );
    expect(stats.data?.instanceStats).toMatchObject({
      suspendedMembers: 0,
      linkedAccounts: expect.arrayContaining([{ network: 'MASTODON', count: 1 }]),
    });
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "User"`);
    expect(stats.data?.instanceStats['members']).toBe(rows[0]!.n);
    expect((stats.data?.instanceStats['queues'] as { queue: string }[]).map((q) => q.queue).sort()).toEqual([
      'actions',
      'ingest',
      'maintenance',
      'pipeline',
      'rebuild',
    ]);
  });

  it('alone may use the administration fields', async () => {
    const member = await signUp('curious');
    for (const query of [
      '{ members { id } }',
      '{ instanceStats { members } }',
      `{ memberSyncHealth(member: "${admin.id}") { kind } }`,
      `mutation { suspendMember(member: "${admin.id}") { id } }`,
      `mutation { deleteMember(member: "${admin.id}") }`,
    ])
      expect(codeOf(await gql(query, {}, member.token))).toBe('FORBIDDEN');
  });
});

/**
 * How to count a member's rows in each model of the schema, or why the model holds none of theirs.
 * A model missing here fails the test: a new table must say where its member's rows are.
 */
interface Ids {
  user: string;
  account: string;
  invite: string;
  pipeline: string;
  media: string;
}
type Count = (ids: Ids) => [sql: string, params: unknown[]];

const ROWS_OF: Record<Prisma.ModelName, Count | { shared: string }> = {
  User: (i) => [`SELECT count(*) FROM "User" WHERE id = $1`, [i.user]],
  ApiToken: (i) => [`SELECT count(*) FROM "ApiToken" WHERE "userId" = $1`, [i.user]],
  Invite: (i) => [
    `SELECT count(*) FROM "Invite" WHERE "usedById" = $1 OR "createdById" = $1 OR id = $2`,
    [i.user, i.invite],
  ],
  LinkedAccount: (i) => [
    `SELECT count(*) FROM "LinkedAccount" WHERE "userId" = $1 OR id = $2`,
    [i.user, i.account],
  ],
  MastodonApp: { shared: 'one OAuth app per Mastodon instance, for every member' },
  MastodonPendingLink: (i) => [`SELECT count(*) FROM "MastodonPendingLink" WHERE "userId" = $1`, [i.user]],
  Source: (i) => [`SELECT count(*) FROM "Source" WHERE "linkedAccountId" = $1`, [i.account]],
  Author: { shared: 'the networks’ authors' },
  Post: { shared: 'the networks’ posts, read by every member whose sources delivered them' },
  SourcePost: (i) => [
    `SELECT count(*) FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId" WHERE s."linkedAccountId" = $1`,
    [i.account],
  ],
  RecordTombstone: { shared: 'deletions at origin, by record URI' },
  StatusTombstone: { shared: 'Mastodon deletions at origin, by server and status id' },
  SkippedRecord: (i) => [`SELECT count(*) FROM "SkippedRecord" WHERE "linkedAccountId" = $1`, [i.account]],
  Pipeline: (i) => [`SELECT count(*) FROM "Pipeline" WHERE "userId" = $1 OR id = $2`, [i.user, i.pipeline]],
  PipelineVersion: (i) => [`SELECT count(*) FROM "PipelineVersion" WHERE "pipelineId" = $1`, [i.pipeline]],
  Plugin: (i) => [`SELECT count(*) FROM "Plugin" WHERE "ownerId" = $1`, [i.user]],
  TimelineEntry: (i) => [
    `SELECT count(*) FROM "TimelineEntry" WHERE "userId" = $1 OR "pipelineId" = $2`,
    [i.user, i.pipeline],
  ],
  OutboundAction: (i) => [
    `SELECT count(*) FROM "OutboundAction" WHERE "userId" = $1 OR "linkedAccountId" = $2`,
    [i.user, i.account],
  ],
  StreamCursor: { shared: 'resume points of the instance’s streams' },
  BlueskyMember: () => [`SELECT count(*) FROM "BlueskyMember" WHERE did = 'did:plc:gone'`, []],
  BlueskyFollow: () => [`SELECT count(*) FROM "BlueskyFollow" WHERE "memberDid" = 'did:plc:gone'`, []],
  StreamStatus: { shared: 'the instance’s streams' },
  FilterList: { shared: 'filter lists, stored once for every pipeline that subscribes (in its spec)' },
  FilterListVersion: { shared: 'the stored versions of the shared filter lists' },
  ThreadCache: (i) => [`SELECT count(*) FROM "ThreadCache" WHERE "linkedAccountId" = $1`, [i.account]],
  FetchedPost: (i) => [`SELECT count(*) FROM "FetchedPost" WHERE "linkedAccountId" = $1`, [i.account]],
  PostViewerState: (i) => [
    `SELECT count(*) FROM "PostViewerState" WHERE "userId" = $1 OR "linkedAccountId" = $2`,
    [i.user, i.account],
  ],
  Bookmark: (i) => [`SELECT count(*) FROM "Bookmark" WHERE "userId" = $1`, [i.user]],
  PublishedFeed: (i) => [
    `SELECT count(*) FROM "PublishedFeed" WHERE "userId" = $1 OR "linkedAccountId" = $2`,
    [i.user, i.account],
  ],
  OAuthClient: { shared: 'a Mastodon app registered with the instance, for whoever authorizes it' },
  OAuthCode: (i) => [`SELECT count(*) FROM "OAuthCode" WHERE "userId" = $1`, [i.user]],
  OAuthAppToken: { shared: 'an app’s own token, acting for no member' },
  MastodonId: (i) => [
    `SELECT count(*) FROM "MastodonId" WHERE (kind = 'LIST' AND key = $1) OR (kind = 'MEDIA' AND key = 'upload ' || $2)`,
    [i.pipeline, i.media],
  ],
  MastodonMedia: (i) => [`SELECT count(*) FROM "MastodonMedia" WHERE "userId" = $1`, [i.user]],
  BlueskyOAuthState: (i) => [`SELECT count(*) FROM "BlueskyOAuthState" WHERE "userId" = $1`, [i.user]],
  BlueskyOAuthSession: (i) => [`SELECT count(*) FROM "BlueskyOAuthSession" WHERE "userId" = $1`, [i.user]],
  BlueskyBlock: () => [`SELECT count(*) FROM "BlueskyBlock" WHERE "memberDid" = 'did:plc:gone'`, []],
  Notification: (i) => [
    `SELECT count(*) FROM "Notification" WHERE "userId" = $1 OR "linkedAccountId" = $2`,
    [i.user, i.account],
  ],
  NotificationMarker: (i) => [`SELECT count(*) FROM "NotificationMarker" WHERE "userId" = $1`, [i.user]],
  FeedInteraction: (i) => [
    `SELECT count(*) FROM "FeedInteraction" WHERE "userId" = $1 OR "pipelineId" = $2`,
    [i.user, i.pipeline],
  ],
};

async function rowsOf(ids: Ids): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [model, count] of Object.entries(ROWS_OF)) {
    if (typeof count !== 'function') continue;
    const [query, params] = count(ids);
    const { rows } = await db.query<{ count: string }>(query, params);
    counts[model] = Number(rows[0]!.count);
  }
  return counts;
}

describe('deleting a member', () => {
  it('every model of the schema says where a member’s rows are', () => {
    expect(Object.keys(ROWS_OF).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it('leaves no row of theirs in any table, shared rows stay; only with their password', async () => {
    const member = await signUp('gone');
    const [{ id: inviteId }] = (
      await db.query<{ id: string }>(`SELECT id FROM "Invite" WHERE "usedById" = $1`, [member.id])
    ).rows as [{ id: string }];
    const [{ id: pipelineId }] = (
      await db.query<{ id: string }>(`SELECT id FROM "Pipeline" WHERE "userId" = $1`, [member.id])
    ).rows as [{ id: string }];
    // A row in every table a member can have rows in, as the service writes them.
    const [{ id: accountId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
         VALUES (gen_random_uuid(), $1, 'BLUESKY', 'did:plc:gone', 'gone.test', 'https://pds.test', 'v1.sealed', now()) RETURNING id`,
        [member.id],
      )
    ).rows as [{ id: string }];
    const [{ id: sourceId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "Source" (id, "linkedAccountId", kind) VALUES (gen_random_uuid(), $1, 'HOME') RETURNING id`,
        [accountId],
      )
    ).rows as [{ id: string }];
    const [{ id: authorId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "Author" (network, "networkId", handle) VALUES ('BLUESKY', 'did:plc:someone', 'someone.test') RETURNING id`,
      )
    ).rows as [{ id: string }];
    const [{ id: postId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "Post" (network, uri, "nativeId", "authorId", data, raw, "createdAt")
         VALUES ('BLUESKY', 'at://did:plc:someone/app.bsky.feed.post/1', 'cid', $1, '{}', '{}', now()) RETURNING id`,
        [authorId],
      )
    ).rows as [{ id: string }];
    await db.query(`INSERT INTO "SourcePost" ("sourceId", "postId") VALUES ($1, $2)`, [sourceId, postId]);
    await db.query(
      `INSERT INTO "MastodonPendingLink" (state, "userId", instance, verifier, "expiresAt") VALUES ('st-gone', $1, 'https://m.test', 'v', now() + interval '1 hour')`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "SkippedRecord" (network, "linkedAccountId", reason, record) VALUES ('BLUESKY', $1, 'bad', '{}')`,
      [accountId],
    );
    await db.query(
      `INSERT INTO "Plugin" (id, "ownerId", name, version, kind, code) VALUES (gen_random_uuid(), $1, 'mine', '1.0.0', 'SANDBOXED', 'x')`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", decisions, "seenIn", "pipelineVersion")
       VALUES ($1, $2, $3, 1, '[]', '[]', 1)`,
      [member.id, pipelineId, postId],
    );
    await db.query(
      `INSERT INTO "OutboundAction" (id, "userId", "linkedAccountId", kind, payload, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'LIKE', '{}', now())`,
      [member.id, accountId],
    );
    await db.query(`INSERT INTO "BlueskyMember" (did, "followsLoadedAt") VALUES ('did:plc:gone', now())`);
    await db.query(
      `INSERT INTO "BlueskyFollow" ("memberDid", rkey, "subjectDid") VALUES ('did:plc:gone', 'r1', 'did:plc:someone')`,
    );
    await db.query(
      `INSERT INTO "ThreadCache" ("linkedAccountId", "postId", "ancestorIds", replies, "postIds", "fetchedAt") VALUES ($1, $2, '{}', '[]', '{}', now())`,
      [accountId, postId],
    );
    await db.query(
      `INSERT INTO "PublishedFeed" (id, "userId", "pipelineId", "linkedAccountId", uri, rkey, "displayName", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, 'at://did:plc:gone/app.bsky.feed.generator/x', 'x', 'Mine', now())`,
      [member.id, pipelineId, accountId],
    );
    await db.query(
      `INSERT INTO "FeedInteraction" ("userId", "pipelineId", "postUri", event) VALUES ($1, $2, 'at://x', 'requestLess')`,
      [member.id, pipelineId],
    );
    const [{ id: clientId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "OAuthClient" (id, "clientId", "clientSecretHash", name, "redirectUris", scopes)
         VALUES (gen_random_uuid(), 'app-of-all', 'h', 'An app', '{}', '{read}') RETURNING id`,
      )
    ).rows as [{ id: string }];
    await db.query(
      `INSERT INTO "OAuthCode" ("codeHash", "clientId", "userId", "redirectUri", scopes, "expiresAt") VALUES ('code-gone', $1, $2, 'urn:ietf:wg:oauth:2.0:oob', '{read}', now() + interval '5 minutes')`,
      [clientId, member.id],
    );
    const [{ id: mediaId }] = (
      await db.query<{ id: string }>(
        `INSERT INTO "MastodonMedia" (id, "userId", "mimeType", data) VALUES (gen_random_uuid(), $1, 'image/png', '\\x00') RETURNING id`,
        [member.id],
      )
    ).rows as [{ id: string }];
    await db.query(
      `INSERT INTO "MastodonId" (id, kind, key) VALUES (1001, 'LIST', $1), (1002, 'MEDIA', 'upload ' || $2), (1003, 'ACCOUNT', 'BLUESKY did:plc:someone')`,
      [pipelineId, mediaId],
    );
    await db.query(
      `INSERT INTO "BlueskyOAuthState" (state, "userId", data, "expiresAt") VALUES ('oauth-gone', $1, 'sealed', now() + interval '5 minutes')`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "BlueskyOAuthSession" ("userId", did, "linkId", data, "updatedAt") VALUES ($1, 'did:plc:gone', gen_random_uuid(), 'sealed', now())`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "BlueskyBlock" ("memberDid", rkey, "subjectDid") VALUES ('did:plc:gone', 'b1', 'did:plc:someone')`,
    );
    await db.query(
      `INSERT INTO "Notification" ("userId", "linkedAccountId", network, kind, "nativeId", actor, "postId", "groupKey", "createdAt")
       VALUES ($1, $2, 'BLUESKY', 'LIKE', 'at://did:plc:someone/app.bsky.feed.like/1', '{}', $3, 'like', now())`,
      [member.id, accountId, postId],
    );
    await db.query(
      `INSERT INTO "NotificationMarker" ("userId", "lastReadAt", "lastReadId", "updatedAt") VALUES ($1, now(), 1, now())`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "FetchedPost" ("linkedAccountId", "postId", "fetchedAt") VALUES ($1, $2, now())`,
      [accountId, postId],
    );
    await db.query(
      `INSERT INTO "PostViewerState" ("linkedAccountId", "userId", network, uri, liked, reposted, "observedAt")
       VALUES ($1, $2, 'BLUESKY', 'at://did:plc:someone/app.bsky.feed.post/1', true, false, now())`,
      [accountId, member.id],
    );
    await db.query(
      `INSERT INTO "Bookmark" ("userId", network, uri, "postId") VALUES ($1, 'BLUESKY', 'at://did:plc:someone/app.bsky.feed.post/1', $2)`,
      [member.id, postId],
    );
    const ids = {
      user: member.id,
      account: accountId,
      invite: inviteId,
      pipeline: pipelineId,
      media: mediaId,
    };
    const before = await rowsOf(ids);
    // The fixture reaches every personal model: a model it missed would pass below trivially.
    expect(Object.entries(before).filter(([, n]) => n === 0)).toEqual([]);

    const DELETE = 'mutation($p: String!) { deleteMyAccount(password: $p) }';
    expect(codeOf(await gql(DELETE, { p: 'not my password' }, member.token))).toBe('BAD_USER_INPUT');
    expect((await gql(DELETE, { p: PASSWORD }, member.token)).data).toEqual({ deleteMyAccount: true });

    const after = await rowsOf(ids);
    expect(after).toEqual(Object.fromEntries(Object.keys(before).map((model) => [model, 0])));
    // The network's post and account ids, and the instance's app, stay for the others; the token is dead.
    expect((await db.query(`SELECT 1 FROM "Post" WHERE id = $1`, [postId])).rowCount).toBe(1);
    expect((await db.query(`SELECT 1 FROM "MastodonId" WHERE id = 1003`)).rowCount).toBe(1);
    expect((await db.query(`SELECT 1 FROM "OAuthClient" WHERE id = $1`, [clientId])).rowCount).toBe(1);
    expect(codeOf(await gql('{ me { id } }', {}, member.token))).toBe('UNAUTHENTICATED');
  });

  it('by an administrator does the same', async () => {
    const member = await signUp('removed');
    expect(
      (await gql('mutation($m: ID!) { deleteMember(member: $m) }', { m: member.id }, admin.token)).data,
    ).toEqual({
      deleteMember: true,
    });
    expect((await db.query(`SELECT 1 FROM "User" WHERE id = $1`, [member.id])).rowCount).toBe(0);
    expect(codeOf(await gql('{ me { id } }', {}, member.token))).toBe('UNAUTHENTICATED');
  });
});

describe('exporting my data', () => {
  it('gives every pipeline version, plugin, read position and link, as JSON that reads back the same', async () => {
    const member = await signUp('exporter');
    const created = await gql<{ createPipeline: { id: string } }>(
      'mutation { createPipeline(name: "Calm", spec: { stages: [{ use: "hide-replies" }] }) { id } }',
      {},
      member.token,
    );
    const pipelineId = created.data!.createPipeline.id;
    const updated = await gql(
      'mutation($id: ID!) { updatePipeline(id: $id, spec: { stages: [{ use: "language", with: { allow: ["de"] } }] }) { version } }',
      { id: pipelineId },
      member.token,
    );
    expect(updated.errors).toBeUndefined();
    await db.query(`UPDATE "Pipeline" SET "readPosition" = 'cursor-1' WHERE id = $1`, [pipelineId]);
    await db.query(
      `INSERT INTO "Plugin" (id, "ownerId", name, version, kind, code, "configSchema") VALUES (gen_random_uuid(), $1, 'quiet', '2.0.0', 'SANDBOXED', 'export default 1', '{"type":"object"}')`,
      [member.id],
    );
    await db.query(
      `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
       VALUES (gen_random_uuid(), $1, 'MASTODON', 'https://m.test/users/e', 'e@m.test', 'https://m.test', 'v1.the-sealed-secret', now())`,
      [member.id],
    );

    const res = await gql<{ exportMyData: Record<string, unknown> }>('{ exportMyData }', {}, member.token);
    const exported = res.data!.exportMyData;
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
    expect(JSON.stringify(exported)).not.toContain('the-sealed-secret');
    expect(exported).toMatchObject({
      format: 'tributary-member-export',
      version: 1,
      user: { username: 'exporter', role: 'MEMBER' },
    });

    // What was exported is what the database holds, field by field.
    const pipelines = exported['pipelines'] as {
      name: string;
      version: number;
      spec: unknown;
      readPosition: string | null;
      versions: { version: number; spec: unknown }[];
    }[];
    const stored = await db.query<{
      name: string;
      version: number;
      spec: unknown;
      readPosition: string | null;
    }>(
      `SELECT name, version, spec, "readPosition" FROM "Pipeline" WHERE "userId" = $1 ORDER BY "createdAt"`,
      [member.id],
    );
    expect(
      pipelines.map(({ name, version, spec, readPosition }) => ({ name, version, spec, readPosition })),
    ).toEqual(stored.rows);
    const calm = pipelines.find((p) => p.name === 'Calm')!;
    expect(calm.readPosition).toBe('cursor-1');
    const versions = await db.query<{ version: number; spec: unknown }>(
      `SELECT version, spec FROM "PipelineVersion" WHERE "pipelineId" = $1 ORDER BY version`,
      [pipelineId],
    );
    expect(calm.versions.map(({ version, spec }) => ({ version, spec }))).toEqual(versions.rows);
    expect(calm.versions).toHaveLength(2);
    expect(exported['plugins']).toEqual([
      {
        name: 'quiet',
        version: '2.0.0',
        code: 'export default 1',
        configSchema: { type: 'object' },
        createdAt: expect.any(String),
      },
    ]);
    expect(exported['linkedAccounts']).toEqual([
      expect.objectContaining({
        network: 'MASTODON',
        handle: 'e@m.test',
        serviceUrl: 'https://m.test',
        sources: [],
      }),
    ]);
    expect((exported['tokens'] as unknown[]).length).toBe(1);
    // Nothing of another member.
    expect(JSON.stringify(exported)).not.toContain('chief');
  });
});
