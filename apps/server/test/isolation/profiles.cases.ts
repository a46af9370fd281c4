// Profiles and relationships: Bob never reads a profile or posts through Alice's account, never
// opens the posts her account fetched, and never follows, mutes or blocks through her account.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { waitFor } from '../wait-for.js';
import { insertPost, showToAlice, sql } from './world.js';
import type { CaseGroup, IsolationCase, World } from './world.js';

const AUTHOR = 'query($h: String, $a: ID) { author(handle: $h, account: $a) { handle linkedAccountId } }';
const POSTS =
  'query($h: String!, $a: ID) { authorPosts(author: $h, account: $a) { items { post { id text } } } }';

async function actionRows(w: World): Promise<number> {
  const [row] = await sql<{ n: string }>(w, `SELECT count(*) AS n FROM "OutboundAction"`);
  return Number(row!.n);
}

/** Bob can act neither through Alice's account nor without one of his own; Alice can. */
function relationshipCase(field: string): IsolationCase {
  const mutation = `mutation($h: String!, $a: ID) { ${field}(author: $h, account: $a) { id status linkedAccountId } }`;
  return {
    anonymous: `mutation { ${field}(author: "carol.test") { id } }`,
    crossUser: async (w) => {
      const before = await actionRows(w);
      const vars = { h: 'carol.test', a: w.aliceBlueskyAccountId };
      expect(codeOf(await w.gql(mutation, vars, w.bob.token))).toBe('NOT_FOUND');
      expect(codeOf(await w.gql(mutation, { h: 'carol.test' }, w.bob.token))).toBe('BAD_USER_INPUT');
      expect(await actionRows(w)).toBe(before);
      const alice = await w.gql<Record<string, { status: string; linkedAccountId: string }>>(
        mutation,
        vars,
        w.alice.token,
      );
      expect(alice.errors).toBeUndefined();
      expect(alice.data?.[field]).toMatchObject({
        status: 'PENDING',
        linkedAccountId: w.aliceBlueskyAccountId,
      });
    },
  };
}

let aliceOwnPost = '';

export const profileCases: CaseGroup = {
  prepare: async (w) => {
    await w.aliceBluesky.agent.post({ text: "Alice's own post", createdAt: new Date().toISOString() });
    aliceOwnPost = await insertPost(w, {
      uri: `at://${w.aliceBluesky.did}/app.bsky.feed.post/3kownpost22a`,
      nativeId: 'bafyownpost',
      authorDid: w.aliceBluesky.did,
      authorHandle: w.aliceBluesky.handle,
      text: 'Alice wrote this',
    });
    await showToAlice(w, aliceOwnPost);
  },
  cases: {
    author: {
      anonymous: '{ author(handle: "carol.test") { handle } }',
      crossUser: async (w) => {
        const vars = { h: w.aliceBluesky.handle, a: w.aliceBlueskyAccountId };
        expect(codeOf(await w.gql(AUTHOR, vars, w.bob.token))).toBe('NOT_FOUND');
        // Bob has no Bluesky account of his own to read through.
        expect(codeOf(await w.gql(AUTHOR, { h: w.aliceBluesky.handle }, w.bob.token))).toBe('BAD_USER_INPUT');
        const alice = await w.gql<{ author: { linkedAccountId: string } }>(AUTHOR, vars, w.alice.token);
        expect(alice.errors).toBeUndefined();
        expect(alice.data!.author.linkedAccountId).toBe(w.aliceBlueskyAccountId);
      },
    },
    authorPosts: {
      anonymous: '{ authorPosts(author: "carol.test") { nextCursor } }',
      crossUser: async (w) => {
        const vars = { h: w.aliceBluesky.handle, a: w.aliceBlueskyAccountId };
        expect(codeOf(await w.gql(POSTS, vars, w.bob.token))).toBe('NOT_FOUND');
        const post = await waitFor("Alice's post on her profile", async () => {
          const res = await w.gql<{ authorPosts: { items: { post: { id: string; text: string } }[] } }>(
            POSTS,
            vars,
            w.alice.token,
          );
          expect(res.errors).toBeUndefined();
          return res.data!.authorPosts.items.find((i) => i.post.text === "Alice's own post")?.post;
        });
        // Fetched through Alice's account: hers to open, not Bob's.
        const q = 'query($id: ID!) { post(id: $id) { text } }';
        expect(codeOf(await w.gql(q, { id: post.id }, w.bob.token))).toBe('NOT_FOUND');
        expect((await w.gql(q, { id: post.id }, w.alice.token)).errors).toBeUndefined();
      },
    },
    deletePost: {
      anonymous: 'mutation { deletePost(post: "1") { id } }',
      crossUser: async (w) => {
        const before = await actionRows(w);
        const m = 'mutation($p: ID!) { deletePost(post: $p) { id status linkedAccountId } }';
        expect(codeOf(await w.gql(m, { p: aliceOwnPost }, w.bob.token))).toBe('NOT_FOUND');
        expect(await actionRows(w)).toBe(before);
        const alice = await w.gql<{ deletePost: { status: string; linkedAccountId: string } }>(
          m,
          { p: aliceOwnPost },
          w.alice.token,
        );
        expect(alice.errors).toBeUndefined();
        expect(alice.data!.deletePost).toMatchObject({
          status: 'PENDING',
          linkedAccountId: w.aliceBlueskyAccountId,
        });
      },
    },
    editPost: {
      anonymous: 'mutation { editPost(post: "1", text: "x") { id } }',
      crossUser: async (w) => {
        const before = await actionRows(w);
        const m = 'mutation($p: ID!) { editPost(post: $p, text: "changed") { id } }';
        expect(codeOf(await w.gql(m, { p: aliceOwnPost }, w.bob.token))).toBe('NOT_FOUND');
        // Alice reaches it: refused for what it is (a Bluesky post has no edits), not as unseen.
        const alice = await w.gql(m, { p: aliceOwnPost }, w.alice.token);
        expect(codeOf(alice)).toBe('BAD_USER_INPUT');
        expect(alice.errors?.[0]?.message).toMatch(/^post: Bluesky posts cannot be edited/);
        expect(await actionRows(w)).toBe(before);
      },
    },
    follow: relationshipCase('follow'),
    unfollow: relationshipCase('unfollow'),
    mute: relationshipCase('mute'),
    unmute: relationshipCase('unmute'),
    block: relationshipCase('block'),
    unblock: relationshipCase('unblock'),
  },
};
