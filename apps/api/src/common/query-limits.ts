// Depth and cost limits for every GraphQL operation (HTTP and graphql-ws alike): a client cannot
// make the server resolve more than it allows, whatever it nests or aliases. Refusals are the
// client's bad input (BAD_USER_INPUT), with a message naming the limit and what was asked.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, getNamedType, isLeafType } from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationRule,
} from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { AppErrorCode, AppException } from './app.exception.js';

export interface QueryLimits {
  /** Deepest field nesting allowed (a root field is depth 1); introspection fields do not count. */
  maxDepth: number;
  /** Most objects an operation may ask for (see `costEstimator`). */
  maxCost: number;
}

/** Arguments that say how many items a list field returns: its cost is that many times an item's. */
const SIZE_ARGUMENTS = ['first', 'limit'] as const;

/**
 * The cost of a field is the number of objects the server resolves for it: a scalar is part of its
 * object (0), an object costs 1 plus its selections, a list with a size argument (`first`, `limit`)
 * costs that many items. Lists without one (a post's media, an item's decisions) are read with
 * their parent and count once. Introspection is limited by GRAPHQL_INTROSPECTION, not here.
 */
export const costEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith('__') || isLeafType(getNamedType(field.type))) return 0;
  const size = SIZE_ARGUMENTS.map((name) => args[name] as unknown).find((v) => typeof v === 'number');
  return (typeof size === 'number' ? Math.max(size, 1) : 1) * (1 + childComplexity);
};

/** The deepest field nesting of one operation, following fragments (each at most once per path). */
export function operationDepth(operation: OperationDefinitionNode, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const depth = (set: SelectionSetNode, path: ReadonlySet<string>): number => {
    let max = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        max = Math.max(max, 1 + (selection.selectionSet ? depth(selection.selectionSet, path) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depth(selection.selectionSet, path));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle or an unknown fragment is refused by GraphQL's own rules.
        if (fragment && !path.has(name))
          max = Math.max(max, depth(fragment.selectionSet, new Set(path).add(name)));
      }
    }
    return max;
  };
  return depth(operation.selectionSet, new Set());
}

function limitError(message: string, details: Record<string, unknown>): GraphQLError {
  // The AppException as originalError is what formatError maps to BAD_USER_INPUT; Apollo would
  // otherwise file a validation rule's error under GRAPHQL_VALIDATION_FAILED.
  return new GraphQLError(message, {
    originalError: new AppException(AppErrorCode.BadUserInput, message, details),
    extensions: { code: AppErrorCode.BadUserInput, http: { status: 400 } },
  });
}

function depthError(depth: number, maxDepth: number): GraphQLError {
  return limitError(`query is nested ${depth} levels deep; at most ${maxDepth} are allowed`, {
    limit: 'depth',
    depth,
    maxDepth,
  });
}

/** The depth limit as a validation rule (no variables needed). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = operationDepth(operation, context.getDocument());
      if (depth > maxDepth) context.reportError(depthError(depth, maxDepth));
    },
  });
}

/**
 * The cost of the operation that will run (it depends on the variables: `first: $n`), or null when
 * it cannot be computed because the variables or document are invalid — execution refuses those.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [costEstimator],
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message))
      return Infinity;
    return null;
  }
}

/**
 * Every limit an operation exceeds, as errors to send instead of executing it. For transports that
 * bypass Apollo's request pipeline (graphql-ws: call it in `onSubscribe`, after validation).
 */
export function checkQueryLimits(
  limits: QueryLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string | null,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && def.name?.value !== operationName) continue;
    const depth = operationDepth(def, document);
    if (depth > limits.maxDepth) errors.push(depthError(depth, limits.maxDepth));
  }
  const cost = operationCost(schema, document, variables, operationName);
  if (cost !== null && cost > limits.maxCost) errors.push(costError(cost, limits.maxCost));
  return errors;
}

function costError(cost: number, maxCost: number): GraphQLError {
  const asked = Number.isFinite(cost) ? `${cost}` : 'too many';
  return limitError(
    `query would cost ${asked} (objects resolved; list fields count \`first\` items each); at most ${maxCost} is allowed`,
    { limit: 'cost', cost: Number.isFinite(cost) ? cost : null, maxCost },
  );
}

/** Costs remembered per parsed document: a client's few operations, each with a few page sizes. */
const COSTS_PER_DOCUMENT = 64;

/**
 * The variables an operation's cost can depend on, as a cache key: all but String and ID ones.
 * A size argument is an Int (`first: $n`) and `@skip`/`@include` take a Boolean; a String or ID
 * variable (a page cursor, an id) never changes what an operation costs, and leaving those out is
 * what lets a timeline's next pages reuse the first page's cost.
 */
function costKey(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string {
  const values: unknown[] = [operation.name?.value];
  for (const definition of operation.variableDefinitions ?? []) {
    let type = definition.type;
    while (type.kind !== Kind.NAMED_TYPE) type = type.type;
    if (type.name.value !== 'String' && type.name.value !== 'ID')
      values.push(variables?.[definition.variable.name.value] ?? null);
  }
  return JSON.stringify(values);
}

/**
 * Apollo: the depth rule goes in `validationRules`; this plugin checks the cost once the operation
 * and its variables are known, before anything executes. Apollo keeps one parsed document per query
 * text, and the cost is remembered per document and {@link costKey}: computing it walked the whole
 * query again on every request (~5% of the API's CPU per timeline page).
 */
export function queryCostPlugin(maxCost: number): ApolloServerPlugin {
  const costs = new WeakMap<DocumentNode, Map<string, number | null>>();
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ schema, document, operation, request, operationName }) => {
        const compute = () => operationCost(schema, document, request.variables, operationName);
        let cost: number | null | undefined;
        if (operation) {
          const key = costKey(operation, request.variables);
          let known = costs.get(document);
          if (!known) costs.set(document, (known = new Map()));
          cost = known.get(key);
          if (cost === undefined) {
            if (known.size >= COSTS_PER_DOCUMENT) known.clear();
            known.set(key, (cost = compute()));
          }
        } else cost = compute();
        if (cost !== null && cost > maxCost) throw costError(cost, maxCost);
      },
    }),
  };
}
