import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { ConnectorError } from '@tributary/core';
import type { ConnectorErrorCode } from '@tributary/core';
import { isDbUnavailable } from '@tributary/db';
import { isRedisUnavailable } from '@tributary/queue';
import { AppErrorCode, AppException } from './app.exception.js';

const logger = new Logger('GraphQL');

/**
 * A network's answer, as the client should see it. Rejected credentials reach the API only while
 * linking (jobs handle them otherwise), where they are the user's input: BAD_USER_INPUT, not
 * UNAUTHENTICATED, which would mean the Tributary token is bad.
 */
const CONNECTOR_CODES: Record<ConnectorErrorCode, AppErrorCode> = {
  AUTH: AppErrorCode.BadUserInput,
  BAD_INPUT: AppErrorCode.BadUserInput,
  NOT_FOUND: AppErrorCode.NotFound,
  RATE_LIMITED: AppErrorCode.RateLimited,
  UNAVAILABLE: AppErrorCode.UpstreamUnavailable,
};

// Codes produced by GraphQL itself (parse/validation) or by us, safe to show as they are.
const CLIENT_CODES = new Set<string>([
  ...Object.values(AppErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Maps every error to what a client may see: our `AppException` codes, GraphQL's own validation
 * errors, and for anything unexpected a generic message (the details go to the log, not the client).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof AppException) {
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: original.code, ...original.details },
    };
  }
  if (original instanceof ConnectorError) {
    const { code, retryAt } = CONNECTOR_CODES[original.code]
      ? { code: CONNECTOR_CODES[original.code], retryAt: original.retryAt }
      : { code: AppErrorCode.UpstreamUnavailable, retryAt: null };
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code, ...(retryAt ? { retryAt: retryAt.toISOString() } : {}) },
    };
  }
  // PostgreSQL or Redis away: the client may try again later; nothing is wrong with its request.
  if (isDbUnavailable(original) || isRedisUnavailable(original)) {
    logger.warn(`upstream unavailable: ${(original as Error).message.split('\n').slice(-1)[0]}`);
    return {
      message: 'a service Tributary depends on (database or queue) is unavailable; try again shortly',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: AppErrorCode.UpstreamUnavailable },
    };
  }
  const code = String(formatted.extensions?.['code'] ?? '');
  if (CLIENT_CODES.has(code)) {
    return {
      message: formatted.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code },
    };
  }
  // Input coercion errors (wrong variable types) are the client's fault, not ours.
  if (original === undefined && error instanceof GraphQLError && !formatted.path) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      extensions: { code: AppErrorCode.BadUserInput },
    };
  }
  logger.error(original instanceof Error ? (original.stack ?? original.message) : formatted.message);
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
