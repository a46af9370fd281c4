export * from './network.js';
export * from './post.js';
export * from './errors.js';
export * from './connector.js';
export * from './outbound-action.js';
export * from './ssrf-guard.js';
export * from './user-regex.js';
export * from './trust.js';
