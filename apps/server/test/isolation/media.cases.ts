// Media uploads: Bob never reads, describes or posts Alice's upload, and his are not hers.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import type { CaseGroup, World } from './world.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==';
const UPLOAD =
  'mutation($d: String!, $alt: String) { uploadMedia(data: $d, altText: $alt) { id state altText } }';
const READ = 'query($id: ID!) { mediaUpload(id: $id) { id state altText } }';

let aliceUpload = '';

async function upload(w: World, token: string, alt: string): Promise<string> {
  const res = await w.gql<{ uploadMedia: { id: string } }>(UPLOAD, { d: PNG, alt }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.uploadMedia.id;
}

async function read(w: World, token: string, id: string) {
  const res = await w.gql<{ mediaUpload: { id: string; state: string; altText: string | null } | null }>(
    READ,
    { id },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.mediaUpload;
}

export const mediaCases: CaseGroup = {
  prepare: async (w) => {
    aliceUpload = await upload(w, w.alice.token, "Alice's picture");
  },
  cases: {
    uploadMedia: {
      anonymous: `mutation { uploadMedia(data: "${PNG}") { id } }`,
      crossUser: async (w) => {
        const bobs = await upload(w, w.bob.token, "Bob's picture");
        expect(await read(w, w.alice.token, bobs)).toBeNull();
        // Alice's upload is not Bob's to post, neither new nor as a reply.
        const post = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
        const input = { text: 'with her picture', crossPostTo: ['BLUESKY'], mediaIds: [aliceUpload] };
        expect(codeOf(await w.gql(post, { input }, w.bob.token))).toBe('NOT_FOUND');
        const reply = 'mutation($m: [ID!]) { reply(post: "1", text: "x", mediaIds: $m) { id } }';
        expect(codeOf(await w.gql(reply, { m: [aliceUpload] }, w.bob.token))).toBe('NOT_FOUND');
        expect(await read(w, w.alice.token, aliceUpload)).toMatchObject({ state: 'READY' });
      },
    },
    updateMedia: {
      anonymous: 'mutation { updateMedia(id: "1", altText: "x") { id } }',
      crossUser: async (w) => {
        const m = 'mutation($id: ID!) { updateMedia(id: $id, altText: "Bob was here") { id } }';
        expect(codeOf(await w.gql(m, { id: aliceUpload }, w.bob.token))).toBe('NOT_FOUND');
        expect(await read(w, w.alice.token, aliceUpload)).toMatchObject({ altText: "Alice's picture" });
      },
    },
    mediaUpload: {
      anonymous: '{ mediaUpload(id: "1") { id } }',
      crossUser: async (w) => {
        expect(await read(w, w.bob.token, aliceUpload)).toBeNull();
        expect(await read(w, w.alice.token, aliceUpload)).toEqual({
          id: aliceUpload,
          state: 'READY',
          altText: "Alice's picture",
        });
      },
    },
  },
};
