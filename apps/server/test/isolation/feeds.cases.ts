// Published feeds: Bob never publishes Alice's pipeline or through her account, never unpublishes her
// feed, never lists it or reads what the Bluesky app sent back about her items.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { sql } from './world.js';
import type { CaseGroup } from './world.js';

let alicePipelineId = '';
let bobPipelineId = '';
let aliceFeedId = '';

const PUBLISH = `mutation($p: ID!, $a: ID!) { publishFeed(pipeline: $p, account: $a, displayName: "Mine") { id } }`;

export const feedCases: CaseGroup = {
  prepare: async (w) => {
    const pipelines = await sql<{ id: string; userId: string }>(
      w,
      `SELECT id, "userId" FROM "Pipeline" WHERE "userId" = ANY($1::uuid[]) AND "isDefault"`,
      [[w.alice.id, w.bob.id]],
    );
    alicePipelineId = pipelines.find((p) => p.userId === w.alice.id)!.id;
    bobPipelineId = pipelines.find((p) => p.userId === w.bob.id)!.id;
    // Her feed as publishFeed stores it (the isolation world has no PUBLIC_URL to publish with).
    const [feed] = await sql<{ id: string }>(
      w,
      `INSERT INTO "PublishedFeed" (id, "userId", "pipelineId", "linkedAccountId", uri, rkey, "displayName", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, 'at://did:plc:alice/app.bsky.feed.generator/x', 'x', 'Hers', now()) RETURNING id`,
      [w.alice.id, alicePipelineId, w.aliceBlueskyAccountId],
    );
    aliceFeedId = feed!.id;
  },
  cases: {
    publishedFeeds: {
      anonymous: '{ publishedFeeds { id } }',
      crossUser: async (w) => {
        const his = await w.gql<{ publishedFeeds: { id: string }[] }>(
          '{ publishedFeeds { id } }',
          {},
          w.bob.token,
        );
        expect(his.data!.publishedFeeds).toEqual([]);
        const hers = await w.gql<{ publishedFeeds: { id: string }[] }>(
          '{ publishedFeeds { id } }',
          {},
          w.alice.token,
        );
        expect(hers.data!.publishedFeeds.map((f) => f.id)).toEqual([aliceFeedId]);
      },
    },
    publishFeed: {
      anonymous: 'mutation { publishFeed(pipeline: "x", account: "y", displayName: "z") { id } }',
      crossUser: async (w) => {
        // Her pipeline, or her account: not found (checked before whether PUBLIC_URL is set).
        for (const [p, a] of [
          [alicePipelineId, w.aliceBlueskyAccountId],
          [bobPipelineId, w.aliceBlueskyAccountId],
        ]) {
          expect(codeOf(await w.gql(PUBLISH, { p, a }, w.bob.token))).toBe('NOT_FOUND');
        }
      },
    },
    unpublishFeed: {
      anonymous: 'mutation { unpublishFeed(feed: "x") }',
      crossUser: async (w) => {
        expect(
          codeOf(
            await w.gql('mutation($f: ID!) { unpublishFeed(feed: $f) }', { f: aliceFeedId }, w.bob.token),
          ),
        ).toBe('NOT_FOUND');
        expect(await sql(w, `SELECT id FROM "PublishedFeed" WHERE id = $1`, [aliceFeedId])).toHaveLength(1);
      },
    },
    feedInteractions: {
      anonymous: '{ feedInteractions(pipeline: "x") { id } }',
      crossUser: async (w) => {
        const q = 'query($p: ID!) { feedInteractions(pipeline: $p) { id } }';
        expect(codeOf(await w.gql(q, { p: alicePipelineId }, w.bob.token))).toBe('NOT_FOUND');
      },
    },
  },
};
