// Subscriptions over graphql-ws on this origin's /graphql, authenticated with the member's token in
// connection_init (as the API expects). One socket per token, shared by every subscription.
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import type { TypedDocumentString } from '../gql/graphql';
import { session } from './session';

let client: Client | null = null;
let clientToken: string | null = null;

function liveClient(token: string): Client {
  if (client === null || clientToken !== token) {
    void client?.dispose();
    clientToken = token;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    client = createClient({
      url,
      connectionParams: { authorization: `Bearer ${token}` },
      // Keep trying after the server restarts or the laptop wakes up.
      retryAttempts: Infinity,
      shouldRetry: () => true,
    });
  }
  return client;
}

/** Subscribes while logged in; returns the function that stops it. */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
): () => void {
  const token = session.token();
  if (token === null) return () => {};
  return liveClient(token).subscribe<TResult>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) onData(result.data);
      },
      error: () => {},
      complete: () => {},
    },
  );
}
