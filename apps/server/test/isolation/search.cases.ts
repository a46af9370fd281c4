// Search: Bob never searches through Alice's accounts (naming them, or with a cursor of her
// search), and never opens the posts her search stored for her.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { waitFor } from '../wait-for.js';
import type { CaseGroup } from './world.js';

const SEARCH = `query($q: String!, $a: [ID!], $after: String) {
  search(query: $q, accounts: $a, first: 1, after: $after) {
    posts { post { id text } } networks { linkedAccountId error } pageInfo { endCursor }
  }
}`;
const WORD = 'isolatedotter';

export const searchCases: CaseGroup = {
  prepare: async (w) => {
    for (const n of [1, 2])
      await w.aliceBluesky.agent.post({ text: `${WORD} number ${n}`, createdAt: new Date().toISOString() });
  },
  cases: {
    search: {
      anonymous: '{ search(query: "x") { kind } }',
      crossUser: async (w) => {
        type Found = {
          search: {
            posts: { post: { id: string; text: string } }[];
            networks: { linkedAccountId: string | null; error: string | null }[];
            pageInfo: { endCursor: string | null };
          };
        };
        const through = { q: WORD, a: [w.aliceBlueskyAccountId] };
        expect(codeOf(await w.gql(SEARCH, through, w.bob.token))).toBe('NOT_FOUND');
        // Bob has no account of his own to search through.
        expect(codeOf(await w.gql(SEARCH, { q: WORD }, w.bob.token))).toBe('BAD_USER_INPUT');
        const alice = await waitFor("Alice's post indexed by the AppView", async () => {
          const res = await w.gql<Found>(SEARCH, through, w.alice.token);
          expect(res.errors).toBeUndefined();
          return res.data!.search.posts.length > 0 ? res.data!.search : null;
        });
        expect(alice.networks).toEqual([{ linkedAccountId: w.aliceBlueskyAccountId, error: null }]);
        // Her cursor names her account: it does not search through it for Bob.
        const next = { q: WORD, after: alice.pageInfo.endCursor };
        expect(codeOf(await w.gql(SEARCH, next, w.bob.token))).toBe('BAD_USER_INPUT');
        // Stored for Alice: hers to open, not Bob's.
        const q = 'query($id: ID!) { post(id: $id) { text } }';
        const found = alice.posts[0]!.post;
        expect(codeOf(await w.gql(q, { id: found.id }, w.bob.token))).toBe('NOT_FOUND');
        expect((await w.gql(q, { id: found.id }, w.alice.token)).errors).toBeUndefined();
      },
    },
  },
};
