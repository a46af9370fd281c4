// The process's logs: pino, one JSON object per line (pretty-printed in development), with the
// request's id in everything an API request logs and the job's id in everything a job logs.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { HttpLogger } from 'pino-http';
import type { Logger, LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.schema.js';

/** LOG_LEVEL (Nest's names) as pino's. */
const LEVELS: Record<Config['LOG_LEVEL'], LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Fields that hold secrets wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.appPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.credentials',
  '*.clientSecret',
  '*.client_secret',
];

// Secrets inside message text (error messages quote URLs and headers): a bearer token, a token or
// password in a query string or form, a Tributary token.
const SECRET_TEXT = [
  /(Bearer\s+)[^\s"',]+/gi,
  /((?:access_token|refresh_token|client_secret|password|code_verifier)=)[^&\s"']+/gi,
  /\btrb_[A-Za-z0-9_-]{20,}/g,
];

/** `text` with the secrets it quotes replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  return SECRET_TEXT.reduce(
    (out, pattern) =>
      out.replace(pattern, (_match, keep?: string) => `${typeof keep === 'string' ? keep : ''}[redacted]`),
    text,
  );
}

let root: Logger | null = null;

/**
 * The process's one root logger (API and worker of one process share it). Development prints
 * readable lines; anything else one JSON object per line on stdout, for a log collector.
 */
export function rootLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): Logger {
  root ??= pino(
    {
      level: LEVELS[config.LOG_LEVEL],
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    config.NODE_ENV === 'development'
      ? // Through process.stdout (not its file descriptor): what a test captures there sees the logs.
        pretty({ destination: process.stdout, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ fd: 1, sync: true }),
  );
  return root;
}

/** A client's X-Request-Id when it is a plain token of reasonable length, else a new one. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * The API's request log (pino-http): each HTTP request logged once when answered, with its id,
 * which every line logged while handling it carries as `reqId`. Mounted by the API before anything
 * else that answers (bootstrap-api.ts): as Nest's middleware (nestjs-pino's default) it ran after
 * the body parser, and a request whose body was not JSON was answered 400 without a line.
 */
export function requestLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): HttpLogger {
  return pinoHttp({
    logger: rootLogger(config),
    genReqId: requestId,
    // Lines logged during a request carry its id, not the whole request again.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    // The serializers below read the request and response themselves: wrapped, each request first
    // had pino-std-serializers build objects of all its headers and its socket's address, and
    // the response's headers, for them to keep three fields.
    wrapSerializers: false,
    serializers: {
      // Method and path only: a query string may carry a token (streaming APIs take access_token).
      // The original URL: Express strips the mount path from `url` inside what is mounted.
      req: (req: { id: string; method: string; url: string; originalUrl?: string }) => ({
        id: req.id,
        method: req.method,
        path: (req.originalUrl || req.url).split('?')[0],
      }),
      // No status before the headers went out (a request its client gave up on).
      res: (res: { statusCode: number; headersSent: boolean }) => ({
        statusCode: res.headersSent ? res.statusCode : null,
      }),
    },
    // Health checks and scrapes every few seconds would drown the rest.
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' },
    customLogLevel: (_req, res, error) =>
      error !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}

/**
 * Nest's logging through pino, for the API (what a request logs carries its id: the request logger
 * above is mounted by the API itself) and the worker (jobs bind their ids, see apps/worker's
 * JobHandlerRegistry).
 */
export function loggerModule(config: Config): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: { logger: rootLogger(config) },
    useExisting: true,
    renameContext: 'context',
  });
}
