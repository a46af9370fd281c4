export * from './types.js';
export * from './spec.js';
export * from './engine.js';
export * from './rank-key.js';
export * from './plugin-runner.js';
export { compileTerms, termPattern } from './text-match.js';
export type { MuteTerm, TermMatcher } from './text-match.js';
export { bridgedOrigin, personKey } from './stages/dedupe.js';
export { DEFAULT_AI_HASHTAGS, DEFAULT_AI_LABELS } from './stages/ai-generated.js';
