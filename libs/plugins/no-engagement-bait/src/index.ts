export * from './no-engagement-bait.plugin.js';
