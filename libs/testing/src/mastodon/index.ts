export { FakeMastodonServer } from './fake-mastodon-server.js';
export type { FakeAccount, FakeMedia, FakeCard, FakePostInput, FakeUpload } from './fake-mastodon-server.js';
export { OpenApiValidator, MASTODON_OPENAPI_PATH } from './openapi-validator.js';
