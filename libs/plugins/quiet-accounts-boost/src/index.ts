export * from './quiet-accounts-boost.plugin.js';
