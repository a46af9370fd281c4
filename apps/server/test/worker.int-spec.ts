// The worker end to end: a real BullMQ worker on the machine's Redis, jobs against PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueName, jobOptions, redisConnection } from '@tributary/queue';
import { Queue, QueueEvents } from 'bullmq';
import pg from 'pg';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

let instance: TestInstance;
let db: pg.Client;

beforeAll(async () => {
  instance = await startTestInstance({ ROLE: 'all' });
  db = new pg.Client({ connectionString: instance.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await instance?.stop();
});

describe('worker', () => {
  it('schedules housekeeping once and runs it: expired tokens, invites and week-old tombstones go, live ones stay', async () => {
    const { rows } = await db.query(
      `INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), 'keeper', 'x') RETURNING id`,
    );
    const userId = (rows[0] as { id: string }).id;
    await db.query(
      `INSERT INTO "ApiToken" (id, "userId", name, "tokenHash", "expiresAt") VALUES
         (gen_random_uuid(), $1, 'old', 'hash-old', now() - interval '40 days'),
         (gen_random_uuid(), $1, 'live', 'hash-live', now() + interval '40 days')`,
      [userId],
    );
    await db.query(
      `INSERT INTO "Invite" (id, "codeHash", "expiresAt") VALUES
         (gen_random_uuid(), 'inv-expired', now() - interval '1 day'),
         (gen_random_uuid(), 'inv-live', now() + interval '1 day')`,
    );
    // Deletes at origin: remembered for a week, then forgotten.
    await db.query(
      `INSERT INTO "RecordTombstone" (uri, "deletedAt") VALUES
         ('at://did:plc:old/app.bsky.feed.post/1', now() - interval '8 days'),
         ('at://did:plc:new/app.bsky.feed.post/1', now() - interval '6 days')`,
    );
    await db.query(
      `INSERT INTO "StatusTombstone" ("trustDomain", "nativeId", "deletedAt") VALUES
         ('https://old.test', '1', now() - interval '8 days'),
         ('https://new.test', '1', now())`,
    );

    const connection = redisConnection(instance.config.REDIS_URL);
    const options = { connection, prefix: instance.config.QUEUE_PREFIX };
    const queue = new Queue(QueueName.Maintenance, options);
    const events = new QueueEvents(QueueName.Maintenance, options);
    try {
      expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
        'check-filter-lists',
        'check-rebuilds',
        'housekeeping',
        'poll-sources',
      ]);
      await events.waitUntilReady();
      const job = await queue.add('housekeeping', {}, jobOptions('housekeeping', {}));
      const result = await job.waitUntilFinished(events, 30_000);
      // The scheduled run may have got there first; what matters is the state afterwards.
      expect(result).toEqual({
        tokens: expect.any(Number),
        invites: expect.any(Number),
        skippedRecords: 0,
        tombstones: expect.any(Number),
      });
    } finally {
      await events.close();
      await queue.close();
    }
    const tokens = await db.query(`SELECT name FROM "ApiToken" WHERE "userId" = $1`, [userId]);
    expect(tokens.rows).toEqual([{ name: 'live' }]);
    const invites = await db.query(
      `SELECT "codeHash" FROM "Invite" WHERE "codeHash" LIKE 'inv-%' ORDER BY "codeHash"`,
    );
    expect(invites.rows.map((r: { codeHash: string }) => r.codeHash)).toEqual(['inv-live']);
    const tombstones = await db.query(
      `SELECT uri AS key FROM "RecordTombstone" UNION ALL SELECT "trustDomain" FROM "StatusTombstone" ORDER BY key`,
    );
    expect(tombstones.rows.map((r: { key: string }) => r.key)).toEqual([
      'at://did:plc:new/app.bsky.feed.post/1',
      'https://new.test',
    ]);
  });
});
