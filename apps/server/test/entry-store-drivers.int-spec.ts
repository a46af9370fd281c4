// The pipeline's reads (candidates, recent candidates, dedupe history) go straight to the driver:
// node-postgres on PostgreSQL, PGlite on the embedded database `npm start` uses by default. The
// same data must read back the same through both.
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PrismaClient, Sql } from '@tributary/db';
import { upsertIngested } from '@tributary/db';
import { dedupeKeysOf } from '@tributary/pipeline';
import {
  createDefaultPipeline,
  loadCandidates,
  loadHistory,
  loadRecentCandidates,
  loadRecentPostIds,
  upsertEntries,
} from '@tributary/timeline';
import { createTestDatabases } from '@tributary/testing';
import type { TestDatabase, TestDatabases, TestPglite } from '@tributary/testing';
import { createSource, testPost } from './pipeline-fixtures.js';

const RECENT = Date.now() - 60 * 60_000;

async function seed(prisma: PrismaClient) {
  const user = await prisma.user.create({ data: { username: 'reader', passwordHash: 'x' } });
  const pipeline = await createDefaultPipeline(prisma, user.id);
  const { sourceId } = await createSource(prisma, user.id);
  // Posts 6..11 are Bridgy Fed copies of posts 0..5: each one's dedupe key finds its original.
  const posts = Array.from({ length: 12 }, (_, n) =>
    testPost(n, n >= 6 ? { raw: { bridgyOriginalUrl: testPost(n - 6, {}, RECENT).webUrl } } : {}, RECENT),
  );
  const { newPostIds } = await upsertIngested(
    prisma,
    sourceId,
    posts.map((post, n) => ({
      post,
      reason:
        n === 3
          ? {
              by: {
                network: 'BLUESKY',
                networkId: 'did:plc:friend',
                handle: 'friend.test',
                displayName: null,
                avatarUrl: null,
                bot: false,
              },
              at: new Date(RECENT).toISOString(),
              uri: 'at://did:plc:friend/app.bsky.feed.repost/r3',
            }
          : null,
    })),
    NETWORK_TRUST_DOMAIN,
  );
  return { user, pipeline, postIds: newPostIds };
}

/** Everything the three reads return for the seeded data, ids mapped to their order (ids differ per database). */
async function readAll(prisma: PrismaClient, sql: Sql) {
  const { user, pipeline, postIds } = await seed(prisma);
  const index = new Map(postIds.map((id, i) => [String(id), i]));
  const candidates = await loadCandidates(sql, user.id, [...postIds].reverse());
  const recent = await loadRecentCandidates(sql, user.id, 2, 100);
  const recentIds = await loadRecentPostIds(sql, user.id, 2, 100);
  // Entries for the first half; the second half's dedupe history is found by shared keys.
  const keysOf = (post: (typeof candidates)[number]['post']) => dedupeKeysOf([])(post);
  const written = candidates.slice(0, 6);
  await upsertEntries(
    sql,
    user.id,
    pipeline.id,
    1,
    written.map((c, i) => ({
      postId: c.postId,
      result: {
        uri: c.post.uri,
        hidden: false,
        hiddenReason: null,
        warn: [],
        blur: [],
        rankKey: i,
        decisions: [],
        seenIn: c.seenIn,
        reason: c.reason,
        duplicateOf: null,
      },
      dedupeKeys: keysOf(c.post),
    })),
  );
  const history = await loadHistory(sql, pipeline.id, candidates.slice(6), {
    windowMinutes: 60 * 24,
    keysOf,
  });
  // Ids and the account/source uuids differ per database: posts by seeding order, the rest by name.
  const portable = <T extends { postId: bigint; seenIn?: { linkedAccountId: string; sourceId: string }[] }>(
    c: T,
  ) => ({
    ...c,
    postId: index.get(String(c.postId)),
    seenIn: c.seenIn?.map((s) => ({ ...s, linkedAccountId: 'account', sourceId: 'source' })),
  });
  return {
    candidates: candidates.map(portable),
    recent: recent.map(portable),
    recentIds: recentIds.map((id) => index.get(String(id))),
    history: history.map(portable),
  };
}

describe('the pipeline reads on PostgreSQL and on the embedded database', () => {
  let postgres: TestDatabase;
  let pglite: TestPglite;
  let databases: TestDatabases | undefined;
  beforeAll(async () => {
    databases = await createTestDatabases();
    ({ postgres, pglite } = databases);
  });
  afterAll(() => databases?.close());

  it('read back the same candidates, recent candidates and dedupe history', async () => {
    const [fromPostgres, fromPglite] = [
      await readAll(postgres.prisma, postgres.sql),
      await readAll(pglite.prisma, pglite.sql),
    ];
    expect(fromPostgres.candidates).toHaveLength(12);
    expect(fromPostgres.candidates.map((c) => c.postId)).toEqual([...Array(12).keys()]); // oldest first
    expect(fromPostgres.candidates[3]!.reason?.by.handle).toBe('friend.test');
    expect(fromPostgres.recent).toHaveLength(12);
    // A rebuild reads the ids first, then the posts of each batch: the same posts in the same order.
    expect(fromPostgres.recentIds).toEqual(fromPostgres.recent.map((c) => c.postId));
    expect(fromPostgres.history.map((h) => h.postId).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fromPglite).toEqual(fromPostgres);
  });
});
