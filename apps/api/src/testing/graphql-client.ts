/** A minimal GraphQL-over-HTTP client for tests: what any frontend would send. */
export interface GraphqlResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: string[] }[];
}

export function graphqlClient(apiUrl: string) {
  return async function gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<GraphqlResponse<T>> {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResponse<T>;
  };
}

/** The error code of the first error, or null: `expect(codeOf(res)).toBe('FORBIDDEN')`. */
export function codeOf(response: GraphqlResponse<unknown>): string | null {
  return response.errors?.[0]?.extensions?.code ?? null;
}
