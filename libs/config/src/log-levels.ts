import type { LogLevel } from '@nestjs/common';
import type { Config } from './config.schema.js';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's logger takes the list of enabled levels; LOG_LEVEL names the most verbose one. */
export function logLevels(config: Pick<Config, 'LOG_LEVEL'>): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(config.LOG_LEVEL) + 1);
}
