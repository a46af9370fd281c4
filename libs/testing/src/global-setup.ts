// Jest global setup for integration tests: one migrated PostgreSQL template database (each test
// file clones it) and one Bluesky reference network for the whole run.
import { setupPostgres } from './postgres.js';
import { startBlueskyNetwork } from './bluesky-network.js';

export default async function globalSetup(): Promise<void> {
  await setupPostgres();
  await startBlueskyNetwork();
}
