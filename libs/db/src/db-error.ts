// Prisma's error codes mapped once, to errors callers can switch on without knowing Prisma.
import { Prisma } from './prisma-client.js';

export const DbErrorCode = {
  Conflict: 'CONFLICT',
  NotFound: 'NOT_FOUND',
  ForeignKey: 'FOREIGN_KEY',
  Unavailable: 'UNAVAILABLE',
  InvalidInput: 'INVALID_INPUT',
} as const;
export type DbErrorCode = (typeof DbErrorCode)[keyof typeof DbErrorCode];

export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A unique constraint was violated; `constraint` names the index or fields where known. */
export class DbConflictError extends DbError {
  constructor(
    readonly constraint: string | null,
    options?: { cause?: unknown },
  ) {
    super(DbErrorCode.Conflict, `Unique constraint violated${constraint ? ` (${constraint})` : ''}`, options);
  }
}

export class DbNotFoundError extends DbError {
  constructor(message = 'Record not found', options?: { cause?: unknown }) {
    super(DbErrorCode.NotFound, message, options);
  }
}

export class DbForeignKeyError extends DbError {
  constructor(
    readonly constraint: string | null,
    options?: { cause?: unknown },
  ) {
    super(
      DbErrorCode.ForeignKey,
      `Referenced record missing${constraint ? ` (${constraint})` : ''}`,
      options,
    );
  }
}

export class DbUnavailableError extends DbError {
  constructor(message = 'Database unavailable', options?: { cause?: unknown }) {
    super(DbErrorCode.Unavailable, message, options);
  }
}

interface AdapterCause {
  kind?: string;
  originalCode?: string;
  severity?: string;
  constraint?: { index?: string; fields?: string[] };
}

// The driver adapter's kinds for a server that cannot be reached or used.
const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
]);
// Node's socket errors for a refused, dropped or unroutable connection.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * Whether `error` says the database could not be used at all, rather than that a statement
 * failed: no connection (refused, dropped, timed out), or PostgreSQL refusing the session (a FATAL
 * error: not accepting connections, shutting down, too many clients, authentication). Recognises
 * node-postgres' errors (the `sql` path) and Prisma's (through the driver adapter), and their causes.
 */
export function isDbUnavailable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof DbUnavailableError) return true;
    const fields = e as { code?: unknown; severity?: unknown };
    if (fields.severity === 'FATAL' || fields.severity === 'PANIC') return true;
    if (typeof fields.code === 'string' && (SOCKET_CODES.has(fields.code) || /^(08|57P0)/.test(fields.code)))
      return true;
    if (/^Connection terminated|timeout exceeded when trying to connect/.test(e.message)) return true;
    if (e instanceof Prisma.PrismaClientKnownRequestError) {
      if (['P1001', 'P1002', 'P1017'].includes(e.code)) return true;
      const cause = (e.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined)
        ?.driverAdapterError?.cause;
      if (cause?.kind !== undefined && UNREACHABLE_KINDS.has(cause.kind)) return true;
      if (cause?.severity === 'FATAL' || /^(08|57P0)/.test(cause?.originalCode ?? '')) return true;
    }
    if (e instanceof Prisma.PrismaClientInitializationError) return true;
  }
  return false;
}

/**
 * Maps a Prisma error to a `DbError` (returns anything else unchanged). Covers model queries
 * (P2002/P2003/P2025) and raw SQL (P2010, where the driver adapter's cause tells the kind); pg
 * and PGlite name the constraint differently (index vs fields), both end up in `constraint`.
 */
export function toDbError(error: unknown): unknown {
  if (error instanceof DbError) return error;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const meta = (error.meta ?? {}) as { driverAdapterError?: { cause?: AdapterCause }; target?: unknown };
    const cause = meta.driverAdapterError?.cause;
    const constraint =
      cause?.constraint?.index ??
      cause?.constraint?.fields?.join(',') ??
      (Array.isArray(meta.target)
        ? meta.target.join(',')
        : typeof meta.target === 'string'
          ? meta.target
          : null);
    if (
      error.code === 'P2002' ||
      cause?.kind === 'UniqueConstraintViolation' ||
      cause?.originalCode === '23505'
    ) {
      return new DbConflictError(constraint, { cause: error });
    }
    if (
      error.code === 'P2003' ||
      cause?.kind === 'ForeignKeyConstraintViolation' ||
      cause?.originalCode === '23503'
    ) {
      return new DbForeignKeyError(constraint, { cause: error });
    }
    if (error.code === 'P2025' || error.code === 'P2001') {
      return new DbNotFoundError(error.message.split('\n').pop() || undefined, { cause: error });
    }
    if (isDbUnavailable(error)) return new DbUnavailableError(undefined, { cause: error });
    return error;
  }
  if (error instanceof Prisma.PrismaClientInitializationError) {
    return new DbUnavailableError(error.message, { cause: error });
  }
  if (error instanceof Prisma.PrismaClientValidationError) {
    return new DbError(DbErrorCode.InvalidInput, error.message, { cause: error });
  }
  return error;
}

/** Runs `fn`, rethrowing Prisma errors as `DbError`s. */
export async function withDbErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toDbError(error);
  }
}
