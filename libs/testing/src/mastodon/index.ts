export { FakeMastodonServer } from './fake-mastodon-server.js';
export type {
  FakeAccount,
  FakeMedia,
  FakeCard,
  FakePostInput,
  FakeUpload,
  StaleTimeline,
} from './fake-mastodon-server.js';
export { OpenApiValidator, MASTODON_CONTRACT_PATH } from './openapi-validator.js';
export { PERSONALITIES, MASTODON_4_5, SINGLE_USER_SERVER, GOTOSOCIAL } from './personalities.js';
export type { ServerPersonality } from './personalities.js';
