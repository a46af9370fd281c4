import { teardownPostgres } from './postgres.js';
import { stopBlueskyNetwork } from './bluesky-network.js';

export default async function globalTeardown(): Promise<void> {
  await stopBlueskyNetwork();
  await teardownPostgres();
}
