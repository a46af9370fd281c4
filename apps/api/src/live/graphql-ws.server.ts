import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionResult, FormattedExecutionResult, ValidationRule } from 'graphql';
import type { ServerOptions, Context as WsContext, SubscribePayload } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { bearerToken } from '../auth/auth.guard.js';
import { AuthService } from '../auth/auth.service.js';
import { hashSecret } from '../auth/secrets.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import type { GraphqlContext } from '../auth/auth.types.js';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { formatError } from '../common/format-error.js';
import { MAX_DOCUMENT_TOKENS, variablesError } from '../common/input-checks.js';
import { checkCost } from '../common/query-limits.js';
import { queryLimits, validationRules } from '../common/validation-rules.js';

/** What graphql-ws' `ws` adapter puts in `ctx.extra`. */
interface WsExtra {
  socket: WebSocket;
}
type Connection = WsContext<Record<string, unknown> | undefined, WsExtra>;

/** graphql-ws close codes: the client's `closed` event shows them with the reason. */
export const WsCloseCode = { Unauthenticated: 4401, TooManyConnections: 4429 } as const;

/**
 * Operations one connection may have refused before it is closed (4429): a client that goes on
 * sending what it is told it may not (20,000 subscriptions on one socket) would otherwise keep the
 * process busy answering each refusal while everyone else waits. No honest client gets near it.
 */
export const REFUSALS_PER_CONNECTION = 100;

/**
 * Operations one connection may start per minute. Completing a subscription frees its place under
 * the caps, so a client looping subscribe → complete stays under them while each subscribe is
 * parsed, validated, costed and given a listener; past this it is refused (and counts towards
 * REFUSALS_PER_CONNECTION). A client reconnecting its few subscriptions never nears it.
 */
export const OPERATIONS_PER_MINUTE = 120;

/** How long a connection closed for its refusals has to receive the close frame before it is dropped. */
const TERMINATE_AFTER_CLOSE_MS = 1_000;

/**
 * The GraphQL context of an HTTP request (`{ req }`) or of a graphql-ws operation (its connection
 * params, where the bearer token is): the global AuthGuard reads the token from either, so every
 * subscription resolver is authenticated by the same code as queries, token revocation included.
 */
export function graphqlContext(source: {
  req?: GraphqlContext['req'];
  connectionParams?: Record<string, unknown>;
}): GraphqlContext {
  return source.req ? { req: source.req } : { connectionParams: source.connectionParams ?? {} };
}

/**
 * The graphql-ws side of `/graphql`: authenticates each connection in `connection_init`
 * (`{ authorization: 'Bearer <token>' }`, closed with 4401 otherwise), closes it when its token is
 * revoked, validates operations with the same limits as HTTP, caps what one user holds open
 * (LIVE_CONNECTIONS_PER_USER, LIVE_SUBSCRIPTIONS_PER_CONNECTION / _PER_USER: each subscription is
 * memory held until it ends), and gives errors the same `extensions.code` shape as HTTP.
 */
@Injectable()
export class GraphqlWsServer {
  private readonly logger = new Logger(GraphqlWsServer.name);
  /**
   * How often an open connection's token is checked again: expiry, and a revocation whose
   * announcement (TokenRevocations) was lost.
   */
  recheckMs = 30_000;
  private readonly rechecks = new WeakMap<Connection, NodeJS.Timeout>();
  /** Open connections by their token's hash, to close them when it is revoked. */
  private readonly byToken = new Map<string, Set<Connection>>();
  private readonly tokenHashes = new WeakMap<Connection, string>();
  /** Open connections by user id, for the per-user caps. */
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly userIds = new WeakMap<Connection, string>();
  private readonly rules: ValidationRule[];
  private readonly refusals = new WeakMap<Connection, number>();
  /** Operations started in the current minute, per connection. */
  private readonly started = new WeakMap<Connection, { since: number; count: number }>();

  constructor(
    private readonly auth: AuthService,
    private readonly moduleRef: ModuleRef,
    @Inject(CONFIG) private readonly config: Config,
    revocations: TokenRevocations,
  ) {
    // Apollo's `introspection: false` only guards HTTP: the socket refuses introspection itself.
    this.rules = [
      ...specifiedRules,
      ...validationRules(config),
      ...(config.GRAPHQL_INTROSPECTION ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
    revocations.onRevoked((tokenHash) => {
      for (const ctx of this.byToken.get(tokenHash) ?? []) closeRevoked(ctx);
    });
  }

  /** Nest's type leaves out `onError`; it passes every graphql-ws option through to `useServer`. */
  options(): GraphQLWsSubscriptionsConfig & Pick<ServerOptions, 'onError'> {
    return {
      onConnect: (ctx) => this.connect(ctx as Connection),
      onClose: (ctx) => this.forget(ctx as Connection),
      onSubscribe: (ctx, _id, payload) => this.prepare(ctx as Connection, payload),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    };
  }

  private async connect(ctx: Connection): Promise<boolean> {
    const token = bearerToken({ connectionParams: ctx.connectionParams ?? {} });
    const user = token ? await this.auth.authenticate(token) : null;
    if (!user) {
      const reason = token
        ? 'Unauthenticated: the bearer token is invalid, expired or revoked'
        : 'Unauthenticated: send connectionParams { authorization: "Bearer <token>" }';
      // Closing first makes this code the one the client sees (graphql-ws would send 4403 Forbidden).
      ctx.extra.socket.close(WsCloseCode.Unauthenticated, reason);
      return false;
    }
    const connections = this.byUser.get(user.id) ?? new Set<Connection>();
    if (connections.size >= this.config.LIVE_CONNECTIONS_PER_USER) {
      ctx.extra.socket.close(
        WsCloseCode.TooManyConnections,
        `Too many connections: at most ${this.config.LIVE_CONNECTIONS_PER_USER} per user; close one first`,
      );
      return false;
    }
    this.byUser.set(user.id, connections.add(ctx));
    this.userIds.set(ctx, user.id);
    const recheck = setInterval(() => {
      this.auth
        .authenticate(token!)
        .then((still) => {
          if (!still) closeRevoked(ctx);
        })
        .catch((error: unknown) => this.logger.warn(`token recheck failed: ${(error as Error).message}`));
    }, this.recheckMs);
    recheck.unref();
    this.rechecks.set(ctx, recheck);
    const tokenHash = hashSecret(token!);
    this.tokenHashes.set(ctx, tokenHash);
    this.byToken.set(tokenHash, (this.byToken.get(tokenHash) ?? new Set<Connection>()).add(ctx));
    return true;
  }

  private forget(ctx: Connection): void {
    clearInterval(this.rechecks.get(ctx));
    const tokenHash = this.tokenHashes.get(ctx);
    const open = tokenHash === undefined ? undefined : this.byToken.get(tokenHash);
    if (open?.delete(ctx) && open.size === 0) this.byToken.delete(tokenHash!);
    const userId = this.userIds.get(ctx);
    const connections = userId === undefined ? undefined : this.byUser.get(userId);
    if (connections?.delete(ctx) && connections.size === 0) this.byUser.delete(userId!);
  }

  /**
   * The error for an operation past the caps, or null. graphql-ws lists a connection's operations
   * in `ctx.subscriptions` from their `subscribe` message until they end, this one included.
   */
  private capError(ctx: Connection): GraphQLError | null {
    const perConnection = this.config.LIVE_SUBSCRIPTIONS_PER_CONNECTION;
    if (Object.keys(ctx.subscriptions).length > perConnection) {
      return capError(
        `at most ${perConnection} subscriptions per connection; complete one first`,
        'subscriptionsPerConnection',
        perConnection,
      );
    }
    const perUser = this.config.LIVE_SUBSCRIPTIONS_PER_USER;
    let active = 0;
    for (const connection of this.byUser.get(this.userIds.get(ctx) ?? '') ?? [])
      active += Object.keys(connection.subscriptions).length;
    if (active > perUser) {
      return capError(
        `at most ${perUser} subscriptions per user; complete one first`,
        'subscriptionsPerUser',
        perUser,
      );
    }
    return null;
  }

  /**
   * Parses, validates and checks the depth and cost limits HTTP requests get (Apollo's plugin and
   * validation rules do not run here); graphql-ws executes what this returns.
   */
  private prepare(ctx: Connection, payload: SubscribePayload) {
    const refusals = this.refusals.get(ctx) ?? 0;
    if (refusals >= REFUSALS_PER_CONNECTION) return [tooManyRefusals(ctx)];
    const refused = this.check(ctx, payload);
    if (Array.isArray(refused)) this.refusals.set(ctx, refusals + 1);
    return refused;
  }

  /** The error for an operation past OPERATIONS_PER_MINUTE on its connection, or null. */
  private rateError(ctx: Connection): GraphQLError | null {
    const now = Date.now();
    let window = this.started.get(ctx);
    if (window === undefined || now - window.since >= 60_000) {
      window = { since: now, count: 0 };
      this.started.set(ctx, window);
    }
    if (++window.count <= OPERATIONS_PER_MINUTE) return null;
    return capError(
      `at most ${OPERATIONS_PER_MINUTE} operations a minute per connection; try again in ${Math.ceil((window.since + 60_000 - now) / 1000)} s`,
      'operationsPerMinute',
      OPERATIONS_PER_MINUTE,
    );
  }

  private check(ctx: Connection, payload: SubscribePayload) {
    const capped = this.rateError(ctx) ?? this.capError(ctx);
    if (capped) return [capped];
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: MAX_DOCUMENT_TOKENS });
    } catch (error) {
      // A query nested too deep for the parser's recursion is a RangeError, not a GraphQLError.
      const syntax = error instanceof GraphQLError ? error : new GraphQLError((error as Error).message);
      return [withCode(syntax, 'GRAPHQL_PARSE_FAILED')];
    }
    // Resolved per operation: the schema exists only once the GraphQL module has started.
    const schema = this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema;
    const invalid = validate(schema, document, this.rules);
    if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
    const badInput = variablesError(payload.variables);
    if (badInput) return [badInput];
    const excessive = checkCost(
      queryLimits(this.config),
      schema,
      document,
      payload.variables ?? {},
      payload.operationName,
    );
    if (excessive.length > 0) return excessive;
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
  }
}

function closeRevoked(ctx: Connection): void {
  ctx.extra.socket.close(WsCloseCode.Unauthenticated, 'Unauthenticated: the bearer token was revoked');
}

/** Closes a connection past REFUSALS_PER_CONNECTION (once) and answers its operation. */
/** Connections being closed for their refusals (see {@link tooManyRefusals}). */
const closingForRefusals = new WeakSet<WebSocket>();

function tooManyRefusals(ctx: Connection): GraphQLError {
  const message = `Too many refused operations: ${REFUSALS_PER_CONNECTION} on this connection`;
  const socket = ctx.extra.socket;
  if (!closingForRefusals.has(socket)) {
    closingForRefusals.add(socket);
    // Stop reading it at once: a closing socket is read until the client's close frame arrives,
    // which comes after everything it sent before (20,000 subscribe messages, each parsed and
    // answered while everyone else waited 5 s). The operations already read are answered, then
    // the socket is closed, and dropped soon after if the client does not close its side.
    socket.pause();
    setImmediate(() => {
      if (socket.readyState === socket.OPEN) socket.close(WsCloseCode.TooManyConnections, message);
      setTimeout(() => socket.terminate(), TERMINATE_AFTER_CLOSE_MS).unref();
    });
  }
  return capError(message, 'refusalsPerConnection', REFUSALS_PER_CONNECTION);
}

function capError(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(message, {
    originalError: new AppException(AppErrorCode.RateLimited, message, { limit, max }),
  });
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

function formatResult(
  result: ExecutionResult | FormattedExecutionResult,
): FormattedExecutionResult | undefined {
  if (!result.errors) return undefined;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error instanceof GraphQLError ? formatError(error.toJSON(), error) : formatError(error, error),
    ),
  };
}
