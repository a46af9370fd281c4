import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations } from './migrations.js';
import type { MigrationOptions } from './migrations.js';
import { openPglite } from './pglite.js';
import { poolConfig } from './pool-config.js';
import { preparedStatementName } from './prepared.js';
import { PrismaClient } from './prisma-client.js';
import { pgliteSql, poolSql } from './sql.js';
import type { SqlDatabase } from './sql.js';

export interface DatabaseOptions {
  /** PostgreSQL connection URL. Without it, the embedded PGlite in `<dataDir>/pglite` is used. */
  url?: string | null;
  /** Where the embedded database lives (required without `url`). */
  dataDir?: string;
  /** Apply pending migrations before returning (the app does this at start-up). */
  migrate?: boolean;
  migrationOptions?: MigrationOptions;
}

export interface Database {
  prisma: PrismaClient;
  /** Hand-written SQL without Prisma's row conversion, for the hot paths (see sql.ts). */
  sql: SqlDatabase;
  kind: 'postgres' | 'pglite';
  /** Disconnects Prisma and closes the pool or, for the embedded database, PGlite (else the process hangs). */
  close(): Promise<void>;
}

/** Opens PostgreSQL (with `url`) or the embedded PGlite (without); callers see no difference. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const url = options.url;
    if (options.migrate) await applyMigrations({ url }, options.migrationOptions);
    // One pool for Prisma and `sql`. An idle connection that breaks (PostgreSQL restarted) is
    // dropped by the pool, which then emits 'error': without a listener that would end the process.
    const pool = new pg.Pool(poolConfig(url));
    pool.on('error', () => {});
    const adapter = new PrismaPg(
      pool,
      // Unmarked statements get no name (node-postgres then runs them unnamed); the type says string.
      { statementNameGenerator: (query) => preparedStatementName(query.sql) as string },
    );
    const prisma = new PrismaClient({ adapter });
    let closed: Promise<void> | undefined;
    return {
      prisma,
      sql: poolSql(pool),
      kind: 'postgres',
      close: () =>
        (closed ??= (async () => {
          await prisma.$disconnect();
          await pool.end();
        })()),
    };
  }
  if (!options.dataDir) {
    throw new Error('openDatabase needs either a PostgreSQL url or a dataDir for the embedded database');
  }
  const pglite: PGlite = await openPglite(options.dataDir);
  try {
    if (options.migrate) await applyMigrations({ pglite }, options.migrationOptions);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  let closed: Promise<void> | undefined;
  return {
    prisma,
    sql: pgliteSql(pglite),
    kind: 'pglite',
    close: () =>
      (closed ??= (async () => {
        await prisma.$disconnect();
        await pglite.close();
      })()),
  };
}
