export { AccountsService } from './accounts.service.js';
export type { RevokeOutcome } from './accounts.service.js';
export { AccountsModule } from './accounts.module.js';
export { credentialsKey, openCredentials, sealCredentials } from './credentials.js';
export type { AccountCredentials, BlueskyCredentials, MastodonCredentials } from './credentials.js';
