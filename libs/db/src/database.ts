import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations } from './migrations.js';
import type { MigrationOptions } from './migrations.js';
import { openPglite } from './pglite.js';
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

/** Session settings the pool adds to those a URL's `options` carry, unless the URL sets them itself. */
const SESSION_DEFAULTS = {
  // JIT's break-even is analytic queries. Ours are short, and a misestimate (a table without
  // statistics yet) made PostgreSQL spend ~21 ms compiling a 500-post candidates query that then
  // ran in 4 ms (tools/bench/pipeline-e2e.bench.ts).
  jit: 'off',
  // A transaction left open (a step that hangs, a paused process) keeps its row locks: a user's
  // row lock stops all their pipeline changes. Ours go statement to statement, in milliseconds;
  // PostgreSQL ends a session idle inside one for a minute, and the transaction fails with why.
  idle_in_transaction_session_timeout: '60000',
};

/**
 * The pool's connection settings: SESSION_DEFAULTS added to the session options the URL may carry
 * (`?options=-c statement_timeout=5000`). node-postgres lets a URL's `options` replace the pool's,
 * which silently turned JIT back on.
 */
export function poolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  let options = parsed.searchParams.get('options')?.trim() ?? '';
  parsed.searchParams.delete('options');
  for (const [name, value] of Object.entries(SESSION_DEFAULTS)) {
    const setsIt = new RegExp(`(^|\\s)(-c\\s*|--)${name}=`).test(options);
    if (!setsIt) options = `${options} -c ${name}=${value}`.trim();
  }
  return { connectionString: parsed.href, options };
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
