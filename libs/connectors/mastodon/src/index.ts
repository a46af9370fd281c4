export * from './mastodon-types.js';
export { normalizeStatus, safeUrl } from './normalize-status.js';
export type { NormalizeResult, NormalizeOptions } from './normalize-status.js';
export { normalizeContext } from './normalize-context.js';
export { parseAsMasto } from './masto-shape.js';
export { htmlToRichText } from './rich-text.js';
export { RateLimitBudget, rateLimitBudgetFor } from './rate-limit-budget.js';
export type { RateLimitOptions } from './rate-limit-budget.js';
export { MastodonClient } from './mastodon-client.js';
export type { MastodonClientOptions, MastodonReply } from './mastodon-client.js';
export { MastodonConnector } from './mastodon-connector.js';
export type { MastodonConnectorOptions } from './mastodon-connector.js';
export { fetchPostLimits } from './instance-limits.js';
export type { MastodonPostLimits } from './instance-limits.js';
export {
  registerApp,
  revokeToken,
  authorizeUrl,
  createPkce,
  exchangeCode,
  verifyCredentials,
  MASTODON_SCOPES,
} from './mastodon-oauth.js';
export type { OAuthOptions } from './mastodon-oauth.js';
export { MastodonStream } from './mastodon-stream.js';
export type { MastodonStreamOptions, StreamState } from './mastodon-stream.js';
export { parseLinkHeader } from './link-header.js';
