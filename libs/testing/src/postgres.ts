// Databases for integration tests. Global setup migrates one template database per run; each test
// file clones it (`CREATE DATABASE … TEMPLATE`, ~100 ms) so files run in parallel on clean data.
// PGlite variants cover the embedded path.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { applyMigrations, openDatabase } from '@tributary/db';
import type { Database, PrismaClient, SqlDatabase } from '@tributary/db';

/** Set by global setup; Jest workers inherit global setup's environment. */
const TEMPLATE_ENV = 'TRIBUTARY_TEST_TEMPLATE_DB';
const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The server's maintenance database URL (`TEST_POSTGRES_URL`, default local `postgres`). */
export function testPostgresUrl(): string {
  return process.env['TEST_POSTGRES_URL'] ?? DEFAULT_URL;
}

/** The URL of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function runIdOf(template: string): string {
  return template.slice('tributary_tpl_'.length);
}

/** Run ids start with the run's start time, so databases of crashed runs can be recognized. */
const STALE_AFTER_MS = 30 * 60_000;

async function dropStaleDatabases(): Promise<void> {
  const rows = await admin<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^tributary_(tpl|t)_[0-9a-z]+'`,
  );
  for (const { datname } of rows) {
    const runId = /^tributary_(?:tpl|t)_([0-9a-z]+?)[0-9a-f]{6}(?:_|$)/.exec(datname)?.[1];
    const started = runId ? parseInt(runId, 36) : NaN;
    if (Number.isFinite(started) && Date.now() - started > STALE_AFTER_MS) {
      await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
}

/** Jest global setup: creates and migrates `tributary_tpl_<runid>`, publishes its name to workers. */
export async function setupPostgres(): Promise<string> {
  await dropStaleDatabases();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const template = `tributary_tpl_${runId}`;
  await admin(`CREATE DATABASE "${template}"`);
  try {
    await applyMigrations({ url: testDatabaseUrl(template) });
  } catch (error) {
    await admin(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    throw error;
  }
  process.env[TEMPLATE_ENV] = template;
  return template;
}

/** Jest global teardown: drops the template and any test database of this run left behind. */
export async function teardownPostgres(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  const leftovers = await admin<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'tributary_t\\_${runIdOf(template)}\\_%'`,
  );
  for (const { datname } of leftovers) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  delete process.env[TEMPLATE_ENV];
}

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  sql: SqlDatabase;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated PostgreSQL database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) {
    throw new Error(
      `${TEMPLATE_ENV} is not set: run through Jest's integration project (its global setup creates it)`,
    );
  }
  const name = `tributary_t_${runIdOf(template)}_${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await admin(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (error) {
      // 55006: the template is briefly in use (another clone starting); try again.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const url = testDatabaseUrl(name);
  const db = await openDatabase({ url });
  return {
    name,
    url,
    prisma: db.prisma,
    sql: db.sql,
    drop: async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export interface TestPglite {
  dataDir: string;
  db: Database;
  prisma: PrismaClient;
  sql: SqlDatabase;
  /** Closes PGlite and deletes its folder. */
  close(): Promise<void>;
}

/** A migrated embedded database in a temporary folder, opened the way the app opens it. */
export async function createTestPglite(): Promise<TestPglite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-pglite-'));
  const db = await openDatabase({ dataDir, migrate: true });
  return {
    dataDir,
    db,
    prisma: db.prisma,
    sql: db.sql,
    close: async () => {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Both kinds of database the app runs on, for tests that must behave alike on each. */
export interface TestDatabases {
  postgres: TestDatabase;
  pglite: TestPglite;
  close(): Promise<void>;
}

export async function createTestDatabases(): Promise<TestDatabases> {
  const [postgres, pglite] = await Promise.all([createTestDatabase(), createTestPglite()]);
  return {
    postgres,
    pglite,
    close: () => Promise.all([postgres.drop(), pglite.close()]).then(() => undefined),
  };
}
