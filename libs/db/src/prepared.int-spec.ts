import { describe, expect, it } from '@jest/globals';
import { createTestDatabase, createTestPglite } from '@tributary/testing';
import { prepared } from './prepared.js';

describe('prepared statements', () => {
  it('runs marked SQL as one named statement per connection on PostgreSQL, and unmarked SQL unnamed', async () => {
    const db = await createTestDatabase();
    try {
      // One transaction: one connection, whose prepared statements pg_prepared_statements lists.
      const names = await db.prisma.$transaction(async (tx) => {
        for (const n of [1, 2, 3]) {
          expect(await tx.$queryRawUnsafe(prepared('SELECT $1::int + 1 AS n'), n)).toEqual([{ n: n + 1 }]);
        }
        await tx.$queryRawUnsafe('SELECT $1::int AS unmarked', 1);
        return tx.$queryRawUnsafe<{ name: string; statement: string }[]>(
          `SELECT name, statement FROM pg_prepared_statements ORDER BY name`,
        );
      });
      expect(names).toEqual([
        {
          name: expect.stringMatching(/^tributary_[0-9a-f]{32}$/),
          statement: expect.stringContaining('$1::int + 1'),
        },
      ]);
    } finally {
      await db.drop();
    }
  });

  it('runs marked SQL as plain statements on the embedded database', async () => {
    const pglite = await createTestPglite();
    try {
      expect(await pglite.prisma.$queryRawUnsafe(prepared('SELECT $1::int * 2 AS n'), 21)).toEqual([
        { n: 42 },
      ]);
    } finally {
      await pglite.close();
    }
  });
});
