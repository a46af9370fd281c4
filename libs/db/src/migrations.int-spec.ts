import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { testDatabaseUrl, testPostgresUrl } from '@tributary/testing';
import { openDatabase } from './database.js';
import {
  applyMigrations,
  createMigration,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
} from './migrations.js';

// The schema engine and PGlite each take seconds to start.
jest.setTimeout(60_000);

interface Queryable {
  query<T>(sql: string): Promise<{ rows: T[] }>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function migrationNames(): Promise<string[]> {
  return (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** What both backends must show after migrating: Prisma's table with checksums, and our indexes. */
async function expectMigrated(db: Queryable): Promise<void> {
  const names = await migrationNames();
  const rows = (
    await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    )
  ).rows;
  expect(rows.map((r) => r.migration_name)).toEqual(names);
  for (const row of rows) {
    const sql = await readFile(join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
    // `prisma migrate deploy` compares this checksum: it must be the file's SHA-256.
    expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(row.finished_at).not.toBeNull();
  }
  const index = (
    await db.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'TimelineEntry_pipelineId_hidden_rankKey_id_idx'`,
    )
  ).rows;
  expect(index.map((r) => r.indexdef)).toEqual([
    'CREATE INDEX "TimelineEntry_pipelineId_hidden_rankKey_id_idx" ON public."TimelineEntry" USING btree ("pipelineId", hidden, "rankKey" DESC, id DESC)',
  ]);
}

describe('applyMigrations on PostgreSQL', () => {
  const name = `tributary_mig_${Date.now().toString(36)}_${process.pid}`;
  const url = testDatabaseUrl(name);
  let client: pg.Client;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('applies every migration to an empty database once, even when two deploys race', async () => {
    const [a, b] = await Promise.all([applyMigrations({ url }), applyMigrations({ url })]);
    // The advisory lock serializes them: one applies everything, the other finds nothing to do.
    expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([await migrationNames(), []]);
    await expectMigrated(client);
    expect((await applyMigrations({ url })).applied).toEqual([]);
  });
});

describe('applyMigrations on PGlite', () => {
  it('applies every migration to an empty database, and re-applying is a no-op', async () => {
    const pglite = new PGlite();
    try {
      expect((await applyMigrations({ pglite })).applied).toEqual(await migrationNames());
      await expectMigrated(pglite);
      expect((await applyMigrations({ pglite })).applied).toEqual([]);
    } finally {
      await pglite.close();
    }
  });

  it('openDatabase persists the embedded database in <dataDir>/pglite across restarts', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'tributary-db-')), 'nested', 'data');
    try {
      const first = await openDatabase({ dataDir, migrate: true });
      await first.prisma.user.create({ data: { username: 'persisted', passwordHash: 'x' } });
      await first.close();
      const second = await openDatabase({ dataDir, migrate: true });
      expect(second.kind).toBe('pglite');
      expect((await second.prisma.user.findMany()).map((u) => u.username)).toEqual(['persisted']);
      await second.close();
      expect(await readdir(join(dataDir, 'pglite'))).toContain('PG_VERSION');
    } finally {
      await rm(join(dataDir, '../..'), { recursive: true, force: true });
    }
  });
});

describe('createMigration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, join(dir, 'migrations'), { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds no changes: the committed migrations match prisma/schema.prisma', async () => {
    expect(await createMigration('nothing', { migrationsDir: join(dir, 'migrations') })).toBeNull();
  });

  it('writes <timestamp>_<name>/migration.sql for a schema change, in Prisma’s format', async () => {
    const schemaPath = join(dir, 'schema.prisma');
    const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    await writeFile(
      schemaPath,
      `${schema}\nmodel Probe {\n  id Int @id\n  at DateTime\n\n  @@index([at(sort: Desc)])\n}\n`,
    );
    const created = await createMigration('add_probe', {
      migrationsDir: join(dir, 'migrations'),
      schemaPath,
      now: new Date('2031-02-03T04:05:06Z'),
    });
    expect(created?.name).toBe('20310203040506_add_probe');
    const sql = await readFile(join(dir, 'migrations', '20310203040506_add_probe', 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "Probe"');
    expect(sql).toContain('CREATE INDEX "Probe_at_idx" ON "Probe"("at" DESC);');
    expect(sql).not.toContain('"User"'); // only the difference, not the whole schema again
    expect(await readFile(join(dir, 'migrations', 'migration_lock.toml'), 'utf8')).toContain(
      'provider = "postgresql"',
    );
  });

  it('rejects names that would make odd folder names', async () => {
    await expect(createMigration('Add Probe!', { migrationsDir: join(dir, 'migrations') })).rejects.toThrow(
      /snake_case/,
    );
  });
});
