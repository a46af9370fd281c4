export * from './jobs.js';
export { jobOptions } from './job-options.js';
