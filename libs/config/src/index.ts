export { configSchema } from './config.schema.js';
export type { Config } from './config.schema.js';
export { ConfigError, loadConfig } from './load-config.js';
export { CONFIG, ConfigModule } from './config.module.js';
export { logLevels } from './log-levels.js';
export { loggerModule, requestLogger, rootLogger, scrubSecrets, REDACTED_PATHS } from './logging.js';
