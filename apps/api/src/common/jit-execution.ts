// Query execution through graphql-jit: each operation is compiled once into plain JavaScript and
// then run per request. A timeline page resolves ~3,000 fields; graphql-js's generic per-field walk
// was the largest share of the API's CPU per page (tools/bench/timeline-read.bench.ts).
// Apollo Server 4+ takes a custom executor only through its `gateway` option: this "gateway" serves
// the one local schema. Parsing, validation, limits (query-limits.ts) and error formatting stay
// Apollo's; subscriptions (graphql-ws) execute with graphql-js as before.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  GraphQLError,
  Source,
  astFromValue,
  getNullableType,
  getVariableValues,
  isInputObjectType,
  isListType,
  isObjectType,
  typeFromAST,
  valueFromASTUntyped,
} from 'graphql';
import type {
  ExecutionResult,
  GraphQLInputType,
  GraphQLSchema,
  SourceLocation,
  VariableDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/** Distinct operations kept compiled; clients send a handful each, so this is plenty. */
const COMPILED_OPERATIONS = 1000;

/**
 * A gateway for Apollo Server that executes `schema()` (read when Apollo starts: Nest builds the
 * schema before it creates the server) with compiled queries.
 */
export function jitGateway(schema: () => GraphQLSchema): GatewayInterface {
  const compiled = new LRUCache<string, CompiledQuery>({ max: COMPILED_OPERATIONS });
  const executor: GatewayExecutor = async (request) => {
    // Variables are checked by graphql-js first: its errors name the variable's node, which is how
    // Apollo tells the client's bad input (BAD_USER_INPUT) from a failure of ours.
    const variables = request.request.variables ?? {};
    const checked = getVariableValues(
      request.schema,
      request.operation?.variableDefinitions ?? [],
      variables,
    );
    if (checked.errors) return { errors: checked.errors };
    const key = `${request.queryHash}:${request.operationName ?? ''}`;
    let query = compiled.get(key);
    if (!query) {
      const result = compileQuery(request.schema, request.document, request.operationName ?? undefined);
      // Apollo validated the document already; what is left here (e.g. a bad operation name) is
      // the client's error, returned as graphql-js would.
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
    }
    const definitions = request.operation?.variableDefinitions ?? [];
    const result = (await query.query(
      undefined,
      request.context,
      definitions.length > 0 ? withInputDefaults(request.schema, definitions, variables) : variables,
    )) as ExecutionResult;
    releaseWhenAnswered(request.context, result);
    if (!result.errors) return result;
    const source = new Source(request.source);
    return { ...result, errors: result.errors.map((error) => asGraphqlJsError(error, source)) };
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema(), coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: () => Promise.resolve({ executor }),
    stop: () => Promise.resolve(),
  };
}

/**
 * The variables with the defaults of input object fields the client left out written in.
 * graphql-jit (0.8.9) refuses a variable whose input object omits a non-null field that has a
 * default (`multiple: Boolean! = false`: "was not provided"), which the GraphQL spec and graphql-js
 * fill in with the default. Copies only what it changes.
 */
function withInputDefaults(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  variables: Record<string, unknown>,
): Record<string, unknown> {
  let out = variables;
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type === undefined || !(name in variables)) continue;
    const value = fillDefaults(variables[name], type);
    if (value !== variables[name]) out = { ...out, [name]: value };
  }
  return out;
}

function fillDefaults(value: unknown, type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return value;
  if (isListType(nullable))
    return Array.isArray(value) ? mapChanged(value, (item) => fillDefaults(item, nullable.ofType)) : value;
  if (!isInputObjectType(nullable) || typeof value !== 'object' || Array.isArray(value)) return value;
  let out = value as Record<string, unknown>;
  for (const field of Object.values(nullable.getFields())) {
    const given = out[field.name];
    let filled: unknown;
    if (given === undefined && field.defaultValue !== undefined) {
      const literal = astFromValue(field.defaultValue, field.type);
      filled = literal == null ? undefined : valueFromASTUntyped(literal);
    } else filled = fillDefaults(given, field.type);
    if (filled !== given)
      out = out === value ? { ...out, [field.name]: filled } : Object.assign(out, { [field.name]: filled });
  }
  return out;
}

/** `items` mapped, or `items` itself when no item changed. */
function mapChanged(items: unknown[], map: (item: unknown) => unknown): unknown[] {
  const mapped = items.map(map);
  return mapped.every((item, i) => item === items[i]) ? items : mapped;
}

/** The part of an HTTP request's GraphQL context this module reads: Express's response. */
interface HttpContext {
  req?: { res?: { once(event: 'close', listener: () => void): unknown } };
}

/**
 * Empties the result's `data` object once its answer has been written (the response's `close`,
 * which follows `finish` and also comes when the client went away). Why: after a request, the
 * result tree stays reachable from something that is itself garbage but already in V8's old
 * generation, which a scavenge cannot tell. Each scavenge then copied the trees of all pages
 * answered since the previous one and promoted them at the next: ~88 KB per timeline page, ~17 MB/s
 * at 200 pages/s, so scavenges of ~8 ms and a mark-compact of a ~450 MB heap every ~10 s. The
 * retainer was not found: emptying the request, the response, the ExecutionResult or Apollo's
 * request context changed nothing; emptying the `data` object (or Apollo's response body) cut
 * promotion to ~6 KB per page. graphql-js's execution promoted even more (~290 KB per page), so it
 * is not graphql-jit's. (The API under the open loop of tools/bench/timeline-read.bench.ts, run with
 * --trace-gc-nvp.) Nothing reads the result after its answer is written.
 */
function releaseWhenAnswered(context: unknown, result: ExecutionResult): void {
  const data = result.data as Record<string, unknown> | null | undefined;
  const response = (context as HttpContext | undefined)?.req?.res;
  if (!data || !response) return;
  response.once('close', () => {
    for (const key of Object.keys(data)) delete data[key];
  });
}

/**
 * Removes the resolver Nest gives every field of a code-first object type that only reads the
 * property of the same name: graphql-jit inlines a field without a resolver as a property read,
 * while a resolver is called with a resolve-info object and path built for each value. On a
 * timeline page that was ~1.5 MB of the ~2.1 MB allocated and most of the execution's CPU
 * (tools/bench/timeline-read.bench.ts). graphql-js's default resolver reads the same property, so
 * subscriptions (executed by graphql-js) answer the same. Mutates and returns `schema`.
 *
 * A resolver is removed only if it is Nest's plain property reader (`rootFieldResolver`, which Nest
 * uses when a field has no middleware) and reads the field's own name without a default value;
 * fields renamed with `@Field({ name })` or given a `defaultValue` keep theirs.
 */
export function withoutPropertyResolvers(schema: GraphQLSchema): GraphQLSchema {
  const probe = Symbol('probe');
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as ((source: object) => unknown) | undefined;
      if (resolve?.name !== 'rootFieldResolver') continue;
      if (resolve({ [field.name]: probe }) === probe && resolve({}) === undefined) field.resolve = undefined;
    }
  }
  return schema;
}

/**
 * graphql-jit's errors are GraphQLErrors without `extensions` when the thrown error had none;
 * Apollo (and error formatting) expect graphql-js's shape, so each is rebuilt as one, with its
 * path, locations and the original error kept.
 */
function asGraphqlJsError(error: GraphQLError, source: Source): GraphQLError {
  return new GraphQLError(error.message, {
    source,
    positions: error.locations?.map((location) => offsetOf(source.body, location)),
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** The character offset of a 1-based line and column. */
function offsetOf(body: string, { line, column }: SourceLocation): number {
  let offset = 0;
  for (let current = 1; current < line; current++) offset = body.indexOf('\n', offset) + 1;
  return offset + column - 1;
}
