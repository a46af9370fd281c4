export { BlueskyConnector } from './bluesky-connector.js';
export type { BlueskyConnectorOptions, FeedGeneratorRecord } from './bluesky-connector.js';
export { BlueskySession, DEFAULT_BLUESKY_SERVICE, tokenExpiresAt } from './bluesky-session.js';
export type { BlueskySessionData, BlueskySessionOptions, BlueskySessionStore } from './bluesky-session.js';
export { normalizeFeedViewPost, normalizePostView } from './normalize-post.js';
export type { NormalizedItem, NormalizedPost } from './normalize-post.js';
export { normalizeThread } from './normalize-thread.js';
export { facetsToRichText } from './rich-text.js';
export { createPoliteFetch } from './polite-fetch.js';
export type { PoliteFetchOptions } from './polite-fetch.js';
export { toConnectorError, retryAtFromHeaders } from './to-connector-error.js';
export { subscribeRepos, didsNamedBy, FEED_COLLECTIONS } from './firehose-subscriber.js';
export type { FirehoseSubscriberOptions, FirehoseSubscription, RepoEvent } from './firehose-subscriber.js';
export { feedItemKey, feedItemSortTime, recordFeedKey, seenFeedKeys } from './feed-marker.js';
export { subscribeJetstream, parseJetstreamMessage } from './jetstream-subscriber.js';
export type { JetstreamSubscriberOptions } from './jetstream-subscriber.js';
export { ServiceAuthError, ServiceAuthVerifier } from './service-auth.js';
export type { ExpectedServiceJwt, ServiceAuthOptions } from './service-auth.js';
export { JETSTREAM_MAX_DIDS, jetstreamZstdDictionary, optionsUpdate } from './jetstream-subscriber.js';
export type { JetstreamFilters, JetstreamStatus, JetstreamSubscription } from './jetstream-subscriber.js';
export { AppViewClient, APPVIEW_BATCH } from './appview-client.js';
export type { AppViewClientOptions, BlueskyListView, HydratedPosts } from './appview-client.js';
export { listFollowRecords } from './follow-records.js';
export { normalizeAuthor } from './normalize-post.js';
export { postFromRecord, recordSuffices } from './record-post.js';
export type { RecordPost, StreamedPost } from './record-post.js';
export { LabelerDirectory, labelInForce, parseLabel, personalLabel, subscribeLabels } from './labelers.js';
export type { LabelerLabel, LabelSubscription, ParsedLabel } from './labelers.js';
export type { BlueskyApiSession } from './api-session.js';
export { BlueskyOAuthSession } from './bluesky-oauth-session.js';
export type { BlueskyOAuthSessionOptions } from './bluesky-oauth-session.js';
export {
  BLUESKY_OAUTH_CALLBACK_PATH,
  BLUESKY_OAUTH_FALLBACK_SCOPE,
  BLUESKY_OAUTH_JWKS_PATH,
  BLUESKY_OAUTH_METADATA_PATH,
  BLUESKY_OAUTH_SCOPE,
  BlueskyOAuth,
  BlueskyOAuthClient,
} from './bluesky-oauth-client.js';
export type { BlueskyOAuthGrant, BlueskyOAuthOptions, BlueskyOAuthStores } from './bluesky-oauth-client.js';
export type {
  NodeSavedSession as BlueskyOAuthStoredSession,
  NodeSavedState as BlueskyOAuthStoredState,
} from '@atproto/oauth-client-node';
