export * from './plugin.js';
export * from './config.js';
export * from './testing.js';
