// The one way the app talks to the API: typed operations (generated from the committed schema, see
// ../gql) sent to this origin's /graphql with the member's token. Errors keep their extensions.code.
import type { TypedDocumentString } from '../gql/graphql';
import { session } from './session';

/** A GraphQL error as the API reports it; `code` is `extensions.code` (UNAUTHENTICATED, NOT_FOUND…). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs one query or mutation; resolves to `data`, rejects with the first error as an {@link ApiError}. */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const token = session.token();
  let response: globalThis.Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('The server cannot be reached. Check your connection and try again.', 'NETWORK');
  }
  let body: Response<TResult>;
  try {
    body = (await response.json()) as Response<TResult>;
  } catch {
    throw new ApiError(`The server answered ${response.status} without JSON`, 'BAD_RESPONSE');
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? 'UNKNOWN';
    // A revoked or expired token: back to the login screen, whatever screen asked.
    if (code === 'UNAUTHENTICATED' && token) session.clear();
    throw new ApiError(error.message, code);
  }
  return body.data as TResult;
}

/** The message to show for a failure of any kind. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
