// Two workers on one deployment (one database, one queue prefix): only the leader holds Mastodon
// streams, and when it stops the other takes over and catches up what arrived in between.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AccountsService } from '@tributary/accounts';
import { PrismaService } from '@tributary/db';
import { FakeMastodonServer } from '@tributary/testing';
import type { FakeAccount } from '@tributary/testing';
import type { Running } from '../src/start.js';
import { start } from '../src/start.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(120_000);

let fake: FakeMastodonServer;
let first: TestInstance;
let second: Running | null = null;
let author: FakeAccount;

const upgrades = () => fake.requests.filter((r) => r.path === '/api/v1/streaming').length;

async function stored(nativeId: string): Promise<boolean> {
  const prisma = first.running.apps[0]!.get(PrismaService).client;
  return (await prisma.post.count({ where: { network: 'MASTODON', nativeId } })) === 1;
}

beforeAll(async () => {
  fake = await FakeMastodonServer.start();
  const reader = fake.createAccount('reader');
  author = fake.createAccount('author');
  fake.follow(reader, author);
  first = await startTestInstance({
    ROLE: 'worker',
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    MASTODON_ALLOWED_HOSTS: fake.host,
    MASTODON_ALLOW_HTTP: 'true',
  });
  const app = first.running.apps[0]!;
  const user = await app
    .get(PrismaService)
    .client.user.create({ data: { username: 'reader', passwordHash: 'x' } });
  await app
    .get(AccountsService)
    .linkMastodonToken(user.id, { instance: fake.origin, accessToken: fake.issueToken(reader) });
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await fake?.close();
});

describe('Mastodon streams across workers', () => {
  it('the leader opens one user stream; a second worker opens none', async () => {
    await waitFor('the leader stream', async () => fake.openStreams === 1);
    second = await start({ ...first.config, ROLE: 'worker' });
    const id = fake.post(author, { text: 'seen by the leader' });
    await waitFor('the streamed status stored', () => stored(id));
    expect(fake.openStreams).toBe(1);
    expect(upgrades()).toBe(1);
  });

  it('when the leader stops, the other worker takes over and catches up', async () => {
    await first.running.stop();
    const during = fake.post(author, { text: 'posted while no one listens' });
    await waitFor('the new leader stream', async () => upgrades() === 2 && fake.openStreams === 1);
    const prisma = second!.apps[0]!.get(PrismaService).client;
    const isStored = async (nativeId: string) =>
      (await prisma.post.count({ where: { network: 'MASTODON', nativeId } })) === 1;
    await waitFor('the status posted during the handover', () => isStored(during));
    const after = fake.post(author, { text: 'seen by the new leader' });
    await waitFor('the status streamed to the new leader', () => isStored(after));
    expect(fake.violations).toEqual([]);
  });
});
