export { TimelineModule } from './timeline.module.js';
export { TimelineService, TimelineInputError, REBUILD_BATCH } from './timeline.service.js';
export type { RunResult, RebuildProgress } from './timeline.service.js';
export { PluginCatalog } from './plugin-catalog.js';
export { createDefaultPipeline } from './default-pipeline.js';
export { pruneVersions } from './pipeline-versions.js';
export {
  InvalidCursorError,
  checkPipeline,
  cursorEncoder,
  decodeCursor,
  encodeCursor,
  readCursor,
} from './timeline-cursor.js';
export type { TimelinePosition } from './timeline-cursor.js';
export {
  loadCandidates,
  loadRecentCandidates,
  loadRecentPostIds,
  loadHistory,
  upsertEntries,
  mergeSeenIn,
} from './entry-store.js';
export type { StoredCandidate, EntryWrite } from './entry-store.js';
export {
  hideDeletedPosts,
  NO_LONGER_FOLLOWED,
  publishOriginChanges,
  releaseEntries,
  SOURCE_REMOVED,
  visibleEntriesOf,
} from './origin-deletes.js';
export type { ChangedEntry } from './origin-deletes.js';
export { checkPipelineSpec, describedPlugins, pluginReferences, toIssue } from './pipeline-check.js';
export type { SpecCheck, SpecIssue } from './pipeline-check.js';
export { previewPipeline } from './pipeline-preview.js';
export type { PreviewOptions, PreviewResult } from './pipeline-preview.js';
export {
  loadTrustedPlugins,
  syncTrustedPlugins,
  TrustedPluginError,
  TrustedPluginInstaller,
} from './trusted-plugins.js';
export type { TrustedPlugin } from './trusted-plugins.js';
export { FEEDBACK_REQUESTS, loadFeedback, postsAffectedByFeedback } from './feedback-store.js';
export { FilterListService } from './filter-lists/filter-list.service.js';
export type { RefreshResult } from './filter-lists/filter-list.service.js';
export { FilterListCatalog } from './filter-lists/filter-list-catalog.js';
export { FilterListError, FilterListErrorCode, normalizeSource } from './filter-lists/filter-list-fetch.js';
export { filterListIdsOf } from './filter-lists/filter-list-specs.js';
export type { FilterListPins } from './filter-lists/filter-list-specs.js';
