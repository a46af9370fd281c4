export * from './types.js';
export * from './spec.js';
export * from './engine.js';
export * from './rank-key.js';
export * from './plugin-runner.js';
export { compileTerms, termKeys, termPattern } from './text-match.js';
export { compileMaskScan, compileScan } from './literal-scan.js';
export type { LiteralScan, MaskScan, ScanKey } from './literal-scan.js';
export type { MuteTerm, TermMatcher } from './text-match.js';
export { authorKey, bridgedOrigin, dedupeKeysOf, isBridgedAuthor, personKey } from './stages/dedupe.js';
export {
  AI_DISCLOSURE_KEYS,
  AI_DISCLOSURE_PATTERN,
  DEFAULT_AI_HASHTAGS,
  DEFAULT_AI_LABELS,
  declaresAi,
} from './stages/ai-generated.js';
export { PluginSandbox } from './sandbox/plugin-sandbox.js';
export { SandboxPool } from './sandbox/sandbox-pool.js';
export type { SandboxPoolOptions } from './sandbox/sandbox-pool.js';
export type { SandboxOptions, SandboxReply } from './sandbox/plugin-sandbox.js';
export {
  MAX_CONFIG_SCHEMA_BYTES,
  MAX_PLUGIN_SOURCE_BYTES,
  PluginSourceError,
  SANDBOX_CHUNK,
  sandboxedPlugin,
  validatePluginSource,
} from './sandbox/sandboxed-plugin.js';
export type { PluginManifest, PluginSourceCheck } from './sandbox/sandboxed-plugin.js';
export { NO_FEEDBACK } from './stages/feedback.js';
export type { MemberFeedback } from './stages/feedback.js';
export { CompiledFilterList } from './filter-lists/compiled-list.js';
export type { FilterListIdentity } from './filter-lists/compiled-list.js';
export {
  formatTributaryList,
  parseExpires,
  parseRule,
  parseTributaryList,
} from './filter-lists/list-format.js';
export { parseMastodonCsv } from './filter-lists/mastodon-csv.js';
export type { MastodonCsvKind } from './filter-lists/mastodon-csv.js';
export { authorKeys } from './filter-lists/identity.js';
export { FilterListFormatError, NO_META, canonicalAccount, ruleKey, ruleName } from './filter-lists/rules.js';
export type {
  FilterListContent,
  FilterListMeta,
  FilterRule,
  FilterRuleKind,
  ListProblem,
} from './filter-lists/rules.js';
export type { FilterListResolver } from './stages/filter-list.js';
export * from './notification-mutes.js';
export * from './search-filters.js';
export { ADDED_STAGE_INDEX } from './stage-subset.js';
