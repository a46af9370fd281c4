// Owned by the database work: creates the migrated template database. Placeholder until then.
export async function setupPostgres(): Promise<void> {}
export async function teardownPostgres(): Promise<void> {}
