// The smallest GraphQL client: POST /graphql with the bearer token, errors thrown with their code.

/** A GraphQL error as the API reports it; `code` is `extensions.code` (UNAUTHENTICATED, NOT_FOUND…). */
export class GraphqlError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'GraphqlError';
    this.code = code;
  }
}

/** Runs one operation; resolves to `data`, rejects with the first error. */
export async function graphql(query, variables = {}, token = null) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphqlError(`The server answered ${response.status} without JSON`, 'BAD_RESPONSE');
  }
  const error = body.errors?.[0];
  if (error) throw new GraphqlError(error.message, error.extensions?.code ?? 'UNKNOWN');
  return body.data;
}
