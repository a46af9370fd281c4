export {
  setupPostgres,
  teardownPostgres,
  createTestDatabase,
  createTestPglite,
  testPostgresUrl,
  testDatabaseUrl,
} from './postgres.js';
export type { TestDatabase, TestPglite } from './postgres.js';
