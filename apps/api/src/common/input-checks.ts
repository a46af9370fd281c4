// Checks on every input of a GraphQL operation, whatever its type or resolver: PostgreSQL text and
// jsonb cannot hold a NUL character (a write failed with a 500), and a value nested thousands of
// levels deep overflowed the stack of whatever walked it next. Refused as BAD_USER_INPUT before
// anything runs, for anonymous callers too.
import { GraphQLError } from 'graphql';
import type { ValidationRule } from 'graphql';
import { AppErrorCode, AppException } from './app.exception.js';

/** Deepest nesting of lists and objects accepted in an input value; a pipeline spec needs about 6. */
export const MAX_INPUT_DEPTH = 64;

/**
 * Most tokens a GraphQL document may have: validating one costs ~5 µs per token, before
 * authentication. The introspection query has a few hundred; large inputs (a pipeline spec, a
 * plugin's code) belong in variables, which are not tokens.
 */
export const MAX_DOCUMENT_TOKENS = 10_000;

const NUL = '\u0000';

function inputError(message: string, details: Record<string, unknown>): GraphQLError {
  // The AppException as originalError is what formatError maps to BAD_USER_INPUT.
  return new GraphQLError(message, {
    originalError: new AppException(AppErrorCode.BadUserInput, message, details),
    extensions: { code: AppErrorCode.BadUserInput, http: { status: 400 } },
  });
}

const nulError = (where: string) =>
  inputError(`${where}: text cannot contain NUL characters (\\u0000)`, { input: where });
const depthError = (where: string) =>
  inputError(`${where}: nested more than ${MAX_INPUT_DEPTH} levels deep`, {
    input: where,
    maxDepth: MAX_INPUT_DEPTH,
  });

interface Pending {
  value: unknown;
  depth: number;
  key: string | number;
  parent: Pending | null;
}

/** `$spec.stages[3].with.words[0]`: computed only for the value that is refused. */
function pathOf(entry: Pending): string {
  let path = '';
  for (let at: Pending | null = entry; at; at = at.parent)
    path = (typeof at.key === 'number' ? `[${at.key}]` : at.parent ? `.${at.key}` : `$${at.key}`) + path;
  return path;
}

/**
 * The first problem in a request's variables (a NUL in any string or key, nesting deeper than
 * {@link MAX_INPUT_DEPTH}), or null. Walks with its own stack, so no depth can overflow it.
 */
export function variablesError(variables: Record<string, unknown> | null | undefined): GraphQLError | null {
  if (!variables) return null;
  const pending: Pending[] = Object.entries(variables).map(([key, value]) => ({
    value,
    depth: 0,
    key,
    parent: null,
  }));
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const { value } = entry;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return nulError(pathOf(entry));
    } else if (typeof value === 'object' && value !== null) {
      if (entry.depth >= MAX_INPUT_DEPTH) return depthError(pathOf(entry));
      const depth = entry.depth + 1;
      if (Array.isArray(value)) {
        value.forEach((item: unknown, key) => pending.push({ value: item, depth, key, parent: entry }));
      } else {
        for (const [key, item] of Object.entries(value)) {
          const child = { value: item, depth, key, parent: entry };
          if (key.includes(NUL)) return nulError(pathOf(child));
          pending.push(child);
        }
      }
    }
  }
  return null;
}

/** The same checks on the values written in the document itself (`login(username: "a\u0000")`). */
export const inputLiteralRule: ValidationRule = (context) => {
  let depth = 0;
  let reported = false;
  const nest = {
    enter() {
      if (++depth > MAX_INPUT_DEPTH && !reported) {
        reported = true;
        context.reportError(depthError('a value in the query'));
      }
    },
    leave() {
      depth--;
    },
  };
  return {
    ListValue: nest,
    ObjectValue: nest,
    StringValue(node) {
      if (node.value.includes(NUL)) context.reportError(nulError('a string in the query'));
    },
  };
};
