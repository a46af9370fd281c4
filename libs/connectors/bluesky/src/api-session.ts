import type { Agent } from '@atproto/api';

/**
 * What the connector needs of a linked account's session, however it was made: an app-password
 * session (BlueskySession) or an atproto OAuth grant (BlueskyOAuthSession). Ingest, actions and
 * feed publishing go through this alone, so they work the same on both.
 */
export interface BlueskyApiSession {
  /** The account's DID; throws ConnectorError(AUTH) once the session is known to be dead. */
  readonly did: string;
  /** The agent calls go through (its fetch handler adds the credentials). */
  readonly agent: Agent;
  /** The origin calls go to: the account's PDS. */
  readonly callOrigin: string;
  /** Runs an API call, mapping failures to ConnectorError; a rejected session also reports itself. */
  call<T>(what: string, fn: (agent: Agent) => Promise<T>): Promise<T>;
  /** `call`, also telling which servers answered it (origins): whose word the answer is. */
  callAnswered<T>(what: string, fn: (agent: Agent) => Promise<T>): Promise<{ value: T; servedBy: string[] }>;
}
