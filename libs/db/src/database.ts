import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations } from './migrations.js';
import type { MigrationOptions } from './migrations.js';
import { openPglite } from './pglite.js';
import { preparedStatementName } from './prepared.js';
import { PrismaClient } from './prisma-client.js';

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
  kind: 'postgres' | 'pglite';
  /** Disconnects Prisma and, for the embedded database, closes PGlite (else the process hangs). */
  close(): Promise<void>;
}

/** Opens PostgreSQL (with `url`) or the embedded PGlite (without); callers see no difference. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const url = options.url;
    if (options.migrate) await applyMigrations({ url }, options.migrationOptions);
    const adapter = new PrismaPg(
      { connectionString: url },
      // Unmarked statements get no name (node-postgres then runs them unnamed); the type says string.
      { statementNameGenerator: (query) => preparedStatementName(query.sql) as string },
    );
    const prisma = new PrismaClient({ adapter });
    return { prisma, kind: 'postgres', close: () => prisma.$disconnect() };
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
    kind: 'pglite',
    close: () =>
      (closed ??= (async () => {
        await prisma.$disconnect();
        await pglite.close();
      })()),
  };
}
