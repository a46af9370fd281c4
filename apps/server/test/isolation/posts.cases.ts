// Posts and threads: Bob never reads Alice's posts, nor threads through her accounts.
import { expect } from '@jest/globals';
import { blueskyNetwork } from '@tributary/testing';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { insertPost, showToAlice } from './world.js';
import type { CaseGroup, World } from './world.js';

/** Alice's post (on her home source) and its reply on the network, which only a thread fetch stores. */
let alicePostId = '';
let replyUri = '';

const THREAD = 'query($id: ID!) { thread(id: $id) { post { id } replies { post { id uri } } } }';

export const postCases: CaseGroup = {
  prepare: async (w: World) => {
    const net = await blueskyNetwork();
    const friend = await net.createAccount('friend');
    const root = await w.aliceBluesky.agent.post({ text: 'Alice thinks aloud' });
    const reply = await friend.agent.post({ text: 'Friend answers', reply: { root, parent: root } });
    replyUri = reply.uri;
    await net.processAll();
    // Stored as ingest would have (a row on Alice's home source), without waiting for the worker.
    const postId = await insertPost(w, {
      uri: root.uri,
      nativeId: root.cid,
      authorDid: w.aliceBluesky.did,
      authorHandle: w.aliceBluesky.handle,
      text: 'Alice thinks aloud',
      replies: 1,
    });
    await showToAlice(w, postId);
    alicePostId = postId;
  },
  cases: {
    post: {
      anonymous: '{ post(id: "1") { id } }',
      crossUser: async (w) => {
        const q = 'query($id: ID!) { post(id: $id) { id text } }';
        const bob = await w.gql<{ post: unknown }>(q, { id: alicePostId }, w.bob.token);
        expect(codeOf(bob)).toBe('NOT_FOUND');
        expect(JSON.stringify(bob)).not.toContain('Alice thinks aloud');
        const alice = await w.gql<{ post: { id: string; text: string } }>(
          q,
          { id: alicePostId },
          w.alice.token,
        );
        expect(alice.data?.post).toEqual({ id: alicePostId, text: 'Alice thinks aloud' });
      },
    },
    thread: {
      anonymous: '{ thread(id: "1") { post { id } } }',
      crossUser: async (w) => {
        const bob = await w.gql(THREAD, { id: alicePostId }, w.bob.token);
        expect(codeOf(bob)).toBe('NOT_FOUND');
        // Alice's thread is fetched through her account; its reply becomes hers to read, not Bob's.
        const alice = await w.gql<{
          thread: { post: { id: string }; replies: { post: { id: string; uri: string } }[] };
        }>(THREAD, { id: alicePostId }, w.alice.token);
        expect(alice.errors).toBeUndefined();
        expect(alice.data!.thread.post.id).toBe(alicePostId);
        const reply = alice.data!.thread.replies.find((r) => r.post.uri === replyUri);
        expect(reply).toBeDefined();
        const q = 'query($id: ID!) { post(id: $id) { uri } }';
        expect(codeOf(await w.gql(q, { id: reply!.post.id }, w.bob.token))).toBe('NOT_FOUND');
        expect(
          (await w.gql<{ post: { uri: string } }>(q, { id: reply!.post.id }, w.alice.token)).data?.post.uri,
        ).toBe(replyUri);
        expect(codeOf(await w.gql(THREAD, { id: reply!.post.id }, w.bob.token))).toBe('NOT_FOUND');
      },
    },
  },
};
