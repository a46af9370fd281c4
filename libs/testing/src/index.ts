export {
  setupPostgres,
  teardownPostgres,
  createTestDatabase,
  createTestPglite,
  createTestDatabases,
  testPostgresUrl,
  testDatabaseUrl,
} from './postgres.js';
export type { TestDatabase, TestDatabases, TestPglite } from './postgres.js';
export { blueskyNetwork, blueskyTestHostPolicy } from './bluesky-network.js';
export { freePort } from './free-port.js';
export type { BlueskyNetworkClient, TestBlueskyAccount } from './bluesky-network.js';
export {
  FakeMastodonServer,
  OpenApiValidator,
  PERSONALITIES,
  MASTODON_4_5,
  SINGLE_USER_SERVER,
} from './mastodon/index.js';
export type { FakeAccount, ServerPersonality } from './mastodon/index.js';
export { seedTimeline } from './bluesky/seed-timeline.js';
export { startCountingProxy } from './bluesky/counting-proxy.js';
export type { CountingProxy } from './bluesky/counting-proxy.js';
export type { SeededTimeline } from './bluesky/seed-timeline.js';
export { HostilePds } from './bluesky/hostile-pds.js';
export type { PostViewRewrite } from './bluesky/hostile-pds.js';
export { JetstreamServer } from './bluesky/jetstream-server.js';
export type { JetstreamServerOptions } from './bluesky/jetstream-server.js';
export { revokeOAuthSessions, signInAndConsent } from './bluesky/oauth-pages.js';
