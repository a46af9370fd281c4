export { FakeMastodonServer } from './fake-mastodon-server.js';
export type { FakeAccount, FakeMedia, FakeCard, FakePostInput, FakeUpload } from './fake-mastodon-server.js';
export { OpenApiValidator, MASTODON_CONTRACT_PATH } from './openapi-validator.js';
