// Notifications: Bob never lists, counts, groups, marks or receives Alice's notifications, nor
// reads the post one of them brought her.
import { expect } from '@jest/globals';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { LiveSubscription } from '../../../api/src/testing/graphql-ws-client.js';
import { anonymousConnection, withBobAccount, withLive } from './live.cases.js';
import { insertPost, sql } from './world.js';
import type { CaseGroup, World } from './world.js';

let aliceNotification = '';
let alicePost = '';

async function insertNotification(w: World, userId: string, accountId: string, postId: string | null) {
  const [row] = await sql<{ id: string }>(
    w,
    `INSERT INTO "Notification" ("userId", "linkedAccountId", network, kind, "nativeId", actor, "postId", "groupKey", "createdAt")
     VALUES ($1, $2, 'BLUESKY', 'MENTION', gen_random_uuid()::text,
             '{"network":"BLUESKY","networkId":"did:plc:carol","handle":"carol.test","displayName":null,"avatarUrl":null,"bot":false}',
             $3, 'MENTION:' || gen_random_uuid()::text, now()) RETURNING id::text`,
    [userId, accountId, postId],
  );
  return row!.id;
}

const LIST = '{ notifications(first: 100, includeHidden: true) { edges { node { id post { text } } } } }';

export const notificationCases: CaseGroup = {
  prepare: async (w) => {
    alicePost = await insertPost(w, {
      uri: 'at://did:plc:carol/app.bsky.feed.post/notified1',
      nativeId: 'bafynotified',
      authorDid: 'did:plc:carol',
      authorHandle: 'carol.test',
      text: "Carol's mention of Alice",
    });
    aliceNotification = await insertNotification(w, w.alice.id, w.aliceBlueskyAccountId, alicePost);
  },
  cases: {
    notifications: {
      anonymous: '{ notifications { edges { cursor } } }',
      crossUser: async (w) => {
        const bob = await w.gql<{ notifications: { edges: { node: { id: string } }[] } }>(
          LIST,
          {},
          w.bob.token,
        );
        expect(bob.errors).toBeUndefined();
        expect(bob.data!.notifications.edges.map((e) => e.node.id)).not.toContain(aliceNotification);
        const alice = await w.gql<{
          notifications: { edges: { node: { id: string; post: { text: string } } }[] };
        }>(LIST, {}, w.alice.token);
        expect(alice.data!.notifications.edges.map((e) => e.node)).toContainEqual({
          id: aliceNotification,
          post: { text: "Carol's mention of Alice" },
        });
        // The post it brought is Alice's to open, not Bob's.
        const q = 'query($id: ID!) { post(id: $id) { text } }';
        expect(codeOf(await w.gql(q, { id: alicePost }, w.bob.token))).toBe('NOT_FOUND');
        expect((await w.gql(q, { id: alicePost }, w.alice.token)).errors).toBeUndefined();
      },
    },
    notificationGroups: {
      anonymous: '{ notificationGroups { edges { cursor } } }',
      crossUser: async (w) => {
        const q = '{ notificationGroups(first: 100) { edges { node { latestId } } } }';
        const ids = async (token: string) =>
          (
            await w.gql<{ notificationGroups: { edges: { node: { latestId: string } }[] } }>(q, {}, token)
          ).data!.notificationGroups.edges.map((e) => e.node.latestId);
        expect(await ids(w.bob.token)).not.toContain(aliceNotification);
        expect(await ids(w.alice.token)).toContain(aliceNotification);
      },
    },
    unreadNotificationCount: {
      anonymous: '{ unreadNotificationCount }',
      crossUser: async (w) => {
        const count = async (token: string) =>
          (await w.gql<{ unreadNotificationCount: number }>('{ unreadNotificationCount }', {}, token)).data!
            .unreadNotificationCount;
        expect(await count(w.bob.token)).toBe(0);
        expect(await count(w.alice.token)).toBeGreaterThanOrEqual(1);
      },
    },
    markNotificationsRead: {
      anonymous: 'mutation { markNotificationsRead(upTo: "1") }',
      crossUser: async (w) => {
        const m = 'mutation($id: ID!) { markNotificationsRead(upTo: $id) }';
        expect(codeOf(await w.gql(m, { id: aliceNotification }, w.bob.token))).toBe('NOT_FOUND');
        expect(await sql(w, `SELECT 1 FROM "NotificationMarker" WHERE "userId" = $1`, [w.bob.id])).toEqual(
          [],
        );
        expect(await sql(w, `SELECT 1 FROM "NotificationMarker" WHERE "userId" = $1`, [w.alice.id])).toEqual(
          [],
        );
        const alice = await w.gql<{ markNotificationsRead: number }>(
          m,
          { id: aliceNotification },
          w.alice.token,
        );
        expect(alice.errors).toBeUndefined();
        await sql(w, `DELETE FROM "NotificationMarker" WHERE "userId" = $1`, [w.alice.id]);
      },
    },
    notificationReceived: {
      anonymous: anonymousConnection,
      crossUser: (w) =>
        withBobAccount(w, (bobAccount) =>
          withLive(w, async ({ alice, bob, publish, listening }) => {
            const S = 'subscription { notificationReceived(includeHidden: true) { id } }';
            const aliceSub = new LiveSubscription<{ notificationReceived: { id: string }[] }>(
              alice.client,
              S,
            );
            const bobSub = new LiveSubscription<{ notificationReceived: { id: string }[] }>(bob.client, S);
            await listening([`notification:${w.alice.id}`, `notification:${w.bob.id}`], 2, [
              aliceSub,
              bobSub,
            ] as LiveSubscription<unknown>[]);
            const bobs = await insertNotification(w, w.bob.id, bobAccount, null);
            await publish({
              type: 'notifications',
              userId: w.alice.id,
              notificationIds: [aliceNotification],
            });
            // A message on Bob's own channel naming Alice's notification: read back scoped by Bob, nothing.
            await publish({ type: 'notifications', userId: w.bob.id, notificationIds: [aliceNotification] });
            await publish({ type: 'notifications', userId: w.bob.id, notificationIds: [bobs] });
            expect((await aliceSub.next()).data?.notificationReceived).toEqual([{ id: aliceNotification }]);
            expect((await bobSub.next()).data?.notificationReceived).toEqual([{ id: bobs }]);
            expect(bobSub.pending).toBe(0);
          }),
        ),
    },
  },
};
