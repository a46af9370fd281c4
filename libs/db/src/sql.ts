// Hand-written SQL on the hot paths, straight on the driver. Prisma's raw queries convert every
// row a second time after the driver (its own value encoding, then objects again): for a 50-item
// timeline page that cost ~0.9 ms of CPU on top of the driver's ~1.0 ms (measured in-process on the
// bench database of tools/bench/timeline-read.bench.ts). Everything else — model reads and writes,
// and Prisma transactions — stays on Prisma.
import { types } from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { preparedStatementName } from './prepared.js';

/**
 * Runs one statement and returns its rows, shaped alike on PostgreSQL and on the embedded PGlite:
 * json/jsonb parsed, int8 and numeric as strings (exact; cast to text or float8 in the SQL for
 * other shapes), int8[] as string[], timestamptz as Date. Statements marked with `prepared()` run
 * as named prepared statements on PostgreSQL. Not part of any Prisma transaction.
 */
export interface Sql {
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** The database's `sql`: statements, or several in one transaction. */
export interface SqlDatabase extends Sql {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

function queryOn(db: Queryable): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await db.query({ text, values: [...params], name: preparedStatementName(text) });
      return result.rows as Row[];
    },
  };
}

/** Over the pool Prisma's PostgreSQL adapter also uses (one set of connections for both). */
export function poolSql(pool: pg.Pool): SqlDatabase {
  return {
    ...queryOn(pool),
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The pool stops listening to a connection it lends out. When PostgreSQL ends the session
      // meanwhile (a restart, pg_terminate_backend, idle_in_transaction_session_timeout), the
      // driver emits 'error' on it, which nobody listening would turn into an uncaught exception;
      // and its next query fails only with "not queryable". Keep the reason to fail with it.
      let lost: Error | undefined;
      const onLost = (error: Error): void => {
        lost ??= error;
      };
      client.on('error', onLost);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(queryOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // The server rolled back with the session; the driver's own error only says "not queryable".
        if (lost !== undefined) {
          broken = lost;
          throw lost;
        }
        // A connection that cannot even roll back is not given back to the pool.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
        client.off('error', onLost);
      }
    },
  };
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const NUMERIC = 1700;
const asText = (value: string): string => value;
/** PGlite reads int8 as a number where it fits; node-postgres as a string. The string is exact. */
const PGLITE_PARSERS = {
  [INT8]: asText,
  [NUMERIC]: asText,
  [INT8_ARRAY]: (value: string) => types.arrayParser(value, asText, INT8_ARRAY),
};

type PgliteQueryable = Pick<PGlite, 'query'>;

function pgliteQueryOn(db: PgliteQueryable): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(text, [...params], { parsers: PGLITE_PARSERS });
      return result.rows;
    },
  };
}

/** Over the embedded database (its queries run one at a time, as all of PGlite's do). */
export function pgliteSql(pglite: PGlite): SqlDatabase {
  return {
    ...pgliteQueryOn(pglite),
    transaction: (work) => pglite.transaction((tx) => work(pgliteQueryOn(tx))),
  };
}
