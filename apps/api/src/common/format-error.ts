import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { AppErrorCode, AppException } from './app.exception.js';

const logger = new Logger('GraphQL');

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
  const code = String(formatted.extensions?.['code'] ?? '');
  if (CLIENT_CODES.has(code)) {
    return { message: formatted.message, path: formatted.path, locations: formatted.locations, extensions: { code } };
  }
  // Input coercion errors (wrong variable types) are the client's fault, not ours.
  if (original === undefined && error instanceof GraphQLError && !formatted.path) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code: AppErrorCode.BadUserInput } };
  }
  logger.error(original instanceof Error ? (original.stack ?? original.message) : formatted.message);
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
