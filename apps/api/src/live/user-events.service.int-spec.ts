// The API's Redis subscriber against the real Redis: events reach only their user's listeners,
// forged or foreign messages are dropped, one connection serves everyone, and listeners that go
// away leave no subscription, channel or buffer behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@tributary/config';
import { EventPublisher } from '@tributary/queue';
import type { UserEvent } from '@tributary/queue';
import { Redis } from 'ioredis';
import { UserEventsService } from './user-events.service.js';

const config = loadConfig({
  QUEUE_PREFIX: `live-${process.pid}-${randomUUID().slice(0, 8)}`,
  REDIS_EMBEDDED: 'false',
});
let events: UserEventsService;
let publisher: EventPublisher;
let redis: Redis;

/** The next value of an iterator, or 'nothing' if none arrives in `ms` (only to prove absence). */
async function nextWithin<T>(it: AsyncIterator<T>, ms: number): Promise<T | 'nothing'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'nothing'>((resolve) => (timer = setTimeout(() => resolve('nothing'), ms)));
  const next = it.next().then((r) => (r.done ? ('nothing' as const) : r.value));
  try {
    return await Promise.race([next, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function subscribers(channel: string): Promise<number> {
  const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

beforeAll(() => {
  events = new UserEventsService(config);
  publisher = new EventPublisher(config.REDIS_URL);
  redis = new Redis(config.REDIS_URL);
});

afterAll(async () => {
  await events.onApplicationShutdown();
  await publisher.onApplicationShutdown();
  redis.disconnect();
});

describe('UserEventsService', () => {
  it("delivers a user's events to that user's listeners only", async () => {
    const [alice, bob, pipeline] = [randomUUID(), randomUUID(), randomUUID()];
    const aliceTimeline = await events.timeline(alice, pipeline);
    const aliceAgain = await events.timeline(alice, pipeline);
    const bobAccounts = await events.accountStatus(bob);
    const aliceActions = await events.actions(alice);

    const entries: UserEvent = {
      type: 'timeline-entries',
      userId: alice,
      pipelineId: pipeline,
      entryIds: ['1', '2'],
    };
    await publisher.publish(entries);
    await publisher.publish({ type: 'account-status', userId: alice, accountId: randomUUID() });
    const bobsAccount: UserEvent = { type: 'account-status', userId: bob, accountId: randomUUID() };
    await publisher.publish(bobsAccount);
    const action: UserEvent = { type: 'action', userId: alice, actionId: randomUUID() };
    await publisher.publish(action);

    expect(await aliceTimeline.next()).toEqual({ value: entries, done: false });
    expect(await aliceAgain.next()).toEqual({ value: entries, done: false });
    expect(await bobAccounts.next()).toEqual({ value: bobsAccount, done: false });
    expect(await aliceActions.next()).toEqual({ value: action, done: false });
    // Alice's account event was published while nobody listened to her account channel.
    expect(await nextWithin(bobAccounts, 300)).toBe('nothing');

    for (const stream of [aliceTimeline, aliceAgain, bobAccounts, aliceActions]) await stream.return();
  });

  it("drops messages on a user's channel that name someone else or are not events", async () => {
    const [alice, mallory] = [randomUUID(), randomUUID()];
    const stream = await events.actions(alice);
    // Published by hand: EventPublisher itself always derives the channel from the event.
    await redis.publish(
      `action:${alice}`,
      JSON.stringify({ type: 'action', userId: mallory, actionId: 'x' }),
    );
    await redis.publish(
      `action:${alice}`,
      JSON.stringify({ type: 'account-status', userId: alice, accountId: 'x' }),
    );
    await redis.publish(`action:${alice}`, 'not json');
    const own: UserEvent = { type: 'action', userId: alice, actionId: randomUUID() };
    await publisher.publish(own);
    // Redis delivers in order on one connection: had a bad one got through, it would come first.
    expect(await stream.next()).toEqual({ value: own, done: false });
    await stream.return();
  });

  it('uses one Redis connection for every listener of the process', async () => {
    const streams = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 ? events.accountStatus(randomUUID()) : events.timeline(randomUUID(), randomUUID()),
      ),
    );
    const clients = ((await redis.client('LIST')) as string)
      .split('\n')
      .filter((line) => line.includes(`name=${events.connectionName} `));
    expect(clients).toHaveLength(1);
    for (const stream of streams) await stream.return();
  });

  it('unsubscribes a channel when its last listener leaves, also while a read is pending', async () => {
    const [alice, pipeline] = [randomUUID(), randomUUID()];
    const channel = `timeline:${alice}:${pipeline}`;
    const before = events.stats;
    const first = await events.timeline(alice, pipeline);
    const second = await events.timeline(alice, pipeline);
    expect(await subscribers(channel)).toBe(1);
    expect(events.stats).toEqual({ channels: before.channels + 1, listeners: before.listeners + 2 });

    await first.return();
    expect(await subscribers(channel)).toBe(1);

    // A client that leaves while its subscription waits for an event ends it at once.
    const pending = second.next();
    await second.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(events.stats).toEqual(before);
    await until(async () => (await subscribers(channel)) === 0); // UNSUBSCRIBE is sent asynchronously

    // Coming back subscribes again.
    const again = await events.timeline(alice, pipeline);
    expect(await subscribers(channel)).toBe(1);
    const entries: UserEvent = { type: 'timeline-rebuilt', userId: alice, pipelineId: pipeline, version: 2 };
    await publisher.publish(entries);
    expect(await again.next()).toEqual({ value: entries, done: false });
    await again.return();
  });
});
