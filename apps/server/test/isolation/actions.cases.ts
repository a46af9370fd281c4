// Outbound actions: Bob never reads Alice's actions nor acts through her accounts.
import { expect } from '@jest/globals';
import { sql } from './world.js';
import type { CaseGroup, World } from './world.js';

/** Alice's action, inserted as the API would have stored it (no worker involved). */
let aliceActionId = '';

async function actionIdsOf(w: World, token: string): Promise<string[]> {
  const res = await w.gql<{ actions: { id: string }[] }>('{ actions(first: 100) { id } }', {}, token);
  expect(res.errors).toBeUndefined();
  return res.data!.actions.map((a) => a.id);
}

export const actionCases: CaseGroup = {
  prepare: async (w) => {
    const [row] = await sql<{ id: string }>(
      w,
      `INSERT INTO "OutboundAction" (id, "userId", "linkedAccountId", kind, payload, "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, 'POST', $3, now()) RETURNING id`,
      [
        w.alice.id,
        w.aliceAccountId,
        JSON.stringify({ network: 'BLUESKY', postId: null, target: null, ref: null, draft: { text: 'hi', contentWarning: null, language: null, media: [] } }),
      ],
    );
    aliceActionId = row!.id;
  },
  cases: {
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
