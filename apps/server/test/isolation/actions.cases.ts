// Outbound actions: Bob never reads Alice's actions, never acts on posts only she can see, and
// never acts through her accounts.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { insertPost, showToAlice, sql } from './world.js';
import type { CaseGroup, IsolationCase, World } from './world.js';

/** Alice's action, inserted as the API would have stored it (no worker involved). */
let aliceActionId = '';
/** A post only Alice can see (it came in through her real Bluesky link's home source). */
let alicePostId = '';

async function actionRows(w: World): Promise<number> {
  const [row] = await sql<{ n: string }>(w, `SELECT count(*) AS n FROM "OutboundAction"`);
  return Number(row!.n);
}

/**
 * like/unlike/repost/unrepost/reply: Bob can neither act on Alice's post nor through her account
 * (both NOT_FOUND, nothing stored), while Alice can act on it.
 */
function onPostCase(
  field: string,
  extraDecl = '',
  extraArgs = '',
  extraVars: Record<string, unknown> = {},
): IsolationCase {
  const mutation = `mutation($p: ID!, $a: ID${extraDecl}) { ${field}(post: $p, account: $a${extraArgs}) { id status } }`;
  return {
    anonymous: `mutation { ${field}(post: "1"${extraArgs ? ', text: "x"' : ''}) { id } }`,
    crossUser: async (w) => {
      const before = await actionRows(w);
      expect(codeOf(await w.gql(mutation, { p: alicePostId, ...extraVars }, w.bob.token))).toBe('NOT_FOUND');
      expect(
        codeOf(
          await w.gql(mutation, { p: alicePostId, a: w.aliceBlueskyAccountId, ...extraVars }, w.bob.token),
        ),
      ).toBe('NOT_FOUND');
      expect(await actionRows(w)).toBe(before);
      // The same request is accepted for Alice (it then fails on the network: the post is made up).
      const alice = await w.gql<Record<string, { status: string }>>(
        mutation,
        { p: alicePostId, a: w.aliceBlueskyAccountId, ...extraVars },
        w.alice.token,
      );
      expect(alice.errors).toBeUndefined();
      expect(alice.data?.[field]?.status).toBe('PENDING');
    },
  };
}

async function actionIdsOf(w: World, token: string): Promise<string[]> {
  const res = await w.gql<{ actions: { id: string }[] }>('{ actions(first: 100) { id } }', {}, token);
  expect(res.errors).toBeUndefined();
  return res.data!.actions.map((a) => a.id);
}

export const actionCases: CaseGroup = {
  prepare: async (w) => {
    alicePostId = await insertPost(w, {
      uri: 'at://did:plc:actionsauthor/app.bsky.feed.post/3kactions22a',
      nativeId: 'bafyactions',
      authorDid: 'did:plc:actionsauthor',
      authorHandle: 'author.test',
      text: 'A post only Alice sees',
    });
    await showToAlice(w, alicePostId);
    const [row] = await sql<{ id: string }>(
      w,
      `INSERT INTO "OutboundAction" (id, "userId", "linkedAccountId", kind, payload, "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, 'POST', $3, now()) RETURNING id`,
      [
        w.alice.id,
        w.aliceAccountId,
        JSON.stringify({
          network: 'BLUESKY',
          postId: null,
          target: null,
          ref: null,
          draft: { text: 'hi', contentWarning: null, language: null, media: [] },
        }),
      ],
    );
    aliceActionId = row!.id;
  },
  cases: {
    like: onPostCase('like'),
    unlike: onPostCase('unlike'),
    repost: onPostCase('repost'),
    unrepost: onPostCase('unrepost'),
    reply: onPostCase('reply', ', $t: String!', ', text: $t', { t: 'not for Bob' }),
    quote: {
      anonymous: 'mutation { quote(post: "1", text: "x") { id } }',
      crossUser: async (w) => {
        const before = await actionRows(w);
        const m =
          'mutation($p: ID!, $a: ID) { quote(post: $p, account: $a, text: "not for Bob") { id status } }';
        expect(codeOf(await w.gql(m, { p: alicePostId }, w.bob.token))).toBe('NOT_FOUND');
        expect(codeOf(await w.gql(m, { p: alicePostId, a: w.aliceBlueskyAccountId }, w.bob.token))).toBe(
          'NOT_FOUND',
        );
        expect(await actionRows(w)).toBe(before);
        // Alice reaches the post: it is refused for what it is (a Bluesky post), not as unseen.
        expect(codeOf(await w.gql(m, { p: alicePostId, a: w.aliceBlueskyAccountId }, w.alice.token))).toBe(
          'BAD_USER_INPUT',
        );
      },
    },
    vote: {
      anonymous: 'mutation { vote(post: "1", choices: [0]) { id } }',
      crossUser: async (w) => {
        const before = await actionRows(w);
        const m = 'mutation($p: ID!, $a: ID) { vote(post: $p, account: $a, choices: [0]) { id status } }';
        expect(codeOf(await w.gql(m, { p: alicePostId }, w.bob.token))).toBe('NOT_FOUND');
        expect(codeOf(await w.gql(m, { p: alicePostId, a: w.aliceBlueskyAccountId }, w.bob.token))).toBe(
          'NOT_FOUND',
        );
        expect(await actionRows(w)).toBe(before);
        // Alice reaches the post: it is refused for what it is (a Bluesky post has no poll), not as unseen.
        expect(codeOf(await w.gql(m, { p: alicePostId, a: w.aliceBlueskyAccountId }, w.alice.token))).toBe(
          'BAD_USER_INPUT',
        );
      },
    },
    createPost: {
      anonymous: 'mutation { createPost(input: { text: "x", crossPostTo: [BLUESKY] }) { id } }',
      crossUser: async (w) => {
        const before = await actionRows(w);
        const m = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
        const through = { text: 'as Alice?', crossPostTo: ['BLUESKY'], accounts: [w.aliceBlueskyAccountId] };
        expect(codeOf(await w.gql(m, { input: through }, w.bob.token))).toBe('NOT_FOUND');
        // Without an account of his own on the network, Bob's post goes nowhere (never through Alice's).
        const own = await w.gql(m, { input: { text: 'mine', crossPostTo: ['BLUESKY'] } }, w.bob.token);
        expect(codeOf(own)).toBe('BAD_USER_INPUT');
        expect(own.errors?.[0]?.message).toMatch(/no linked Bluesky account/);
        expect(await actionRows(w)).toBe(before);
      },
    },
    action: {
      anonymous: '{ action(id: "00000000-0000-0000-0000-000000000000") { id } }',
      crossUser: async (w) => {
        const q = 'query($id: ID!) { action(id: $id) { id status } }';
        const bob = await w.gql<{ action: unknown }>(q, { id: aliceActionId }, w.bob.token);
        expect(bob.errors).toBeUndefined();
        expect(bob.data?.action).toBeNull();
        const alice = await w.gql<{ action: { id: string } }>(q, { id: aliceActionId }, w.alice.token);
        expect(alice.data?.action).toEqual({ id: aliceActionId, status: 'PENDING' });
      },
    },
    actions: {
      anonymous: '{ actions { id } }',
      crossUser: async (w) => {
        expect(await actionIdsOf(w, w.bob.token)).not.toContain(aliceActionId);
        expect(await actionIdsOf(w, w.alice.token)).toContain(aliceActionId);
      },
    },
  },
};
