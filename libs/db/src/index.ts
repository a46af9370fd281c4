export { openDatabase } from './database.js';
export type { Database, DatabaseOptions } from './database.js';
export {
  applyMigrations,
  createMigration,
  loadMigrations,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
} from './migrations.js';
export type { MigrationTarget, MigrationOptions } from './migrations.js';
export { openPglite } from './pglite.js';
export { prepared } from './prepared.js';
export type { Sql, SqlDatabase } from './sql.js';
export {
  DbError,
  DbErrorCode,
  DbConflictError,
  DbNotFoundError,
  DbForeignKeyError,
  DbUnavailableError,
  isDbUnavailable,
  toDbError,
  withDbErrors,
} from './db-error.js';
export { upsertIngested, recordSkipped, storePosts, attachPosts } from './post-store.js';
export type { UpsertResult, Attachment } from './post-store.js';
export {
  addTombstones,
  authorAttachments,
  markDeletedAtOrigin,
  markTombstoned,
  postDataSql,
  releaseRepostAttachments,
  repostAttachments,
  tombstoned,
} from './origin-deletes.js';
export type { OriginDeletion, RepostAttachment } from './origin-deletes.js';
export { applyFollowChanges, forgetFollowGraph, loadFollowGraph, replaceFollows } from './follow-store.js';
export type { FollowChange, StoredFollowGraph } from './follow-store.js';
export {
  applyLabelerLabels,
  dropLabelerLabels,
  fillSourceLabels,
  recentPostUris,
} from './personal-label-store.js';
export type { ChangedPosts, LabelChange } from './personal-label-store.js';
export { recordViewerStates } from './viewer-state-store.js';
export type { ViewerAccount } from './viewer-state-store.js';
export { seal, open, SecretBoxError } from './secret-box.js';
export { DbModule, PrismaService, DB_OPTIONS, DATABASE } from './db.module.js';
export type { DbModuleOptions } from './db.module.js';
// Prisma's client, types and enums, for data-access code (apps reach Prisma only through here).
export { PrismaClient, Prisma } from './prisma-client.js';
export type {
  User,
  ApiToken,
  Invite,
  LinkedAccount,
  MastodonApp,
  Source,
  Author as AuthorRow,
  Post as PostRow,
  SourcePost,
  SkippedRecord,
  Pipeline,
  PipelineVersion,
  Plugin,
  TimelineEntry,
  OutboundAction,
  StreamCursor,
  PublishedFeed,
  FeedInteraction,
  FilterList,
  FilterListVersion,
  FilterListFormat,
  OAuthClient,
} from './prisma-client.js';
/** A client or the `tx` of `prisma.$transaction(async (tx) => …)`, for helpers that work in both. */
export type { DbClient } from './prisma-client.js';
