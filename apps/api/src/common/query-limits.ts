// Depth, size and cost limits for every GraphQL operation (HTTP and graphql-ws alike): a client
// cannot make the server resolve more than it allows, whatever it nests, aliases or spreads. Refusals are the
// client's bad input (BAD_USER_INPUT), with a message naming the limit and what was asked.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, getNamedType, isLeafType, visit } from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationRule,
} from 'graphql';
import { Extensions } from '@nestjs/graphql';
import type { Config } from '@tributary/config';
import { getComplexity } from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { AppErrorCode, AppException } from './app.exception.js';
import { variablesError } from './input-checks.js';

export interface QueryLimits {
  /** Deepest field nesting allowed (a root field is depth 1); introspection fields do not count. */
  maxDepth: number;
  /** Most fields an operation may select, each fragment counted as often as it is spread. */
  maxFields: number;
  /** Most root fields (aliases included) an operation may select. */
  maxRootFields: number;
  /** Most objects an operation may ask for (see `costEstimator`). */
  maxCost: number;
  /** The quotas fields state their sizes by (see {@link FieldCost}). */
  quotas: CostQuotas;
}

/** Arguments that say how many items a list field returns: its cost is that many times an item's. */
const SIZE_ARGUMENTS = ['first', 'limit'] as const;

/** The limits a field's size may be stated by (see {@link FieldCost}): per-user quotas, sizes. */
export type CostQuotas = Pick<
  Config,
  'PIPELINES_PER_USER' | 'PIPELINE_VERSIONS_KEPT' | 'PLUGINS_PER_USER' | 'PIPELINE_SPEC_MAX_KB'
>;

/**
 * How a field costs more than the default, in its GraphQL extensions (`@Extensions({ cost })`,
 * after the cost directives' `@listSize` and `@cost`): given as a number, or as the quota that
 * bounds it, read from the configuration.
 */
export interface FieldCost {
  /** A list without a size argument holds at most this many items (`pipelines`: PIPELINES_PER_USER). */
  listSize?: number | keyof CostQuotas;
  /** A scalar of up to this many KiB (a spec, a plugin's code): one object per {@link KIB_PER_OBJECT}. */
  maxKib?: number | keyof CostQuotas;
}

/** What one object a query resolves is worth in bytes of answer: a timeline item is 2–4 KiB of JSON. */
export const KIB_PER_OBJECT = 4;

/**
 * The cost of a field is the number of objects the server resolves for it: a scalar is part of its
 * object (0), an object costs 1 plus its selections, a list with a size argument (`first`, `limit`)
 * costs that many items. Lists without one (a post's media, an item's decisions) are read with
 * their parent and count once, unless a quota bounds them (`FieldCost.listSize`: a member's
 * pipelines, a pipeline's versions), and a scalar that may be large (`FieldCost.maxKib`: a spec of
 * up to PIPELINE_SPEC_MAX_KB) counts as the objects its size is worth: twenty aliases of
 * `pipelines { versions { spec } }` asked for every version's spec of every pipeline twenty times
 * over at the cost of twenty objects. Introspection is limited by GRAPHQL_INTROSPECTION, not here.
 */
export function costEstimator(quotas: CostQuotas): ComplexityEstimator {
  const value = (stated: number | keyof CostQuotas): number =>
    typeof stated === 'number' ? stated : quotas[stated];
  return ({ field, args, childComplexity }) => {
    if (field.name.startsWith('__')) return 0;
    const cost = field.extensions['cost'] as FieldCost | undefined;
    if (isLeafType(getNamedType(field.type)))
      return cost?.maxKib === undefined ? 0 : Math.ceil(value(cost.maxKib) / KIB_PER_OBJECT);
    const size = SIZE_ARGUMENTS.map((name) => args[name] as unknown).find((v) => typeof v === 'number');
    const items =
      typeof size === 'number' ? Math.max(size, 1) : cost?.listSize === undefined ? 1 : value(cost.listSize);
    return items * (1 + childComplexity);
  };
}

/** States a field's {@link FieldCost}: `@Cost({ listSize: 'PIPELINES_PER_USER' })` beside `@Query`/`@Field`. */
export const Cost = (cost: FieldCost): MethodDecorator & PropertyDecorator & ClassDecorator =>
  Extensions({ cost });

/** What an operation selects, with its fragments expanded. */
export interface OperationShape {
  /** Deepest field nesting (a root field is depth 1), introspection fields left out. */
  depth: number;
  /** Fields selected, each fragment counted as often as it is spread. */
  fields: number;
  /** Fields at the root (aliases included). */
  rootFields: number;
}

const NO_SELECTION = { depth: 0, fields: 0, width: 0 };

/**
 * The shape of one operation, in one pass over the document: each fragment's shape is computed
 * once and reused wherever it is spread, so a document whose fragments spread each other three
 * times over (3^16 fields from 700 bytes) costs as little to measure as it is long.
 */
export function operationShape(operation: OperationDefinitionNode, document: DocumentNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const known = new Map<string, typeof NO_SELECTION>();
  const open = new Set<string>();
  const ofFragment = (name: string) => {
    const fragment = fragments.get(name);
    // A cycle or an unknown fragment is refused by GraphQL's own rules.
    if (!fragment || open.has(name)) return NO_SELECTION;
    let shape = known.get(name);
    if (!shape) {
      open.add(name);
      known.set(name, (shape = ofSet(fragment.selectionSet)));
      open.delete(name);
    }
    return shape;
  };
  // `width`: the fields this selection set adds at its own level (root fields, for the operation).
  const ofSet = (set: SelectionSetNode): typeof NO_SELECTION => {
    let depth = 0;
    let fields = 0;
    let width = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const inner = selection.selectionSet ? ofSet(selection.selectionSet) : NO_SELECTION;
        if (!selection.name.value.startsWith('__')) depth = Math.max(depth, 1 + inner.depth);
        fields += 1 + inner.fields;
        width += 1;
      } else {
        const inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? ofSet(selection.selectionSet)
            : ofFragment(selection.name.value);
        depth = Math.max(depth, inner.depth);
        fields += inner.fields;
        width += inner.width;
      }
    }
    return { depth, fields, width };
  };
  const { depth, fields, width } = ofSet(operation.selectionSet);
  return { depth, fields, rootFields: width };
}

function limitError(message: string, details: Record<string, unknown>): GraphQLError {
  // The AppException as originalError is what formatError maps to BAD_USER_INPUT; Apollo would
  // otherwise file a validation rule's error under GRAPHQL_VALIDATION_FAILED.
  return new GraphQLError(message, {
    originalError: new AppException(AppErrorCode.BadUserInput, message, details),
    extensions: { code: AppErrorCode.BadUserInput, http: { status: 400 } },
  });
}

/** The errors of an operation that selects more than the limits allow. */
function shapeErrors(shape: OperationShape, limits: Omit<QueryLimits, 'maxCost' | 'quotas'>): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (shape.depth > limits.maxDepth) {
    errors.push(
      limitError(`query is nested ${shape.depth} levels deep; at most ${limits.maxDepth} are allowed`, {
        limit: 'depth',
        depth: shape.depth,
        maxDepth: limits.maxDepth,
      }),
    );
  }
  if (shape.rootFields > limits.maxRootFields) {
    errors.push(
      limitError(
        `query selects ${shape.rootFields} root fields (aliases included); at most ${limits.maxRootFields} are allowed`,
        { limit: 'rootFields', rootFields: shape.rootFields, maxRootFields: limits.maxRootFields },
      ),
    );
  }
  if (shape.fields > limits.maxFields) {
    const fields = Number.isFinite(shape.fields) ? shape.fields : null;
    errors.push(
      limitError(
        `query selects ${fields ?? 'too many'} fields (fragments counted each time they are spread); at most ${limits.maxFields} are allowed`,
        { limit: 'fields', fields, maxFields: limits.maxFields },
      ),
    );
  }
  return errors;
}

/**
 * Depth, field and root-field limits as a validation rule: they need only the document, and
 * refusing at validation keeps the cost computation (and execution) from ever walking a document
 * that expands to more fields than allowed.
 */
export function queryShapeRule(limits: Omit<QueryLimits, 'maxCost' | 'quotas'>): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      for (const error of shapeErrors(operationShape(operation, context.getDocument()), limits))
        context.reportError(error);
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
  quotas: CostQuotas,
): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [costEstimator(quotas)],
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message))
      return Infinity;
    // Bad variables or an unknown operation (GraphQLError): execution refuses them. Anything else
    // is a bug of ours, which must not let the operation through unchecked.
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}

/**
 * The cost limit's error, if the operation exceeds it. For transports that bypass Apollo's request
 * pipeline (graphql-ws: call it in `onSubscribe`, after validation with {@link queryShapeRule}).
 */
export function checkCost(
  limits: Pick<QueryLimits, 'maxCost' | 'quotas'>,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string | null,
): GraphQLError[] {
  const { maxCost } = limits;
  const cost = operationCost(schema, document, variables, operationName, limits.quotas);
  return cost !== null && cost > maxCost ? [costError(cost, maxCost, document, variables)] : [];
}

/** No list serves more than this many items at once (`previewPipeline`'s limit; pages hold 100). */
export const MAX_LIST_SIZE = 200;

function costError(
  cost: number,
  maxCost: number,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError {
  const asked = Number.isFinite(cost) ? `${cost}` : 'too many';
  // A size no list serves is what to fix, not the cost it adds up to.
  const oversized = sizeArguments(document, variables).find((a) => a.value > MAX_LIST_SIZE);
  const range = oversized
    ? `${oversized.name}: ${oversized.value} is more than a list serves (pages take 1 to 100 items); `
    : '';
  return limitError(
    `${range}query would cost ${asked} (objects resolved; list fields count \`first\` items each); at most ${maxCost} is allowed`,
    { limit: 'cost', cost: Number.isFinite(cost) ? cost : null, maxCost },
  );
}

/** Every size argument (`first`, `limit`) of a document with its value (variables resolved). */
function sizeArguments(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): { name: string; value: number }[] {
  const found: { name: string; value: number }[] = [];
  visit(document, {
    Argument(node) {
      if (!(SIZE_ARGUMENTS as readonly string[]).includes(node.name.value)) return;
      const value =
        node.value.kind === Kind.INT
          ? Number(node.value.value)
          : node.value.kind === Kind.VARIABLE
            ? variables?.[node.value.name.value]
            : null;
      if (typeof value === 'number') found.push({ name: node.name.value, value });
    },
  });
  return found;
}

/** Costs remembered per operation: a client's few operations, each with a few page sizes. */
const COSTS_PER_OPERATION = 64;
/** Longer keys (an operation with hundreds of Int variables) are not remembered: see `costKey`. */
const MAX_COST_KEY_LENGTH = 256;

/**
 * The variables an operation's cost can depend on, as a short cache key, or null when they should
 * not be remembered. Only Int and Boolean variables (not lists) can change a cost: a size argument
 * is an Int (`first: $n`) and `@skip`/`@include` take a Boolean. Leaving out the rest (a page
 * cursor, a pipeline spec in JSON of megabytes) is what lets a timeline's next pages reuse the first
 * page's cost, and keeps what an anonymous client can make this cache hold to a few bytes per entry.
 */
export function costKey(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): string | null {
  let key = '';
  for (const definition of operation.variableDefinitions ?? []) {
    const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    if (type.kind !== Kind.NAMED_TYPE || (type.name.value !== 'Int' && type.name.value !== 'Boolean'))
      continue;
    const value = variables?.[definition.variable.name.value] ?? null;
    // Anything else is a bad value, which execution refuses: not worth remembering.
    if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') return null;
    key += `${String(value)},`;
    if (key.length > MAX_COST_KEY_LENGTH) return null;
  }
  return key;
}

/**
 * Apollo: the shape limits go in `validationRules`; this plugin checks the variables' input
 * (input-checks.ts) and the cost once the operation and its variables are known, before anything
 * executes. Apollo keeps one parsed document per query text, and the cost is remembered per
 * operation node and {@link costKey}: computing it walked the whole query again on every request
 * (~5% of the API's CPU per timeline page).
 */
export function queryLimitsPlugin(limits: Pick<QueryLimits, 'maxCost' | 'quotas'>): ApolloServerPlugin {
  const { maxCost, quotas } = limits;
  const costs = new WeakMap<OperationDefinitionNode, Map<string, number | null>>();
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ schema, document, operation, request, operationName }) => {
        // One hook for both checks: Apollo runs the plugins' hooks concurrently.
        const invalid = variablesError(request.variables);
        if (invalid) throw invalid;
        const compute = () => operationCost(schema, document, request.variables, operationName, quotas);
        const key = operation ? costKey(operation, request.variables) : null;
        let cost: number | null | undefined;
        if (operation && key !== null) {
          let known = costs.get(operation);
          if (!known) costs.set(operation, (known = new Map()));
          cost = known.get(key);
          if (cost === undefined) {
            if (known.size >= COSTS_PER_OPERATION) known.clear();
            known.set(key, (cost = compute()));
          }
        } else cost = compute();
        if (cost !== null && cost > maxCost) throw costError(cost, maxCost, document, request.variables);
      },
    }),
  };
}
