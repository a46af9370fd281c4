export type Role = 'ADMIN' | 'MEMBER';

export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
  tokenId: string;
  /** OAuth scopes of a token a Mastodon app got (apps/api mastodon-api); absent or null: everything. */
  scopes?: string[] | null;
  /** The Mastodon app the token was issued to (OAuthClient.id); absent or null for a GraphQL login. */
  oauthClientId?: string | null;
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
