export type Role = 'ADMIN' | 'MEMBER';

export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
  tokenId: string;
}

/** The GraphQL context: the HTTP request, or the graphql-ws connection's params. */
export interface GraphqlContext {
  req?: {
    headers: Record<string, string | string[] | undefined>;
    /** The client's address (Express, per TRUST_PROXY). */
    ip?: string;
  };
  connectionParams?: Record<string, unknown>;
  user?: AuthenticatedUser;
}
