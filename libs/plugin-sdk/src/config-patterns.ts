// `pattern` in a plugin's config schema is a regex its author wrote, run on a member's config in the
// API and the worker. zod's fromJSONSchema would compile it with V8's RegExp, where `^(a+)+$` takes
// seconds per character of config; so zod gets the schema without its patterns, and they are
// tested here on RE2 (compileUserRegex), walking the schema along the validated value.
//
// That walk is sound where a subschema applies to a value unconditionally (properties, items,
// additionalProperties, allOf, $ref). Where a subschema only decides between alternatives (anyOf,
// oneOf, not, if/then/else, contains, propertyNames) a pattern would change which one applies, so a
// pattern there is refused, and so is `patternProperties` (its keys are patterns).
import type { UserRegex } from '@tributary/core';
import { USER_REGEX_BUDGET, UserRegexError, compileUserRegex } from '@tributary/core';
import type { JsonSchema, JsonValue } from './plugin.js';

type Node = { [key: string]: JsonValue };

/** Keywords whose value is one subschema or a list of them, and whether they apply unconditionally. */
const SUBSCHEMAS: Record<string, boolean> = {
  items: true,
  prefixItems: true,
  additionalItems: true,
  additionalProperties: true,
  allOf: true,
  anyOf: false,
  oneOf: false,
  not: false,
  if: false,
  then: false,
  else: false,
  contains: false,
  propertyNames: false,
  unevaluatedItems: false,
  unevaluatedProperties: false,
  contentSchema: false,
};
/** Keywords whose value maps names to subschemas. `$defs` apply where they are referenced. */
const SUBSCHEMA_MAPS: Record<string, boolean> = {
  properties: true,
  $defs: true,
  definitions: true,
  dependentSchemas: false,
  patternProperties: false,
};

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A problem of the schema itself; `path` is inside `configSchema`. */
export class SchemaPatternError extends Error {
  override readonly name = 'SchemaPatternError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const at = (path: readonly (string | number)[]): string =>
  path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');

export interface SchemaPatterns {
  /** The schema for zod: the same, without `pattern`. */
  stripped: JsonSchema;
  /** The pattern problems of a value zod accepted: `path` (within the value) and message. */
  check(value: unknown): { path: (string | number)[]; message: string }[];
}

/**
 * Compiles the patterns of a config schema on RE2. Throws {@link SchemaPatternError} for a pattern
 * RE2 cannot run, one where it would decide between alternatives, or patterns too large together.
 */
export function schemaPatterns(schema: JsonSchema): SchemaPatterns {
  const compiled = new Map<Node, UserRegex>();
  let size = 0;
  const withRefs = new Set<string>();

  // Copies a subschema without its patterns, compiling them on the way.
  const strip = (node: JsonValue, path: (string | number)[], unconditional: boolean): JsonValue => {
    if (Array.isArray(node)) return node.map((sub, i) => strip(sub, [...path, i], unconditional));
    if (!isNode(node)) return node;
    const out: [string, JsonValue][] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern') {
        compilePattern(node, value, [...path, key], unconditional);
      } else if (key === 'patternProperties') {
        throw new SchemaPatternError(at([...path, key]), 'patternProperties is not supported');
      } else if (Object.hasOwn(SUBSCHEMAS, key)) {
        out.push([key, strip(value, [...path, key], unconditional && SUBSCHEMAS[key]!)]);
      } else if (Object.hasOwn(SUBSCHEMA_MAPS, key) && isNode(value)) {
        const applies = unconditional && SUBSCHEMA_MAPS[key]!;
        const map = Object.entries(value).map(([name, sub]) => [
          name,
          strip(sub, [...path, key, name], applies),
        ]);
        out.push([key, Object.fromEntries(map) as Node]);
      } else {
        if (key === '$ref' && typeof value === 'string' && !unconditional) withRefs.add(value);
        out.push([key, value]);
      }
    }
    // fromEntries: a key named `__proto__` stays an ordinary key.
    return Object.fromEntries(out) as Node;
  };

  const compilePattern = (
    node: Node,
    source: JsonValue,
    path: (string | number)[],
    unconditional: boolean,
  ): void => {
    const where = at(path);
    if (typeof source !== 'string') throw new SchemaPatternError(where, 'expected a regular expression');
    if (!unconditional)
      throw new SchemaPatternError(
        where,
        'pattern is supported only where a schema always applies (properties, items, additionalProperties, allOf, $defs), not under anyOf, oneOf, not, if/then/else, contains or propertyNames',
      );
    let regex: UserRegex;
    try {
      regex = compileUserRegex(source);
    } catch (error) {
      if (error instanceof UserRegexError) throw new SchemaPatternError(where, error.message);
      throw error;
    }
    size += regex.size;
    if (size > USER_REGEX_BUDGET)
      throw new SchemaPatternError(
        where,
        `regular expressions too large: the patterns up to this one compile to ${size} RE2 instructions, at most ${USER_REGEX_BUDGET} in all`,
      );
    compiled.set(node, regex);
  };

  const stripped = strip(schema, [], true) as JsonSchema;
  // A definition with a pattern, referenced where a schema only decides between alternatives.
  for (const ref of withRefs) {
    const target = resolve(schema, ref);
    if (target !== undefined && containsPattern(schema, target, new Set()))
      throw new SchemaPatternError(
        '',
        `${ref} holds a pattern and is referenced under anyOf, oneOf, not, if/then/else, contains or propertyNames`,
      );
  }

  const check = (value: unknown): { path: (string | number)[]; message: string }[] => {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const walk = (node: JsonValue | undefined, v: unknown, path: (string | number)[], refs: Set<string>) => {
      if (!isNode(node)) return;
      const ref = node['$ref'];
      if (typeof ref === 'string' && !refs.has(ref))
        walk(resolve(schema, ref), v, path, new Set(refs).add(ref));
      const regex = compiled.get(node);
      if (regex !== undefined && typeof v === 'string' && !regex.test(v))
        problems.push({ path, message: `Invalid string: must match pattern /${regex.source}/` });
      const allOf = node['allOf'];
      if (Array.isArray(allOf)) for (const sub of allOf) walk(sub, v, path, refs);
      if (isNode(v)) {
        const properties = isNode(node['properties']) ? node['properties'] : {};
        for (const [key, item] of Object.entries(v)) {
          const sub = Object.hasOwn(properties, key) ? properties[key] : node['additionalProperties'];
          walk(sub, item, [...path, key], new Set());
        }
      }
      if (Array.isArray(v)) {
        const items = node['items'];
        const prefix = node['prefixItems'];
        const tuple = Array.isArray(prefix) ? prefix : Array.isArray(items) ? items : [];
        const rest = Array.isArray(prefix) ? items : Array.isArray(items) ? node['additionalItems'] : items;
        v.forEach((item, i) => walk(i < tuple.length ? tuple[i] : rest, item, [...path, i], new Set()));
      }
    };
    if (compiled.size > 0) walk(schema, value, [], new Set());
    return problems;
  };

  return { stripped, check };
}

/** The subschema a local `$ref` (`#`, `#/$defs/name`, `#/definitions/name`) points to. */
function resolve(root: JsonSchema, ref: string): JsonValue | undefined {
  if (ref === '#') return root;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (match === null) return undefined;
  const defs = root[match[1]!];
  const name = match[2]!.replace(/~1/g, '/').replace(/~0/g, '~');
  return isNode(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
}

/** Whether `node` or a subschema of it, through references too, has a pattern. */
function containsPattern(root: JsonSchema, node: JsonValue | undefined, seen: Set<string>): boolean {
  if (Array.isArray(node)) return node.some((sub) => containsPattern(root, sub, seen));
  if (!isNode(node)) return false;
  if (node['pattern'] !== undefined) return true;
  const ref = node['$ref'];
  if (typeof ref === 'string' && !seen.has(ref)) {
    seen.add(ref);
    if (containsPattern(root, resolve(root, ref), seen)) return true;
  }
  return Object.entries(node).some(([key, value]) => {
    if (Object.hasOwn(SUBSCHEMAS, key)) return containsPattern(root, value, seen);
    if (Object.hasOwn(SUBSCHEMA_MAPS, key) && key !== '$defs' && key !== 'definitions' && isNode(value))
      return Object.values(value).some((sub) => containsPattern(root, sub, seen));
    return false;
  });
}
