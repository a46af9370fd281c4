export { applyMigrations, createMigration, loadMigrations, DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from './migrations.js';
export type { MigrationTarget, MigrationOptions } from './migrations.js';
export { openPglite } from './pglite.js';
