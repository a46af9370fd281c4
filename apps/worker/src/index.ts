export { bootstrapWorker } from './bootstrap-worker.js';
