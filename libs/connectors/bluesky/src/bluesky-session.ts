// One linked Bluesky account's app-password session. Calls carry its access token to the account's
// PDS (named by its DID document); the tokens are refreshed only when the access token nears expiry
// or the server calls it expired, and then once for every process that shares the session: under
// the store's lock the stored session is read first, so tokens another process refreshed meanwhile
// are taken instead of refreshed again (refresh tokens rotate). A session the server no longer
// accepts calls `onSessionExpired` and surfaces as ConnectorError(AUTH).
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, XRPCError } from '@atproto/api';
import {
  ConnectorError,
  ConnectorErrorCode,
  assertSafeInstanceUrl,
  sharedGuardedDispatcher,
} from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import type { BlueskyApiSession } from './api-session.js';
import { createPoliteFetch } from './polite-fetch.js';
import type { PoliteFetchOptions } from './polite-fetch.js';
import { toConnectorError } from './to-connector-error.js';

export const DEFAULT_BLUESKY_SERVICE = 'https://bsky.social';

/**
 * Refresh when the access token has less than this left: app-password access tokens live two
 * hours, so one refresh per account about every 1 h 55 min.
 */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** What to store (encrypted) to use the session without the app password. */
export interface BlueskySessionData {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
  /** The server the session was created on, which refreshes it (login may go through an entryway). */
  service: string;
  /**
   * The account's PDS, where calls go: from its DID document as of the last login or refresh,
   * which is when it is read again. Absent in sessions stored before it was kept: the first use
   * refreshes them.
   */
  pdsUrl?: string;
  /**
   * When the access token stops working by this deployment's clock: its lifetime (exp − iat of the
   * JWT) counted from when it was received, so a clock that differs from the server's does not
   * make every token look expired. Absent in older stored sessions: the JWT's exp then.
   */
  accessExpiresAt?: number;
  active: boolean;
  status?: string;
}

/**
 * Where a session lives between the processes that share it (the caller seals it at rest). Every
 * write of a session happens inside `lock`, after `load`, so the stored one is always the newest.
 */
export interface BlueskySessionStore {
  /** The session as stored now, or null when the account is gone. */
  load(): Promise<BlueskySessionData | null>;
  save(session: BlueskySessionData): Promise<void>;
  /** Runs `fn` while no other process runs `fn` for this session. */
  lock<T>(fn: () => Promise<T>): Promise<T>;
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
  /** Shares the session's tokens with other processes; without it they live in this object only. */
  store?: BlueskySessionStore;
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

/** Node's fetch through the policy's guarded dispatcher, kept to the server's rate limits. */
function sessionFetch(options: BlueskySessionOptions): typeof globalThis.fetch {
  const dispatcher = sharedGuardedDispatcher(options.hostPolicy ?? {});
  // `dispatcher` is Node's fetch extension.
  const guarded: typeof globalThis.fetch = (input, init) =>
    fetch(input, { ...init, dispatcher } as RequestInit);
  return createPoliteFetch({ fetch: guarded, ...options.rateLimit });
}

/**
 * When an access token received at `receivedAt` (ms, local clock) expires: its lifetime from the
 * JWT's `exp` − `iat` after `receivedAt`, or its `exp` alone; 0 (expired) when neither can be read.
 */
export function tokenExpiresAt(jwt: string, receivedAt?: number): number {
  let claims: { exp?: unknown; iat?: unknown };
  try {
    claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 0;
  }
  const { exp, iat } = claims;
  if (typeof exp !== 'number') return 0;
  if (receivedAt === undefined || typeof iat !== 'number') return exp * 1000;
  return receivedAt + (exp - iat) * 1000;
}

/** Whether calls may go on with these tokens, or it is time to refresh them. */
function isFresh(session: BlueskySessionData): boolean {
  const expiresAt = session.accessExpiresAt ?? tokenExpiresAt(session.accessJwt);
  return Boolean(session.pdsUrl) && expiresAt - Date.now() > REFRESH_MARGIN_MS;
}

/** The PDS a DID document names (`#atproto_pds`), if it names a usable one. */
function pdsEndpoint(didDoc: unknown, did: string): string | undefined {
  const services = (didDoc as { service?: unknown } | null)?.service;
  if (!Array.isArray(services)) return undefined;
  for (const entry of services as { id?: unknown; type?: unknown; serviceEndpoint?: unknown }[]) {
    if (entry?.id !== '#atproto_pds' && entry?.id !== `${did}#atproto_pds`) continue;
    if (entry.type !== 'AtprotoPersonalDataServer' || typeof entry.serviceEndpoint !== 'string') continue;
    try {
      const url = new URL(entry.serviceEndpoint);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
    } catch {
      // not a URL: ignored, like a document without one
    }
  }
  return undefined;
}

/** Whether a response says the access token is no longer accepted (so a refresh may help). */
async function isExpiredToken(res: Response): Promise<boolean> {
  if (res.status !== 400 && res.status !== 401) return false;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown } | null;
  return body?.error === 'ExpiredToken' || body?.error === 'InvalidToken';
}

export class BlueskySession implements BlueskyApiSession {
  readonly agent: Agent;
  private current: BlueskySessionData;
  private expired: string | null = null;
  /** The refresh in progress in this process; concurrent callers wait for it. */
  private refreshing: Promise<void> | null = null;
  private readonly store: BlueskySessionStore;
  /** The origins of the servers that answered, per `callAnswered` (its requests run in this context). */
  private readonly answering = new AsyncLocalStorage<Set<string>>();
  private readonly fetch: typeof globalThis.fetch;

  private constructor(
    data: BlueskySessionData,
    private readonly options: BlueskySessionOptions,
    fetch: typeof globalThis.fetch,
  ) {
    this.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      this.answering.getStore()?.add(new URL(url).origin);
      return fetch(input, init);
    };
    this.current = data;
    this.store = options.store ?? {
      load: () => Promise.resolve(this.current),
      save: () => Promise.resolve(),
      lock: (fn) => fn(),
    };
    // The agent's session manager: every call goes through `send`, which knows the tokens.
    this.agent = new Agent({ did: data.did, fetchHandler: (url, init) => this.send(url, init) });
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
    const service = await checkedService(options.service, options.hostPolicy ?? {});
    const fetch = sessionFetch(options);
    let data: BlueskySessionData;
    try {
      const res = await new Agent({ service, fetch }).com.atproto.server.createSession({
        identifier,
        password: options.password,
      });
      const { did, handle, accessJwt, refreshJwt, active, status, didDoc } = res.data;
      data = {
        did,
        handle,
        accessJwt,
        refreshJwt,
        service: service.toString(),
        pdsUrl: pdsEndpoint(didDoc, did) ?? service.toString(),
        accessExpiresAt: tokenExpiresAt(accessJwt, Date.now()),
        active: active ?? true,
        ...(status ? { status } : {}),
      };
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
    return new BlueskySession(data, options, fetch);
  }

  /**
   * A session from stored tokens, without a request: the first call refreshes them only if the
   * access token is about to expire. A revoked app password shows at that refresh (access tokens
   * are not checked against revocation by the PDS), as ConnectorError(AUTH).
   */
  static async restore(
    options: BlueskySessionOptions & { session: BlueskySessionData },
  ): Promise<BlueskySession> {
    const { session: data } = options;
    const service = await checkedService(options.service ?? data.service, options.hostPolicy ?? {});
    return new BlueskySession({ ...data, service: service.toString() }, options, sessionFetch(options));
  }

  /**
   * Ends the stored session at its server (com.atproto.server.deleteSession with the refresh
   * token): the server forgets the refresh token, so the tokens are useless once the access token
   * expires. The app password itself stays until the member deletes it in their settings.
   */
  static async signOut(options: BlueskySessionOptions & { session: BlueskySessionData }): Promise<void> {
    const { session: data } = options;
    const service = await checkedService(options.service ?? data.service, options.hostPolicy ?? {});
    try {
      await new Agent({ service, fetch: sessionFetch(options) }).com.atproto.server.deleteSession(undefined, {
        headers: { authorization: `Bearer ${data.refreshJwt}` },
      });
    } catch (err) {
      throw toConnectorError(err, 'deleteSession');
    }
  }

  get did(): string {
    if (this.expired !== null) throw this.expiredError();
    return this.current.did;
  }

  get data(): BlueskySessionData | null {
    return this.expired === null ? this.current : null;
  }

  /**
   * Takes tokens stored since this session was made (another process refreshed them, or the
   * member linked the account again). Stored ones older than ours do no harm: before any refresh
   * the store is read again under its lock.
   */
  adopt(stored: BlueskySessionData): void {
    const { current } = this;
    if (stored.did !== current.did) return;
    if (stored.accessJwt === current.accessJwt && stored.refreshJwt === current.refreshJwt) return;
    this.current = stored;
    this.expired = null;
  }

  /** Refreshes the tokens now unless another process just did, storing the new ones. */
  async refresh(): Promise<void> {
    if (this.expired !== null) throw this.expiredError();
    await this.refreshShared(this.current.accessJwt);
  }

  /** Runs an API call, mapping failures to ConnectorError and noticing a dead session. */
  async call<T>(what: string, fn: (agent: Agent) => Promise<T>): Promise<T> {
    if (this.expired !== null) throw this.expiredError();
    try {
      await this.usable();
      return await fn(this.agent);
    } catch (err) {
      throw await this.fail(err, what);
    }
  }

  /**
   * `call`, also telling which servers answered it (origins): whose word the answer is. Not the
   * stored service: the account's DID document names the PDS, and whoever controls the DID picks it.
   */
  async callAnswered<T>(
    what: string,
    fn: (agent: Agent) => Promise<T>,
  ): Promise<{ value: T; servedBy: string[] }> {
    const servedBy = new Set<string>();
    const value = await this.answering.run(servedBy, () => this.call(what, fn));
    return { value, servedBy: [...servedBy] };
  }

  /** The origin calls go to: the account's PDS once known, else the service it logged in to. */
  get callOrigin(): string {
    return new URL(this.current.pdsUrl ?? this.current.service).origin;
  }

  /** The tokens to call with: refreshed first when the access token is about to expire. */
  private async usable(): Promise<BlueskySessionData> {
    if (this.expired !== null) throw this.expiredError();
    const session = this.current;
    if (isFresh(session)) return session;
    await this.refreshShared(session.accessJwt);
    return this.current;
  }

  /** The agent's fetch handler: the PDS, the access token, and one retry after a refresh. */
  private async send(path: string, init: RequestInit): Promise<Response> {
    const session = await this.usable();
    const request = (s: BlueskySessionData): Request => {
      const req = new Request(new URL(path, s.pdsUrl ?? s.service), init);
      req.headers.set('authorization', `Bearer ${s.accessJwt}`);
      return req;
    };
    const res = await this.fetch(request(session));
    // A stream body was consumed and cannot be sent again.
    if (init.body instanceof ReadableStream || !(await isExpiredToken(res))) return res;
    // Expired earlier than its `exp` said (clock skew, a new signing key): refresh once, retry once.
    await this.refreshShared(session.accessJwt);
    if (this.current.accessJwt === session.accessJwt) return res;
    await res.body?.cancel();
    return this.fetch(request(this.current));
  }

  /** One refresh at a time in this process, and across processes under the store's lock. */
  private refreshShared(stale: string): Promise<void> {
    this.refreshing ??= this.fromStore('locked', () =>
      this.store.lock(() => this.refreshLocked(stale)),
    ).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshLocked(stale: string): Promise<void> {
    const stored = await this.fromStore('read', () => this.store.load());
    if (stored === null || stored.did !== this.current.did) {
      throw await this.fail(
        new ConnectorError(ConnectorErrorCode.Auth, 'the account is no longer linked'),
        'refreshSession',
      );
    }
    if (stored.accessJwt !== stale && isFresh(stored)) {
      this.current = stored; // another process refreshed meanwhile
      this.expired = null;
      return;
    }
    // The stored refresh token is the newest one: an older one may have been rotated away.
    let next: BlueskySessionData;
    try {
      next = await this.refreshTokens(stored);
    } catch (err) {
      throw await this.fail(err, 'refreshSession');
    }
    this.current = next;
    this.expired = null;
    await this.fromStore('stored', () => this.store.save(next));
  }

  /** The store's failures (database, Redis) as what they are for a caller: try again later. */
  private async fromStore<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `the stored Bluesky session could not be ${what}: ${err instanceof Error ? err.message : String(err)}`,
        null,
        { cause: err },
      );
    }
  }

  private async refreshTokens(stored: BlueskySessionData): Promise<BlueskySessionData> {
    const server = new Agent({ service: stored.service, fetch: this.fetch }).com.atproto.server;
    const { data } = await server.refreshSession(undefined, {
      headers: { authorization: `Bearer ${stored.refreshJwt}` },
    });
    const receivedAt = Date.now();
    if (data.did !== stored.did) {
      throw new ConnectorError(ConnectorErrorCode.Auth, 'the refresh answered for another account');
    }
    // The DID document is read again at every refresh; a server that leaves it out is asked once.
    let pdsUrl = pdsEndpoint(data.didDoc, data.did);
    if (!pdsUrl) {
      const info = await server.getSession(undefined, {
        headers: { authorization: `Bearer ${data.accessJwt}` },
      });
      pdsUrl = pdsEndpoint(info.data.didDoc, data.did);
    }
    return {
      did: data.did,
      handle: data.handle || stored.handle,
      accessJwt: data.accessJwt,
      refreshJwt: data.refreshJwt,
      service: stored.service,
      pdsUrl: pdsUrl ?? stored.pdsUrl ?? stored.service,
      accessExpiresAt: tokenExpiresAt(data.accessJwt, receivedAt),
      active: data.active ?? stored.active,
      ...(data.status ? { status: data.status } : {}),
    };
  }

  private async fail(err: unknown, what: string): Promise<ConnectorError> {
    // A failed refresh inside the agent's fetch reaches us wrapped by @atproto/xrpc.
    const cause = err instanceof XRPCError && err.cause instanceof ConnectorError ? err.cause : err;
    const mapped = toConnectorError(cause, what);
    if (mapped.code === ConnectorErrorCode.Auth) await this.markExpired(mapped.message);
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
    await this.options.onSessionExpired?.(reason);
  }
}
