// Timeline reading and read positions: Bob never reads Alice's timeline, pages it with her cursors
// or moves her read position. Alice has one post in her default pipeline's timeline.
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { expect } from '@jest/globals';
import { PrismaService, upsertIngested } from '@tributary/db';
import { TimelineService } from '@tributary/timeline';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { items, testPost } from '../pipeline-fixtures.js';
import { sql } from './world.js';
import type { CaseGroup, World } from './world.js';

let alicePipelineId = '';
let bobPipelineId = '';
let aliceCursor = '';
let aliceEntryId = '';

const PAGE = `query($p: ID, $after: String) { timeline(pipeline: $p, first: 10, after: $after, includeHidden: true) {
  edges { cursor node { id post { text } } } } }`;
const MARK = 'mutation($p: ID!, $pos: String!) { markRead(pipeline: $p, position: $pos) }';

async function readPositions(w: World): Promise<Record<string, string | null>> {
  const rows = await sql<{ id: string; readPosition: string | null }>(
    w,
    `SELECT id, "readPosition" FROM "Pipeline" WHERE id = ANY($1::uuid[])`,
    [[alicePipelineId, bobPipelineId]],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.readPosition]));
}

export const timelineCases: CaseGroup = {
  prepare: async (w) => {
    const [alice, bob] = await Promise.all(
      [w.alice.id, w.bob.id].map((id) =>
        sql<{ id: string }>(w, `SELECT id FROM "Pipeline" WHERE "userId" = $1 AND "isDefault"`, [id]),
      ),
    );
    alicePipelineId = alice![0]!.id;
    bobPipelineId = bob![0]!.id;
    const worker = w.instance.running.apps[0]!;
    const prisma = worker.get(PrismaService, { strict: false }).client;
    const home = await prisma.source.findFirstOrThrow({
      where: { linkedAccountId: w.aliceBlueskyAccountId, kind: 'HOME' },
    });
    const { newPostIds } = await upsertIngested(
      prisma,
      home.id,
      items([testPost(5151, { text: 'alice timeline secret' }, Date.now() - 5151_000)]),
      NETWORK_TRUST_DOMAIN,
    );
    await worker.get(TimelineService, { strict: false }).runPipelines(w.alice.id, newPostIds.map(String));
    const res = await w.gql<{
      timeline: { edges: { cursor: string; node: { id: string; post: { text: string } } }[] };
    }>(PAGE, { p: alicePipelineId }, w.alice.token);
    expect(res.errors).toBeUndefined();
    const edge = res.data!.timeline.edges.find((e) => e.node.post.text === 'alice timeline secret')!;
    aliceCursor = edge.cursor;
    aliceEntryId = edge.node.id;
  },
  cases: {
    timeline: {
      anonymous: '{ timeline { edges { cursor } } }',
      crossUser: async (w) => {
        // Her pipeline by id, with or without her cursor: not found.
        expect(codeOf(await w.gql(PAGE, { p: alicePipelineId }, w.bob.token))).toBe('NOT_FOUND');
        expect(codeOf(await w.gql(PAGE, { p: alicePipelineId, after: aliceCursor }, w.bob.token))).toBe(
          'NOT_FOUND',
        );
        // His own timeline has none of her entries, and her cursor does not page it.
        const own = await w.gql<{ timeline: { edges: { node: { id: string } }[] } }>(PAGE, {}, w.bob.token);
        expect(own.errors).toBeUndefined();
        expect(own.data!.timeline.edges.map((e) => e.node.id)).not.toContain(aliceEntryId);
        const withHers = await w.gql(PAGE, { after: aliceCursor }, w.bob.token);
        expect(codeOf(withHers)).toBe('BAD_USER_INPUT');
        expect(withHers.data ?? null).toBeNull();
        // Alice still reads it.
        const hers = await w.gql<{ timeline: { edges: { node: { id: string } }[] } }>(
          PAGE,
          {},
          w.alice.token,
        );
        expect(hers.data!.timeline.edges.map((e) => e.node.id)).toContain(aliceEntryId);
      },
    },
    markRead: {
      anonymous: `mutation { markRead(pipeline: "00000000-0000-4000-8000-000000000000", position: "x") }`,
      crossUser: async (w) => {
        const before = await readPositions(w);
        expect(codeOf(await w.gql(MARK, { p: alicePipelineId, pos: aliceCursor }, w.bob.token))).toBe(
          'NOT_FOUND',
        );
        // Her cursor on his pipeline is not a position of it.
        expect(codeOf(await w.gql(MARK, { p: bobPipelineId, pos: aliceCursor }, w.bob.token))).toBe(
          'BAD_USER_INPUT',
        );
        expect(await readPositions(w)).toEqual(before);
        // Alice can.
        const mine = await w.gql<{ markRead: boolean }>(
          MARK,
          { p: alicePipelineId, pos: aliceCursor },
          w.alice.token,
        );
        expect(mine.data?.markRead).toBe(true);
        expect(await readPositions(w)).toEqual({ ...before, [alicePipelineId]: aliceCursor });
      },
    },
  },
};
