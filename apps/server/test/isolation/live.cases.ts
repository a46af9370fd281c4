// Subscriptions over graphql-ws: an anonymous connection is refused (4401), and Bob never receives
// Alice's events — not even when a message on his own channel names her entry, account or action.
import { expect } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { AccountStatus } from '@tributary/core';
import { EventPublisher } from '@tributary/queue';
import type { UserEvent } from '@tributary/queue';
import { Redis } from 'ioredis';
import { UserEventsService } from '../../../api/src/live/user-events.service.js';
import { codeOf } from '../../../api/src/testing/graphql-client.js';
import { LiveSubscription, liveClient } from '../../../api/src/testing/graphql-ws-client.js';
import type { LiveClient } from '../../../api/src/testing/graphql-ws-client.js';
import { waitFor } from '../wait-for.js';
import { insertPost, sql } from './world.js';
import type { CaseGroup, World } from './world.js';

let alicePipeline = '';
let bobPipeline = '';
/** An entry in Alice's default timeline (a post only she has). */
let aliceEntry = '';

const api = (w: World): INestApplicationContext => w.instance.running.apps.at(-1)!;

/** A connection without a token: graphql-ws closes it with 4401 before any operation runs. */
export async function anonymousConnection(w: World): Promise<string> {
  const live = liveClient(w.instance.apiUrl);
  const { code } = await live.closed;
  await live.dispose();
  return code === 4401 ? 'UNAUTHENTICATED' : `closed with ${code}`;
}

/**
 * Runs `body` with open connections for Alice and Bob, a publisher, and a helper that waits until
 * the API listens on a channel for `extra` more subscriptions; closes everything afterwards.
 */
export async function withLive(
  w: World,
  body: (ctx: {
    alice: LiveClient;
    bob: LiveClient;
    publish: (event: UserEvent) => Promise<void>;
    listening: (channels: string[], extra: number, subs: LiveSubscription<unknown>[]) => Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  const alice = liveClient(w.instance.apiUrl, w.alice.token);
  const bob = liveClient(w.instance.apiUrl, w.bob.token);
  const publisher = new EventPublisher(w.instance.config.REDIS_URL);
  const redis = new Redis(w.instance.config.REDIS_URL);
  const events = api(w).get(UserEventsService);
  const base = events.stats.listeners;
  try {
    await Promise.all([alice.acknowledged, bob.acknowledged]);
    await body({
      alice,
      bob,
      publish: (event) => publisher.publish(event),
      listening: async (channels, extra, subs) => {
        await waitFor(`${extra} subscriptions on ${channels.join(', ')}`, async () => {
          // A subscription the server ended instead (an error) fails here, with its answer.
          const ended = subs.find((sub) => sub.isCompleted);
          if (ended) throw new Error(`a subscription ended: ${JSON.stringify(await ended.next(0))}`);
          for (const channel of channels) {
            const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
            if (Number(count) !== 1) return false;
          }
          return events.stats.listeners >= base + extra;
        });
      },
    });
  } finally {
    await Promise.all([alice.dispose(), bob.dispose()]);
    await publisher.onApplicationShutdown();
    redis.disconnect();
  }
}

/** A linked-account row for Bob for the duration of `body` (the world gives him none). */
export async function withBobAccount(w: World, body: (accountId: string) => Promise<void>): Promise<void> {
  const [row] = await sql<{ id: string }>(
    w,
    `INSERT INTO "LinkedAccount" (id, "userId", network, "networkAccountId", handle, "serviceUrl", credentials, "updatedAt")
     VALUES (gen_random_uuid(), $1, 'BLUESKY', 'did:plc:bob-live', 'bob-live.test', 'https://pds.test', 'v1.sealed', now())
     RETURNING id`,
    [w.bob.id],
  );
  try {
    await body(row!.id);
  } finally {
    await sql(w, `DELETE FROM "LinkedAccount" WHERE id = $1`, [row!.id]);
  }
}

/** Reads `sub` until the status with `reason`; every delivery before it must be `accountId`'s. */
async function ownUntil(
  sub: LiveSubscription<{ accountStatusChanged: unknown }>,
  accountId: string,
  reason: string,
): Promise<unknown> {
  for (;;) {
    const status = (await sub.next()).data?.accountStatusChanged as {
      id: string;
      statusReason: string | null;
    };
    expect(status.id).toBe(accountId);
    if (status.statusReason === reason) return status;
  }
}

const TIMELINE =
  'subscription($p: ID) { timelineUpdated(pipeline: $p) { pipelineId rebuilt items { id post { text } } } }';
const ACCOUNTS = 'subscription { accountStatusChanged { id status statusReason } }';
const ACTIONS = 'subscription { actionUpdated { id status linkedAccountId } }';

export const liveCases: CaseGroup = {
  prepare: async (w) => {
    const pipelines = await sql<{ id: string; userId: string }>(
      w,
      `SELECT id, "userId" FROM "Pipeline" WHERE "isDefault" AND "userId" = ANY($1::uuid[])`,
      [[w.alice.id, w.bob.id]],
    );
    alicePipeline = pipelines.find((p) => p.userId === w.alice.id)!.id;
    bobPipeline = pipelines.find((p) => p.userId === w.bob.id)!.id;
    const postId = await insertPost(w, {
      uri: 'at://did:plc:live-author/app.bsky.feed.post/live1',
      nativeId: 'live1',
      authorDid: 'did:plc:live-author',
      authorHandle: 'live-author.test',
      text: "Alice's live secret",
    });
    const [entry] = await sql<{ id: string }>(
      w,
      `INSERT INTO "TimelineEntry" ("userId", "pipelineId", "postId", "rankKey", decisions, "seenIn", "pipelineVersion")
       VALUES ($1, $2, $3, 1e12, '[]', '[]', 1) RETURNING id::text`,
      [w.alice.id, alicePipeline, postId],
    );
    aliceEntry = entry!.id;
  },
  cases: {
    timelineUpdated: {
      anonymous: anonymousConnection,
      crossUser: (w) =>
        withLive(w, async ({ alice, bob, publish, listening }) => {
          // Naming her pipeline is NOT_FOUND, as if it did not exist.
          const prying = new LiveSubscription(bob.client, TIMELINE, { p: alicePipeline });
          const refused = await prying.next();
          expect(codeOf(refused)).toBe('NOT_FOUND');

          // By id: other cases may change which pipeline is a default by the time this one runs.
          const aliceSub = new LiveSubscription<{ timelineUpdated: unknown }>(alice.client, TIMELINE, {
            p: alicePipeline,
          });
          const bobSub = new LiveSubscription<{ timelineUpdated: unknown }>(bob.client, TIMELINE, {
            p: bobPipeline,
          });
          await listening(
            [`timeline:${w.alice.id}:${alicePipeline}`, `timeline:${w.bob.id}:${bobPipeline}`],
            2,
            [aliceSub, bobSub] as LiveSubscription<unknown>[],
          );
          await publish({
            type: 'timeline-entries',
            userId: w.alice.id,
            pipelineId: alicePipeline,
            entryIds: [aliceEntry],
          });
          // A message on Bob's own channel naming Alice's entry: read back scoped by Bob, it is nothing.
          await publish({
            type: 'timeline-entries',
            userId: w.bob.id,
            pipelineId: bobPipeline,
            entryIds: [aliceEntry],
          });
          await publish({ type: 'timeline-rebuilt', userId: w.bob.id, pipelineId: bobPipeline, version: 2 });

          expect((await aliceSub.next()).data?.timelineUpdated).toEqual({
            pipelineId: alicePipeline,
            rebuilt: false,
            items: [{ id: aliceEntry, post: { text: "Alice's live secret" } }],
          });
          // Bob's first delivery is his own rebuild: nothing of Alice's came before it.
          const bobs = await bobSub.next();
          expect(bobs.data?.timelineUpdated).toEqual({ pipelineId: bobPipeline, rebuilt: true, items: [] });
          expect(bobSub.pending).toBe(0);
        }),
    },
    accountStatusChanged: {
      anonymous: anonymousConnection,
      crossUser: (w) =>
        withBobAccount(w, (bobAccount) =>
          withLive(w, async ({ alice, bob, publish, listening }) => {
            const aliceSub = new LiveSubscription<{ accountStatusChanged: unknown }>(alice.client, ACCOUNTS);
            const bobSub = new LiveSubscription<{ accountStatusChanged: unknown }>(bob.client, ACCOUNTS);
            await listening([`account:${w.alice.id}`, `account:${w.bob.id}`], 2, [
              aliceSub,
              bobSub,
            ] as LiveSubscription<unknown>[]);
            const accounts = api(w).get(AccountsService);
            try {
              await accounts.setStatus(w.aliceAccountId, AccountStatus.Error, "Alice's trouble");
              await publish({ type: 'account-status', userId: w.bob.id, accountId: w.aliceAccountId });
              await accounts.setStatus(bobAccount, AccountStatus.Error, "Bob's trouble");

              // A worker may meet these fixture accounts meanwhile (their credentials open to nothing)
              // and mark them NEEDS_REAUTH: each member reads on until their own trouble, and every
              // delivery on the way must be of their own account.
              expect(await ownUntil(aliceSub, w.aliceAccountId, "Alice's trouble")).toEqual({
                id: w.aliceAccountId,
                status: 'ERROR',
                statusReason: "Alice's trouble",
              });
              expect(await ownUntil(bobSub, bobAccount, "Bob's trouble")).toEqual({
                id: bobAccount,
                status: 'ERROR',
                statusReason: "Bob's trouble",
              });
            } finally {
              await accounts.setStatus(w.aliceAccountId, AccountStatus.Active, null);
            }
          }),
        ),
    },
    actionUpdated: {
      anonymous: anonymousConnection,
      crossUser: (w) =>
        withBobAccount(w, (bobAccount) =>
          withLive(w, async ({ alice, bob, publish, listening }) => {
            const aliceSub = new LiveSubscription<{ actionUpdated: unknown }>(alice.client, ACTIONS);
            const bobSub = new LiveSubscription<{ actionUpdated: unknown }>(bob.client, ACTIONS);
            await listening([`action:${w.alice.id}`, `action:${w.bob.id}`], 2, [
              aliceSub,
              bobSub,
            ] as LiveSubscription<unknown>[]);
            const insert = async (userId: string, accountId: string) => {
              const [row] = await sql<{ id: string }>(
                w,
                `INSERT INTO "OutboundAction" (id, "userId", "linkedAccountId", kind, payload, status, "updatedAt")
                 VALUES (gen_random_uuid(), $1, $2, 'LIKE', '{"network":"BLUESKY","postId":"1"}', 'PENDING', now()) RETURNING id`,
                [userId, accountId],
              );
              return row!.id;
            };
            const alicesAction = await insert(w.alice.id, w.aliceAccountId);
            const bobsAction = await insert(w.bob.id, bobAccount);
            try {
              await publish({ type: 'action', userId: w.alice.id, actionId: alicesAction });
              await publish({ type: 'action', userId: w.bob.id, actionId: alicesAction });
              await publish({ type: 'action', userId: w.bob.id, actionId: bobsAction });

              expect((await aliceSub.next()).data?.actionUpdated).toEqual({
                id: alicesAction,
                status: 'PENDING',
                linkedAccountId: w.aliceAccountId,
              });
              expect((await bobSub.next()).data?.actionUpdated).toEqual({
                id: bobsAction,
                status: 'PENDING',
                linkedAccountId: bobAccount,
              });
              expect(bobSub.pending).toBe(0);
            } finally {
              await sql(w, `DELETE FROM "OutboundAction" WHERE id = $1`, [alicesAction]);
            }
          }),
        ),
    },
  },
};
