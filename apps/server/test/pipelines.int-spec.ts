import { NETWORK_TRUST_DOMAIN } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PrismaService, upsertIngested } from '@tributary/db';
import type { PrismaClient } from '@tributary/db';
import { DEFAULT_PIPELINE_SPEC } from '@tributary/pipeline';
import { JobQueue, QueueName, redisConnection, timelineChannel } from '@tributary/queue';
import { TimelineService, createDefaultPipeline } from '@tributary/timeline';
import type { JobName, JobPayloads, UserEvent } from '@tributary/queue';
import { QueueEvents } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { bridgyCopy, createSource, items, testPost } from './pipeline-fixtures.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

jest.setTimeout(120_000);

let instance: TestInstance;
let prisma: PrismaClient;
let jobs: JobQueue;
let events: QueueEvents;
let subscriber: Redis;
const messages: { channel: string; message: UserEvent }[] = [];

let userId: string;
let defaultPipelineId: string;
let mutePipelineId: string;
let sourceId: string;
let mastodonSourceId: string;
let postIds: bigint[];

async function runJob<N extends JobName>(
  name: N,
  data: JobPayloads[N],
): Promise<{ job: Job; result: unknown }> {
  const job = await jobs.queue(name).add(name, data, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  const result = await job.waitUntilFinished(events, 60_000);
  return { job, result };
}

async function entries(pipelineId: string) {
  return prisma.timelineEntry.findMany({
    where: { pipelineId },
    orderBy: { postId: 'asc' },
    select: {
      id: true,
      postId: true,
      rankKey: true,
      hidden: true,
      hiddenReason: true,
      decisions: true,
      seenIn: true,
      pipelineVersion: true,
    },
  });
}

/** Waits until the subscriber has seen `count` messages (pub/sub delivery is asynchronous). */
async function received(count: number) {
  for (let i = 0; i < 200 && messages.length < count; i++) await new Promise((r) => setTimeout(r, 25));
  return messages;
}

beforeAll(async () => {
  instance = await startTestInstance({ ROLE: 'all' });
  const [worker, api] = instance.running.apps as [
    NonNullable<(typeof instance.running.apps)[0]>,
    NonNullable<(typeof instance.running.apps)[0]>,
  ];
  prisma = worker.get(PrismaService, { strict: false }).client;
  jobs = worker.get(JobQueue, { strict: false });
  events = new QueueEvents(QueueName.Pipeline, {
    connection: redisConnection(instance.config.REDIS_URL),
    prefix: instance.config.QUEUE_PREFIX,
  });
  await events.waitUntilReady();

  // A real sign-up: the default pipeline comes with it.
  const auth = api.get(AuthService, { strict: false });
  const invite = await auth.createInvite(null, 'MEMBER');
  await auth.signUp(invite.code, 'pipeliner', 'correct horse battery staple', 'test', '127.0.0.1');
  userId = (await prisma.user.findUniqueOrThrow({ where: { username: 'pipeliner' } })).id;
  // A second pipeline that mutes a word.
  const muteSpec = { name: 'No spoilers', stages: [{ use: 'mute-words', with: { words: ['spoiler'] } }] };
  mutePipelineId = (
    await prisma.pipeline.create({
      data: {
        userId,
        name: 'No spoilers',
        spec: muteSpec,
        versions: { create: { version: 1, spec: muteSpec } },
      },
    })
  ).id;
  ({ sourceId } = await createSource(prisma, userId, 'BLUESKY'));
  ({ sourceId: mastodonSourceId } = await createSource(prisma, userId, 'MASTODON'));

  subscriber = new Redis(instance.config.REDIS_URL);
  subscriber.on('message', (channel: string, message: string) =>
    messages.push({ channel, message: JSON.parse(message) as UserEvent }),
  );
});

afterAll(async () => {
  await subscriber?.quit();
  await events?.close();
  await instance?.stop();
});

describe('pipeline worker', () => {
  it('creates a default pipeline (version 1 with its PipelineVersion row) at sign-up', async () => {
    const pipelines = await prisma.pipeline.findMany({
      where: { userId, isDefault: true },
      include: { versions: true },
    });
    expect(pipelines).toHaveLength(1);
    defaultPipelineId = pipelines[0]!.id;
    expect(pipelines[0]!.version).toBe(1);
    expect(pipelines[0]!.spec).toEqual(DEFAULT_PIPELINE_SPEC);
    expect(pipelines[0]!.versions.map((v) => v.version)).toEqual([1]);
  });

  it('run-pipelines writes an entry per post and pipeline, with rank keys, hidden posts and why; publishes the new ids', async () => {
    const posts = Array.from({ length: 300 }, (_, n) =>
      testPost(n, {
        ...(n % 10 === 0 ? { labels: [{ value: 'porn', source: 'did:plc:labeler', action: null }] } : {}),
        ...(n % 10 === 5 ? { text: `big spoiler ahead ${n}` } : {}),
      }),
    );
    ({ newPostIds: postIds } = await upsertIngested(prisma, sourceId, items(posts), NETWORK_TRUST_DOMAIN));
    expect(postIds).toHaveLength(300);
    await subscriber.subscribe(
      timelineChannel(userId, defaultPipelineId),
      timelineChannel(userId, mutePipelineId),
    );

    const { result } = await runJob('run-pipelines', { userId, postIds: postIds.map(String) });
    expect(result).toMatchObject({ candidates: 300, pipelines: 2, inserted: 600 });

    const home = await entries(defaultPipelineId);
    expect(home.map((e) => e.postId)).toEqual(postIds.slice().sort((a, b) => (a < b ? -1 : 1)));
    const pornHidden = home.filter((e) => e.hidden);
    expect(pornHidden).toHaveLength(30);
    for (const e of pornHidden) {
      expect(e.hiddenReason).toMatch(/porn/);
      expect(e.decisions).toEqual(
        expect.arrayContaining([expect.objectContaining({ stage: 'labels', verdict: 'hide' })]),
      );
    }
    // The rank key grows with time (recency) and carries the engagement score.
    const visible = home.filter((e) => !e.hidden);
    expect(visible.every((e) => Number.isFinite(e.rankKey) && e.rankKey > 0)).toBe(true);
    expect(new Set(visible.map((e) => e.rankKey)).size).toBeGreaterThan(250);
    expect(home[0]!.seenIn).toEqual([
      expect.objectContaining({ network: 'BLUESKY', sourceId, uri: expect.stringMatching(/^at:\/\//) }),
    ]);

    const muted = (await entries(mutePipelineId)).filter((e) => e.hidden);
    expect(muted).toHaveLength(30);
    expect(muted.every((e) => /spoiler/.test(e.hiddenReason ?? ''))).toBe(true);

    const got = await received(2);
    const byChannel = new Map(got.map((m) => [m.channel, m.message]));
    const published = byChannel.get(timelineChannel(userId, defaultPipelineId));
    expect(published).toMatchObject({ type: 'timeline-entries', pipelineId: defaultPipelineId });
    expect((published as { entryIds: string[] }).entryIds.sort()).toEqual(
      home.map((e) => String(e.id)).sort(),
    );
    expect(byChannel.get(timelineChannel(userId, mutePipelineId))).toMatchObject({
      type: 'timeline-entries',
      pipelineId: mutePipelineId,
    });
  });

  it('running the same job again changes nothing and publishes nothing', async () => {
    const before = [await entries(defaultPipelineId), await entries(mutePipelineId)];
    const published = messages.length;
    const { result } = await runJob('run-pipelines', { userId, postIds: postIds.map(String) });
    expect(result).toMatchObject({ candidates: 300, pipelines: 2, inserted: 0 });
    expect([await entries(defaultPipelineId), await entries(mutePipelineId)]).toEqual(before);
    await new Promise((r) => setTimeout(r, 200));
    expect(messages.length).toBe(published);
  });

  it("ignores posts the user has not seen (another user's source)", async () => {
    const other = await prisma.user.create({ data: { username: 'someone-else', passwordHash: 'x' } });
    const { sourceId: otherSource } = await createSource(prisma, other.id);
    const { newPostIds } = await upsertIngested(
      prisma,
      otherSource,
      items([testPost(10_000)]),
      NETWORK_TRUST_DOMAIN,
    );
    const { result } = await runJob('run-pipelines', { userId, postIds: newPostIds.map(String) });
    expect(result).toMatchObject({ candidates: 0, inserted: 0 });
    expect(await prisma.timelineEntry.count({ where: { postId: newPostIds[0]! } })).toBe(0);
  });

  it('a rebuild with a new version reproduces the same entries in place, with progress', async () => {
    const before = await entries(defaultPipelineId);
    await prisma.pipeline.update({
      where: { id: defaultPipelineId },
      data: { version: 2, versions: { create: { version: 2, spec: DEFAULT_PIPELINE_SPEC as object } } },
    });
    const { job, result } = await runJob('rebuild-timeline', { pipelineId: defaultPipelineId, version: 2 });
    expect(result).toMatchObject({ done: 300, total: 300, deleted: 0 });
    const after = await entries(defaultPipelineId);
    expect(after).toEqual(before.map((e) => ({ ...e, pipelineVersion: 2 })));
    expect((await jobs.queue('rebuild-timeline').getJob(job.id!))?.progress).toEqual({
      done: 300,
      total: 300,
    });
    const pipeline = await prisma.pipeline.findUniqueOrThrow({ where: { id: defaultPipelineId } });
    expect(pipeline).toMatchObject({
      rebuildState: 'DONE',
      rebuildDone: 300,
      rebuildTotal: 300,
      rebuildError: null,
    });
    expect(messages.at(-1)?.message).toEqual({
      type: 'timeline-rebuilt',
      userId,
      pipelineId: defaultPipelineId,
      version: 2,
    });
  });

  it('skips a rebuild of a version that is no longer current', async () => {
    const { result } = await runJob('rebuild-timeline', { pipelineId: defaultPipelineId, version: 1 });
    expect(result).toEqual({ skipped: 'version 1 is not current (2)' });
  });

  it('merges a duplicate from a later batch into the stored entry, once', async () => {
    // A Bridgy Fed copy on Mastodon of a Bluesky post stored earlier.
    const original = testPost(42);
    const copy = bridgyCopy(original, 100_042);
    const { newPostIds } = await upsertIngested(
      prisma,
      mastodonSourceId,
      items([copy]),
      NETWORK_TRUST_DOMAIN,
    );
    const originalId = (await prisma.post.findFirstOrThrow({ where: { uri: original.uri } })).id;
    for (let i = 0; i < 2; i++) await runJob('run-pipelines', { userId, postIds: newPostIds.map(String) });

    const stored = await prisma.timelineEntry.findUniqueOrThrow({
      where: { pipelineId_postId: { pipelineId: defaultPipelineId, postId: originalId } },
    });
    expect(stored.hidden).toBe(false);
    expect(stored.seenIn).toEqual([
      expect.objectContaining({ network: 'BLUESKY', sourceId }),
      expect.objectContaining({ network: 'MASTODON', sourceId: mastodonSourceId, uri: copy.uri }),
    ]);
    const duplicate = await prisma.timelineEntry.findUniqueOrThrow({
      where: { pipelineId_postId: { pipelineId: defaultPipelineId, postId: newPostIds[0]! } },
    });
    expect(duplicate.hidden).toBe(true);
    expect(duplicate.hiddenReason).toBe('duplicate: bridged copy');
    expect(duplicate.decisions).toEqual([
      expect.objectContaining({
        stage: 'dedupe-crossposts',
        verdict: 'hide',
        reason: `duplicate of ${original.uri}: bridged copy`,
      }),
    ]);
  });

  it('keeps one of two copies that arrive in jobs running at the same time', async () => {
    // A cross-poster's two copies reach Tributary together (one sync per network), so their
    // pipeline jobs run side by side: each must see the other's entry, or both stay visible.
    const timelines = instance.running.apps[0]!.get(TimelineService, { strict: false });
    const user = await prisma.user.create({ data: { username: 'racer', passwordHash: 'x' } });
    const pipeline = await createDefaultPipeline(prisma, user.id);
    const { sourceId: bluesky } = await createSource(prisma, user.id, 'BLUESKY');
    const { sourceId: mastodon } = await createSource(prisma, user.id, 'MASTODON');
    const pairs = Array.from({ length: 8 }, (_, i) => {
      const original = testPost(200_000 + i);
      const copy = bridgyCopy(original, 300_000 + i);
      return [original, copy] as const;
    });
    for (const [original, copy] of pairs) {
      const [a] = (await upsertIngested(prisma, bluesky, items([original]), NETWORK_TRUST_DOMAIN)).newPostIds;
      const [b] = (await upsertIngested(prisma, mastodon, items([copy]), NETWORK_TRUST_DOMAIN)).newPostIds;
      await Promise.all([
        timelines.runPipelines(user.id, [String(a)]),
        timelines.runPipelines(user.id, [String(b)]),
      ]);
    }
    const visible = await prisma.timelineEntry.findMany({
      where: { pipelineId: pipeline.id, hidden: false },
      select: { seenIn: true },
    });
    expect(visible).toHaveLength(pairs.length);
    for (const entry of visible)
      expect((entry.seenIn as { network: string }[]).map((s) => s.network).sort()).toEqual([
        'BLUESKY',
        'MASTODON',
      ]);
  });

  it('fails a malformed job without retrying it', async () => {
    const job = await jobs
      .queue('run-pipelines')
      .add('run-pipelines', { userId, postIds: ['not-a-number'] }, { attempts: 5 });
    await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow(/postIds/);
    expect((await jobs.queue('run-pipelines').getJob(job.id!))?.attemptsMade).toBe(1);
  });
});

describe('a job larger than one statement', () => {
  it('writes its entries in one transaction (1,200 posts), once however often it runs', async () => {
    const user = await prisma.user.create({ data: { username: 'bulk-reader', passwordHash: 'x' } });
    const pipeline = await createDefaultPipeline(prisma, user.id);
    const { sourceId: bulkSource } = await createSource(prisma, user.id, 'BLUESKY');
    const posts = Array.from({ length: 1200 }, (_, n) => testPost(100_000 + n));
    const { newPostIds } = await upsertIngested(prisma, bulkSource, items(posts), NETWORK_TRUST_DOMAIN);
    const payload = { userId: user.id, postIds: newPostIds.map(String) };
    expect((await runJob('run-pipelines', payload)).result).toMatchObject({
      candidates: 1200,
      inserted: 1200,
    });
    expect((await runJob('run-pipelines', payload)).result).toMatchObject({ candidates: 1200, inserted: 0 });
    expect(await prisma.timelineEntry.count({ where: { pipelineId: pipeline.id } })).toBe(1200);
  });
});
