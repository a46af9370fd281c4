import { GraphQLError, Kind } from 'graphql';
import type { SelectionSetNode, ValidationRule } from 'graphql';
import { AppErrorCode, AppException } from '../common/app.exception.js';

/** Mutations that check a password (each costs a scrypt hash) or an invite. */
export const CREDENTIAL_MUTATIONS: ReadonlySet<string> = new Set(['login', 'signUp', 'deleteMyAccount']);

/**
 * Queries whose answer is as large as a member's data (`exportMyData`: every pipeline version,
 * plugin, action…), beyond what the cost of objects can state.
 */
export const WHOLE_DATA_QUERIES: ReadonlySet<string> = new Set(['exportMyData']);

/**
 * A credential mutation must be the only field of its operation: 500 aliased logins in one request
 * were 500 password guesses past any per-request limit. So must a query of a member's whole data:
 * 20 aliases were 20 copies of it in one answer. (Spreading the same field twice is merged by
 * GraphQL into one, and runs once.)
 */
export const credentialMutationRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    const alone =
      operation.operation === 'mutation'
        ? CREDENTIAL_MUTATIONS
        : operation.operation === 'query'
          ? WHOLE_DATA_QUERIES
          : null;
    if (alone === null) return;
    const keys = new Set<string>();
    let credential: string | undefined;
    const seen = new Set<string>();
    // The root fields' response keys, through fragments (each read once: a repeat adds no key).
    const collect = (set: SelectionSetNode) => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          keys.add(selection.alias?.value ?? selection.name.value);
          if (alone.has(selection.name.value)) credential ??= selection.name.value;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          collect(selection.selectionSet);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) collect(fragment.selectionSet);
        }
      }
    };
    collect(operation.selectionSet);
    if (credential && keys.size > 1) {
      const others = operation.operation === 'mutation' ? 'no other mutations' : 'no other fields';
      const message = `${credential} must be the only field of its operation (no aliases, ${others})`;
      context.reportError(
        new GraphQLError(message, {
          nodes: operation,
          originalError: new AppException(AppErrorCode.BadUserInput, message),
          extensions: { code: AppErrorCode.BadUserInput, http: { status: 400 } },
        }),
      );
    }
  },
});
