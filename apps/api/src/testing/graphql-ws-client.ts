/** A graphql-ws client for tests and benchmarks: what any frontend's subscription link would do. */
import { createClient } from 'graphql-ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphqlResponse } from './graphql-client.js';

export interface WsClosed {
  code: number;
  reason: string;
}

export interface LiveClient {
  client: Client;
  /** Settles with the close code and reason the server sent, whenever the socket closes. */
  closed: Promise<WsClosed>;
  /** Resolves once the server acknowledged `connection_init` (rejects if it closed instead). */
  acknowledged: Promise<void>;
  dispose(): Promise<void>;
}

/** Connects to `<apiUrl>/graphql` over WebSocket, with `authorization: Bearer <token>` when given. */
export function liveClient(
  apiUrl: string,
  token?: string,
  connectionParams?: Record<string, unknown>,
): LiveClient {
  let onClosed!: (closed: WsClosed) => void;
  const closed = new Promise<WsClosed>((resolve) => (onClosed = resolve));
  let onAck!: () => void;
  const acknowledged = new Promise<void>((resolve, reject) => {
    onAck = resolve;
    void closed.then(({ code, reason }) =>
      reject(new Error(`closed before acknowledgement: ${code} ${reason}`)),
    );
  });
  acknowledged.catch(() => {}); // observed through `closed` by callers that expect a refusal
  const client = createClient({
    url: `${apiUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? (token ? { authorization: `Bearer ${token}` } : {}),
    lazy: false,
    retryAttempts: 0,
    // The default would retry forever on a refusal; a test wants to see it.
    shouldRetry: () => false,
    onNonLazyError: () => {},
    on: {
      connected: () => onAck(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return { client, closed, acknowledged, dispose: () => client.dispose() as Promise<void> };
}

/**
 * One subscription: results queue up until read with `next()`; `next()` rejects after `timeoutMs`
 * (a deadline for tests that wait on an event, not a timing assertion).
 */
export class LiveSubscription<T> {
  private readonly results: GraphqlResponse<T>[] = [];
  private readonly waiters: ((result: GraphqlResponse<T>) => void)[] = [];
  private completed = false;
  private readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => this.push(result as GraphqlResponse<T>),
        // A protocol `error` message (validation) or a socket failure: both end the operation.
        error: (error) => {
          const errors = Array.isArray(error)
            ? (error as GraphqlResponse<T>['errors'])
            : [{ message: error instanceof Error ? error.message : JSON.stringify(error) }];
          this.push({ errors });
          this.completed = true;
        },
        complete: () => void (this.completed = true),
      },
    );
  }

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Results received so far and not yet read. */
  get pending(): number {
    return this.results.length;
  }

  next(timeoutMs = 30_000): Promise<GraphqlResponse<T>> {
    const ready = this.results.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no subscription result within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (result: GraphqlResponse<T>) => {
        clearTimeout(timer);
        resolve(result);
      };
      this.waiters.push(waiter);
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private push(result: FormattedExecutionResult<T> | GraphqlResponse<T>): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(result as GraphqlResponse<T>);
    else this.results.push(result as GraphqlResponse<T>);
  }
}
