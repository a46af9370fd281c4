// One linked Bluesky account's app-password session: login, resume from stored tokens, refresh.
// Every token change goes to `onSessionUpdate` so the caller can persist it (encrypted); a session
// the server no longer accepts calls `onSessionExpired` and surfaces as ConnectorError(AUTH).
import { AsyncLocalStorage } from 'node:async_hooks';
import { AtpAgent, CredentialSession } from '@atproto/api';
import type { AtpSessionData, AtpSessionEvent } from '@atproto/api';
import {
  ConnectorError,
  ConnectorErrorCode,
  assertSafeInstanceUrl,
  sharedGuardedDispatcher,
} from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import { createPoliteFetch } from './polite-fetch.js';
import type { PoliteFetchOptions } from './polite-fetch.js';
import { toConnectorError } from './to-connector-error.js';

export const DEFAULT_BLUESKY_SERVICE = 'https://bsky.social';

/** What to store (encrypted) to resume a session without the app password. */
export interface BlueskySessionData {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
  /** The PDS the session was created on (login may go through an entryway). */
  service: string;
  active: boolean;
  status?: string;
}

export interface BlueskySessionOptions {
  /** Defaults to https://bsky.social. */
  service?: string;
  /**
   * The servers the session may reach: public addresses over https only, except `allowHosts`
   * (assertSafeInstanceUrl). Checked for the service above and again at every connection, so also
   * for the PDS an account's DID document names, which whoever controls the DID chooses.
   */
  hostPolicy?: InstanceUrlPolicy;
  /** Called with the new tokens after login and every refresh; persist them. */
  onSessionUpdate?: (session: BlueskySessionData) => void | Promise<void>;
  /** Called once when the server rejects the session (revoked, expired, account gone). */
  onSessionExpired?: (reason: string) => void | Promise<void>;
  rateLimit?: PoliteFetchOptions;
}

/** The service's origin, once it is known to be a server the policy lets the session reach. */
async function checkedService(service: string | undefined, policy: InstanceUrlPolicy): Promise<URL> {
  const raw = service?.trim() || DEFAULT_BLUESKY_SERVICE;
  try {
    return new URL(await assertSafeInstanceUrl(raw, policy));
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    throw new ConnectorError(
      ConnectorErrorCode.BadInput,
      `Bluesky service "${raw.slice(0, 100)}": ${err.message}`,
      null,
      {
        cause: err,
      },
    );
  }
}

/** Node's fetch through the policy's guarded dispatcher (`dispatcher` is Node's fetch extension). */
function guardedFetch(policy: InstanceUrlPolicy): typeof globalThis.fetch {
  const dispatcher = sharedGuardedDispatcher(policy);
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
}

export class BlueskySession {
  readonly agent: AtpAgent;
  /** The origins of the servers that answered, per `callAnswered` (its requests run in this context). */
  private readonly answering = new AsyncLocalStorage<Set<string>>();
  private expired: string | null = null;
  /** Session handlers run in order on this chain; it never rejects (see `settle`). */
  private pending: Promise<void> = Promise.resolve();
  private persistError: unknown = null;

  private constructor(
    private readonly service: URL,
    private readonly options: BlueskySessionOptions,
  ) {
    const guarded = guardedFetch(options.hostPolicy ?? {});
    const recorded: typeof globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      this.answering.getStore()?.add(new URL(url).origin);
      return guarded(input, init);
    };
    const fetch = createPoliteFetch({ fetch: recorded, ...options.rateLimit });
    const credentials = new CredentialSession(service, fetch, (event, data) => this.onEvent(event, data));
    this.agent = new AtpAgent(credentials);
  }

  /** Logs in with a handle/DID/email and an app password. Wrong credentials → ConnectorError(AUTH). */
  static async login(
    options: BlueskySessionOptions & { identifier: string; password: string },
  ): Promise<BlueskySession> {
    const identifier = options.identifier.trim().replace(/^@/, '');
    if (!identifier || !options.password) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        'A Bluesky identifier and app password are required',
      );
    }
    const session = new BlueskySession(
      await checkedService(options.service, options.hostPolicy ?? {}),
      options,
    );
    try {
      await session.agent.login({ identifier, password: options.password });
    } catch (err) {
      const mapped = toConnectorError(err, 'createSession');
      if (mapped.code === ConnectorErrorCode.Auth) {
        throw new ConnectorError(
          ConnectorErrorCode.Auth,
          `Bluesky did not accept the identifier "${identifier}" with this app password (${mapped.message})`,
          null,
          { cause: err },
        );
      }
      throw mapped;
    }
    await session.settle();
    return session;
  }

  /**
   * Resumes stored tokens. @atproto/api refreshes on resume, which also proves the session is
   * still valid: a revoked one fails here with ConnectorError(AUTH).
   */
  static async resume(
    options: BlueskySessionOptions & { session: BlueskySessionData },
  ): Promise<BlueskySession> {
    const { session: data } = options;
    const service = await checkedService(options.service ?? data.service, options.hostPolicy ?? {});
    const session = new BlueskySession(service, options);
    try {
      await session.agent.resumeSession({
        did: data.did,
        handle: data.handle,
        accessJwt: data.accessJwt,
        refreshJwt: data.refreshJwt,
        active: data.active,
        status: data.status,
      });
    } catch (err) {
      throw await session.fail(err, 'resumeSession');
    }
    await session.settle();
    return session;
  }

  get did(): string {
    const did = this.agent.session?.did;
    if (!did) throw this.expiredError();
    return did;
  }

  get data(): BlueskySessionData | null {
    const s = this.agent.session;
    return s ? this.toData(s) : null;
  }

  /** Refreshes the tokens now (e.g. from a periodic job), persisting the new ones. */
  async refresh(): Promise<void> {
    if (!this.agent.session) throw this.expiredError();
    try {
      await this.agent.sessionManager.refreshSession();
    } catch (err) {
      throw await this.fail(err, 'refreshSession');
    }
    await this.settle();
  }

  /** Runs an API call, mapping failures to ConnectorError and noticing a dead session. */
  async call<T>(what: string, fn: (agent: AtpAgent) => Promise<T>): Promise<T> {
    if (this.expired !== null || !this.agent.session) throw this.expiredError();
    let result: T;
    try {
      result = await fn(this.agent);
    } catch (err) {
      throw await this.fail(err, what);
    }
    // A refresh may have happened inside the call; its tokens must have been persisted.
    await this.settle();
    return result;
  }

  /**
   * `call`, also telling which servers answered it (origins): whose word the answer is. Not the
   * stored service: the account's DID document names the PDS, and whoever controls the DID picks it.
   */
  async callAnswered<T>(
    what: string,
    fn: (agent: AtpAgent) => Promise<T>,
  ): Promise<{ value: T; servedBy: string[] }> {
    const servedBy = new Set<string>();
    const value = await this.answering.run(servedBy, () => this.call(what, fn));
    return { value, servedBy: [...servedBy] };
  }

  /** Waits for session handlers and rethrows a failure of the caller's `onSessionUpdate`. */
  private async settle(): Promise<void> {
    await this.pending;
    const err = this.persistError;
    this.persistError = null;
    if (err !== null) throw err;
  }

  private async fail(err: unknown, what: string): Promise<ConnectorError> {
    const mapped = toConnectorError(err, what);
    if (mapped.code === ConnectorErrorCode.Auth) await this.markExpired(mapped.message);
    await this.pending;
    return mapped;
  }

  private expiredError(): ConnectorError {
    return new ConnectorError(
      ConnectorErrorCode.Auth,
      `Bluesky session is no longer valid${this.expired ? ` (${this.expired})` : ''}; link the account again`,
    );
  }

  private async markExpired(reason: string): Promise<void> {
    if (this.expired !== null) return;
    this.expired = reason;
    try {
      await this.options.onSessionExpired?.(reason);
    } catch (err) {
      this.persistError ??= err;
    }
  }

  private toData(s: AtpSessionData): BlueskySessionData {
    return {
      did: s.did,
      handle: s.handle,
      accessJwt: s.accessJwt,
      refreshJwt: s.refreshJwt,
      service: this.service.toString(),
      active: s.active,
      ...(s.status ? { status: s.status } : {}),
    };
  }

  // @atproto/api calls this synchronously; chain the caller's async handlers so none is lost and
  // login/resume/refresh return only after the new tokens were persisted.
  private onEvent(event: AtpSessionEvent, data: AtpSessionData | undefined): void {
    const run = async (): Promise<void> => {
      if ((event === 'create' || event === 'update') && data)
        await this.options.onSessionUpdate?.(this.toData(data));
      if (event === 'expired') await this.markExpired('the server rejected the refresh token');
    };
    this.pending = this.pending.then(run).catch((err: unknown) => {
      this.persistError ??= err;
    });
  }
}
