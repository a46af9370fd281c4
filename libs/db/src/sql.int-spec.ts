import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabases } from '@tributary/testing';
import type { TestDatabase, TestDatabases, TestPglite } from '@tributary/testing';
import { openDatabase } from './database.js';
import { prepared } from './prepared.js';

const SHAPES = `SELECT 12345678901234::int8 AS big, ARRAY[1, 9007199254740993]::int8[] AS bigs, 1.5::float8 AS float,
  2::int AS int, 12.50::numeric AS exact, true AS yes, '{"a":[1,{"b":null}]}'::jsonb AS doc,
  '2026-11-24T01:02:03.456Z'::timestamptz AS at, 'e5f1c9c2-6f0e-4c84-9d0b-3c1f2b8a0d11'::uuid AS id,
  NULL::int8 AS nothing, $1::text AS param, $2::bigint[] AS "bigParams"`;

const EXPECTED = {
  big: '12345678901234',
  bigs: ['1', '9007199254740993'],
  float: 1.5,
  int: 2,
  exact: '12.50',
  yes: true,
  doc: { a: [1, { b: null }] },
  at: new Date('2026-11-24T01:02:03.456Z'),
  id: 'e5f1c9c2-6f0e-4c84-9d0b-3c1f2b8a0d11',
  nothing: null,
  param: 'it’s "quoted"',
  bigParams: ['3', '9007199254740993'],
};

describe('sql (hand-written SQL straight on the driver)', () => {
  let postgres: TestDatabase;
  let pglite: TestPglite;
  let databases: TestDatabases | undefined;
  beforeAll(async () => {
    databases = await createTestDatabases();
    ({ postgres, pglite } = databases);
  });
  afterAll(() => databases?.close());

  it('shapes rows alike on PostgreSQL and on the embedded database', async () => {
    const params = ['it’s "quoted"', ['3', '9007199254740993']];
    expect(await postgres.sql.query(SHAPES, params)).toEqual([EXPECTED]);
    expect(await pglite.sql.query(SHAPES, params)).toEqual([EXPECTED]);
  });

  it('runs marked statements prepared on PostgreSQL and plainly on the embedded database', async () => {
    const marked = prepared('SELECT $1::int * 2 AS n');
    expect(await postgres.sql.query(marked, [21])).toEqual([{ n: 42 }]);
    // Sequential queries on an idle pool reuse its one open connection, whose statements this lists.
    const statements = await postgres.sql.query<{ statement: string }>(
      `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'tributary\\_%'`,
    );
    expect(statements).toEqual([{ statement: marked }]);
    expect(await pglite.sql.query(marked, [21])).toEqual([{ n: 42 }]);
  });

  it('runs without PostgreSQL JIT compilation, on both paths', async () => {
    expect(await postgres.sql.query(`SELECT current_setting('jit') AS jit`)).toEqual([{ jit: 'off' }]);
    expect(await postgres.prisma.$queryRawUnsafe(`SELECT current_setting('jit') AS jit`)).toEqual([
      { jit: 'off' },
    ]);
  });

  it("adds JIT off to the session options a DATABASE_URL carries, and keeps a URL's own jit choice", async () => {
    const settings = async (options: string) => {
      const url = new URL(postgres.url);
      url.searchParams.set('options', options);
      const db = await openDatabase({ url: url.href });
      try {
        return await db.sql.query(
          `SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS timeout`,
        );
      } finally {
        await db.close();
      }
    };
    expect(await settings('-c statement_timeout=4321')).toEqual([{ jit: 'off', timeout: '4321ms' }]);
    expect(await settings('-c jit=on -c statement_timeout=1234')).toEqual([{ jit: 'on', timeout: '1234ms' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws, on both drivers', async () => {
    for (const sql of [postgres.sql, pglite.sql]) {
      await sql.query(`CREATE TABLE tx_probe (n int)`);
      const inside = await sql.transaction(async (tx) => {
        await tx.query(`INSERT INTO tx_probe VALUES (1), (2)`);
        return tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM tx_probe`);
      });
      expect(inside).toEqual([{ n: 2 }]);
      await expect(
        sql.transaction(async (tx) => {
          await tx.query(`INSERT INTO tx_probe VALUES (3)`);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await expect(sql.transaction((tx) => tx.query(`INSERT INTO tx_probe VALUES ('x')`))).rejects.toThrow(
        /invalid input syntax/,
      );
      expect(await sql.query(`SELECT n FROM tx_probe ORDER BY n`)).toEqual([{ n: 1 }, { n: 2 }]);
      await sql.query(`DROP TABLE tx_probe`);
    }
    // The connections went back to the pool clean: a plain statement still works, outside any transaction.
    expect(await postgres.sql.query(`SELECT now() = statement_timestamp() AS outside`)).toEqual([
      { outside: true },
    ]);
  });

  it('fails a transaction whose connection PostgreSQL ends, without taking the process down', async () => {
    // A restart, an admin's pg_terminate_backend or the idle-in-transaction limit end the session
    // under a checked-out connection: node-postgres then emits 'error' on it, which would throw
    // from the socket's handler (an uncaught exception) if nothing listened.
    const ended = postgres.sql.transaction(async (tx) => {
      const [own] = await tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
      await postgres.sql.query(`SELECT pg_terminate_backend($1::int)`, [own!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the end reaches the driver first
      return tx.query(`SELECT 1`);
    });
    await expect(ended).rejects.toThrow(/terminating connection due to administrator command/);
    // The ended connection was dropped, not given back to the pool.
    expect(await postgres.sql.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it('ends a transaction left idle for longer than the limit the pool sets', async () => {
    expect(
      await postgres.sql.query(`SELECT current_setting('idle_in_transaction_session_timeout') AS t`),
    ).toEqual([{ t: '1min' }]);
    const url = new URL(postgres.url);
    url.searchParams.set('options', '-c idle_in_transaction_session_timeout=300');
    const db = await openDatabase({ url: url.href });
    try {
      const stalled = db.sql.transaction(async (tx) => {
        await tx.query(`SELECT 1`);
        await new Promise((resolve) => setTimeout(resolve, 800)); // a hung step, holding its locks
        return tx.query(`SELECT 2`);
      });
      await expect(stalled).rejects.toThrow(/terminating connection due to idle-in-transaction timeout/);
      expect(await db.sql.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('writes UTC into timestamp columns whatever time zone the server or the URL gives a session', async () => {
    // A server whose default zone is its machine's (initdb's choice), at UTC+14, and a URL asking for
    // UTC-3:30: a column default filled by hand-written SQL must still read back as the current time.
    await postgres.sql.query(`ALTER DATABASE "${postgres.name}" SET timezone TO 'Pacific/Kiritimati'`);
    const url = new URL(postgres.url);
    url.searchParams.set('options', '-c TimeZone=America/St_Johns');
    const db = await openDatabase({ url: url.href });
    try {
      expect(await db.sql.query(`SELECT current_setting('TimeZone') AS zone`)).toEqual([{ zone: 'UTC' }]);
      const [row] = await db.sql.query<{ id: string }>(
        `INSERT INTO "User" (id, username, "passwordHash") VALUES (gen_random_uuid(), 'zone-probe', 'x') RETURNING id::text`,
      );
      const user = await db.prisma.user.findUniqueOrThrow({ where: { id: row!.id } });
      expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await db.close();
      await postgres.sql.query(`ALTER DATABASE "${postgres.name}" RESET timezone`);
    }
  });

  it('sees what Prisma wrote, through the same connections', async () => {
    const user = await postgres.prisma.user.create({ data: { username: 'sql-reader', passwordHash: 'x' } });
    expect(await postgres.sql.query(`SELECT username FROM "User" WHERE id = $1::uuid`, [user.id])).toEqual([
      { username: 'sql-reader' },
    ]);
  });

  it('rejects with the driver’s error for bad SQL and leaves the pool usable', async () => {
    await expect(postgres.sql.query('SELECT FROM nowhere_at_all')).rejects.toThrow(/nowhere_at_all/);
    await expect(pglite.sql.query('SELECT FROM nowhere_at_all')).rejects.toThrow(/nowhere_at_all/);
    expect(await postgres.sql.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
