// Bookmarks: Bob never lists Alice's bookmarks, never bookmarks a post only she can see, never
// takes her bookmark back, and never reads the post her bookmark keeps.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { insertPost, showToAlice, sql } from './world.js';
import type { CaseGroup, World } from './world.js';

/** A post Alice sees through her home source. */
let seenPost = '';
/** A post Alice bookmarked; she reaches it through the bookmark alone. */
let keptPost = '';

const LIST = '{ bookmarks(first: 100) { edges { node { id text bookmarked } } } }';

async function bookmarkRows(w: World, userId: string): Promise<string[]> {
  const rows = await sql<{ postId: string }>(
    w,
    `SELECT "postId"::text AS "postId" FROM "Bookmark" WHERE "userId" = $1 ORDER BY "postId"`,
    [userId],
  );
  return rows.map((r) => r.postId);
}

export const bookmarkCases: CaseGroup = {
  prepare: async (w) => {
    seenPost = await insertPost(w, {
      uri: 'at://did:plc:bookmarked/app.bsky.feed.post/seen1',
      nativeId: 'bafyseen',
      authorDid: 'did:plc:bookmarked',
      authorHandle: 'kept.test',
      text: 'A post Alice sees',
    });
    await showToAlice(w, seenPost);
    const uri = 'at://did:plc:bookmarked/app.bsky.feed.post/kept1';
    keptPost = await insertPost(w, {
      uri,
      nativeId: 'bafykept',
      authorDid: 'did:plc:bookmarked',
      authorHandle: 'kept.test',
      text: 'A post Alice bookmarked',
    });
    await sql(w, `INSERT INTO "Bookmark" ("userId", network, uri, "postId") VALUES ($1, 'BLUESKY', $2, $3)`, [
      w.alice.id,
      uri,
      keptPost,
    ]);
  },
  cases: {
    bookmarks: {
      anonymous: '{ bookmarks { edges { cursor } } }',
      crossUser: async (w) => {
        const bob = await w.gql<{ bookmarks: { edges: unknown[] } }>(LIST, {}, w.bob.token);
        expect(bob.errors).toBeUndefined();
        expect(bob.data!.bookmarks.edges).toEqual([]);
        const alice = await w.gql<{ bookmarks: { edges: { node: unknown }[] } }>(LIST, {}, w.alice.token);
        expect(alice.data!.bookmarks.edges.map((e) => e.node)).toContainEqual({
          id: keptPost,
          text: 'A post Alice bookmarked',
          bookmarked: true,
        });
        // The post the bookmark keeps is hers to open, not his.
        const q = 'query($id: ID!) { post(id: $id) { text bookmarked } }';
        expect(codeOf(await w.gql(q, { id: keptPost }, w.bob.token))).toBe('NOT_FOUND');
        expect((await w.gql(q, { id: keptPost }, w.alice.token)).data).toEqual({
          post: { text: 'A post Alice bookmarked', bookmarked: true },
        });
      },
    },
    bookmark: {
      anonymous: 'mutation { bookmark(post: "1") { id } }',
      crossUser: async (w) => {
        const m = 'mutation($p: ID!) { bookmark(post: $p) { id bookmarked } }';
        for (const p of [seenPost, keptPost]) {
          expect(codeOf(await w.gql(m, { p }, w.bob.token))).toBe('NOT_FOUND');
        }
        expect(await bookmarkRows(w, w.bob.id)).toEqual([]);
        const alice = await w.gql(m, { p: seenPost }, w.alice.token);
        expect(alice.data).toEqual({ bookmark: { id: seenPost, bookmarked: true } });
        await w.gql('mutation($p: ID!) { unbookmark(post: $p) { id } }', { p: seenPost }, w.alice.token);
      },
    },
    unbookmark: {
      anonymous: 'mutation { unbookmark(post: "1") { id } }',
      crossUser: async (w) => {
        const m = 'mutation($p: ID!) { unbookmark(post: $p) { id bookmarked } }';
        expect(codeOf(await w.gql(m, { p: keptPost }, w.bob.token))).toBe('NOT_FOUND');
        expect(await bookmarkRows(w, w.alice.id)).toContain(keptPost);
      },
    },
  },
};
