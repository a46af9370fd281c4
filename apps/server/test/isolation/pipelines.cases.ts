// Pipelines and plugins: Bob never reads, changes, previews with or runs Alice's pipelines or
// uploaded plugins. Alice owns an upload, a pipeline using it and one post of her own.
import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { expect } from '@jest/globals';
import { PrismaService, upsertIngested } from '@tributary/db';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { items, testPost } from '../pipeline-fixtures.js';
import type { CaseGroup, World } from './world.js';

const ALICE_PLUGIN = `definePlugin({ name: 'alice/cats', version: '1.0.0', configSchema: { type: 'object' }, fields: ['text'],
  filter: (posts) => posts.map((p) => (p.text.includes('cat') ? { action: 'hide', reason: 'cat' } : null)) });`;
const CATS_SPEC = { stages: [{ use: 'plugin:alice/cats@1.0.0' }] };
const NOBODY = '00000000-0000-0000-0000-000000000000';

let alicePipelineId = '';
let aliceDefaultId = '';
let alicePluginId = '';
let alicePostId = '';

interface PipelineRow {
  id: string;
  name: string;
  version: number;
  isDefault: boolean;
}

async function pipelinesOf(w: World, token: string): Promise<PipelineRow[]> {
  const res = await w.gql<{ pipelines: PipelineRow[] }>(
    '{ pipelines { id name version isDefault } }',
    {},
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.pipelines;
}

async function pluginIdsOf(w: World, token: string): Promise<string[]> {
  const res = await w.gql<{ plugins: { id: string }[] }>('{ plugins { id } }', {}, token);
  expect(res.errors).toBeUndefined();
  return res.data!.plugins.map((p) => p.id);
}

/** Alice's pipelines exactly as prepared: nothing of them changed. */
async function aliceUnchanged(w: World): Promise<void> {
  expect(await pipelinesOf(w, w.alice.token)).toEqual(
    expect.arrayContaining([
      { id: aliceDefaultId, name: 'Home', version: 1, isDefault: true },
      { id: alicePipelineId, name: 'Cats', version: 1, isDefault: false },
    ]),
  );
}

export const pipelineCases: CaseGroup = {
  prepare: async (w) => {
    // Stored as uploadPlugin and createPipeline would (both tested in pipelines-api.int-spec.ts),
    // without their sandbox check and rebuild job: the suite's set-up has one minute for everyone.
    const prisma = w.instance.running.apps[0]!.get(PrismaService, { strict: false }).client;
    alicePluginId = (
      await prisma.plugin.create({
        data: {
          ownerId: w.alice.id,
          kind: 'SANDBOXED',
          name: 'alice/cats',
          version: '1.0.0',
          code: ALICE_PLUGIN,
          configSchema: { type: 'object' },
        },
      })
    ).id;
    const spec = { name: 'Cats', ...CATS_SPEC };
    alicePipelineId = (
      await prisma.pipeline.create({
        data: { userId: w.alice.id, name: 'Cats', spec, versions: { create: { version: 1, spec } } },
      })
    ).id;
    aliceDefaultId = (await pipelinesOf(w, w.alice.token)).find((p) => p.isDefault)!.id;
    // Seen by the home source of Alice's real link (no new account: other cases count hers).
    const home = await prisma.source.findFirstOrThrow({
      where: { linkedAccountId: w.aliceBlueskyAccountId, kind: 'HOME' },
    });
    const { newPostIds } = await upsertIngested(
      prisma,
      home.id,
      items([testPost(4242, { text: 'alice private cat post' })]),
      NETWORK_TRUST_DOMAIN,
    );
    alicePostId = String(newPostIds[0]);
    // The newest of Alice's posts whatever other groups add, so a preview of one post is this one
    // (other fixtures store posts with partial data, which the engine cannot rank).
    await prisma.$executeRawUnsafe(
      `UPDATE "SourcePost" SET "seenAt" = now() + interval '1 day' WHERE "postId" = $1::bigint`,
      alicePostId,
    );
  },
  cases: {
    pipelines: {
      anonymous: '{ pipelines { id } }',
      crossUser: async (w) => {
        const bob = await pipelinesOf(w, w.bob.token);
        expect(bob.filter((p) => p.isDefault)).toHaveLength(1);
        expect(bob.map((p) => p.id)).not.toContain(alicePipelineId);
        expect(bob.map((p) => p.id)).not.toContain(aliceDefaultId);
        await aliceUnchanged(w);
      },
    },
    pipeline: {
      anonymous: `{ pipeline(id: "${NOBODY}") { id } }`,
      crossUser: async (w) => {
        const q = 'query($id: ID!) { pipeline(id: $id) { id spec versions { version } } }';
        const bob = await w.gql<{ pipeline: unknown }>(q, { id: alicePipelineId }, w.bob.token);
        expect(bob.errors).toBeUndefined();
        expect(bob.data?.pipeline).toBeNull();
        const alice = await w.gql<{ pipeline: { id: string } }>(q, { id: alicePipelineId }, w.alice.token);
        expect(alice.data?.pipeline).toMatchObject({ id: alicePipelineId, versions: [{ version: 1 }] });
      },
    },
    validatePipeline: {
      anonymous: '{ validatePipeline(spec: { stages: [] }) { valid } }',
      crossUser: async (w) => {
        // Alice's upload is not installed for Bob; for her it is.
        const q = 'query($s: JSON!) { validatePipeline(spec: $s) { valid errors { path message } } }';
        const bob = await w.gql<{
          validatePipeline: { valid: boolean; errors: { path: string; message: string }[] };
        }>(q, { s: CATS_SPEC }, w.bob.token);
        expect(bob.data?.validatePipeline.valid).toBe(false);
        expect(bob.data?.validatePipeline.errors).toEqual([
          { path: 'stages[0].use', message: expect.stringContaining('not installed') },
        ]);
        const alice = await w.gql<{ validatePipeline: { valid: boolean } }>(
          q,
          { s: CATS_SPEC },
          w.alice.token,
        );
        expect(alice.data?.validatePipeline.valid).toBe(true);
      },
    },
    previewPipeline: {
      anonymous: '{ previewPipeline(spec: { stages: [] }) { hidden } }',
      crossUser: async (w) => {
        const q =
          'query($s: JSON!) { previewPipeline(spec: $s, limit: 200) { post { id text } hidden hiddenReason } }';
        // Bob's preview runs over Bob's posts only (none), never Alice's.
        const bob = await w.gql<{ previewPipeline: { post: { id: string } }[] }>(
          q,
          { s: { stages: [] } },
          w.bob.token,
        );
        expect(bob.errors).toBeUndefined();
        expect(bob.data!.previewPipeline.map((i) => i.post.id)).not.toContain(alicePostId);
        // Nor with Alice's plugin.
        const withPlugin = await w.gql(q, { s: CATS_SPEC }, w.bob.token);
        expect(codeOf(withPlugin)).toBe('BAD_USER_INPUT');
        expect(withPlugin.errors![0]!.message).toMatch(/not installed/);
        // Alice's own preview sees her post, hidden by her plugin.
        const alice = await w.gql<{
          previewPipeline: { post: { id: string }; hidden: boolean; hiddenReason: string }[];
        }>(q.replace('limit: 200', 'limit: 1'), { s: CATS_SPEC }, w.alice.token);
        expect(alice.errors).toBeUndefined();
        expect(alice.data!.previewPipeline).toEqual([
          {
            post: { id: alicePostId, text: 'alice private cat post' },
            hidden: true,
            hiddenReason: 'cat',
          },
        ]);
      },
    },
    createPipeline: {
      anonymous: 'mutation { createPipeline(name: "x", spec: { stages: [] }) { id } }',
      crossUser: async (w) => {
        const q = 'mutation($n: String!, $s: JSON!) { createPipeline(name: $n, spec: $s) { id } }';
        const withPlugin = await w.gql(q, { n: 'Borrowed', s: CATS_SPEC }, w.bob.token);
        expect(codeOf(withPlugin)).toBe('BAD_USER_INPUT');
        // Names are per user: Bob's "Cats" is his own and leaves Alice's alone.
        const own = await w.gql<{ createPipeline: { id: string } }>(
          q,
          { n: 'Cats', s: { stages: [] } },
          w.bob.token,
        );
        expect(own.errors).toBeUndefined();
        expect(own.data!.createPipeline.id).not.toBe(alicePipelineId);
        await w.gql(
          'mutation($id: ID!) { deletePipeline(id: $id) }',
          { id: own.data!.createPipeline.id },
          w.bob.token,
        );
        expect(await pipelinesOf(w, w.bob.token)).toHaveLength(1);
        await aliceUnchanged(w);
      },
    },
    updatePipeline: {
      anonymous: `mutation { updatePipeline(id: "${NOBODY}", name: "x") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!, $s: JSON) { updatePipeline(id: $id, name: "Mine now", spec: $s) { id } }',
          { id: alicePipelineId, s: { stages: [] } },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        await aliceUnchanged(w);
      },
    },
    deletePipeline: {
      anonymous: `mutation { deletePipeline(id: "${NOBODY}") }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!) { deletePipeline(id: $id) }',
          { id: alicePipelineId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        // Nor can Bob make Alice's pipeline his default while deleting his own.
        const bobDefault = (await pipelinesOf(w, w.bob.token))[0]!.id;
        const extra = await w.gql<{ createPipeline: { id: string } }>(
          'mutation { createPipeline(name: "Spare", spec: { stages: [] }) { id } }',
          {},
          w.bob.token,
        );
        const swap = await w.gql(
          'mutation($id: ID!, $d: ID) { deletePipeline(id: $id, newDefault: $d) }',
          { id: bobDefault, d: alicePipelineId },
          w.bob.token,
        );
        expect(codeOf(swap)).toBe('NOT_FOUND');
        await w.gql(
          'mutation($id: ID!) { deletePipeline(id: $id) }',
          { id: extra.data!.createPipeline.id },
          w.bob.token,
        );
        expect((await pipelinesOf(w, w.bob.token)).map((p) => p.id)).toEqual([bobDefault]);
        await aliceUnchanged(w);
      },
    },
    setDefaultPipeline: {
      anonymous: `mutation { setDefaultPipeline(id: "${NOBODY}") { id } }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!) { setDefaultPipeline(id: $id) { id } }',
          { id: alicePipelineId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        await aliceUnchanged(w);
        expect((await pipelinesOf(w, w.bob.token)).filter((p) => p.isDefault)).toHaveLength(1);
      },
    },
    plugins: {
      anonymous: '{ plugins { id } }',
      crossUser: async (w) => {
        expect(await pluginIdsOf(w, w.bob.token)).not.toContain(alicePluginId);
        expect(await pluginIdsOf(w, w.alice.token)).toContain(alicePluginId);
      },
    },
    uploadPlugin: {
      anonymous: 'mutation { uploadPlugin(code: "x") { id } }',
      crossUser: async (w) => {
        // Bob's upload of the same name and version is his own; Alice's stays hers, unchanged.
        const res = await w.gql<{ uploadPlugin: { id: string } }>(
          'mutation($c: String!) { uploadPlugin(code: $c) { id code } }',
          { c: ALICE_PLUGIN.replace("'cat'", "'dog'") },
          w.bob.token,
        );
        expect(res.errors).toBeUndefined();
        const bobPlugin = res.data!.uploadPlugin.id;
        expect(await pluginIdsOf(w, w.alice.token)).not.toContain(bobPlugin);
        const alice = await w.gql<{ plugins: { id: string; code: string }[] }>(
          '{ plugins { id code } }',
          {},
          w.alice.token,
        );
        expect(alice.data!.plugins.find((p) => p.id === alicePluginId)?.code).toBe(ALICE_PLUGIN);
        await w.gql('mutation($id: ID!) { deletePlugin(id: $id) }', { id: bobPlugin }, w.bob.token);
        expect(await pluginIdsOf(w, w.bob.token)).toEqual([]);
      },
    },
    deletePlugin: {
      anonymous: `mutation { deletePlugin(id: "${NOBODY}") }`,
      crossUser: async (w) => {
        const res = await w.gql(
          'mutation($id: ID!) { deletePlugin(id: $id) }',
          { id: alicePluginId },
          w.bob.token,
        );
        expect(codeOf(res)).toBe('NOT_FOUND');
        expect(await pluginIdsOf(w, w.alice.token)).toContain(alicePluginId);
      },
    },
  },
};
