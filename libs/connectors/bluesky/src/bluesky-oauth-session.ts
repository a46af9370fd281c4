// One linked Bluesky account's atproto OAuth grant, behind the interface the connector uses for an
// app-password session too. @atproto/oauth-client-node does the protocol: DPoP on every call, a
// refresh when the access token nears expiry (under the cross-process lock its client was given,
// reading the stored session inside it, so a refresh token is used once), and deleting a stored
// session the server no longer honours. This class maps failures and notices a grant that is gone.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, XRPCError } from '@atproto/api';
import { isExpectedSessionError } from '@atproto/oauth-client-node';
import type { OAuthSession } from '@atproto/oauth-client-node';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { BlueskyApiSession } from './api-session.js';
import { toConnectorError } from './to-connector-error.js';

export interface BlueskyOAuthSessionOptions {
  /** Called when a call finds the grant gone (revoked, expired, refused): the member must link again. */
  onSessionExpired?: (reason: string) => void | Promise<void>;
}

export class BlueskyOAuthSession implements BlueskyApiSession {
  readonly agent: Agent;
  /** The origins of the servers that answered, per `callAnswered` (its requests run in this context). */
  private readonly answering = new AsyncLocalStorage<Set<string>>();

  private constructor(
    private readonly oauth: OAuthSession,
    readonly callOrigin: string,
    private readonly options: BlueskyOAuthSessionOptions,
  ) {
    this.agent = new Agent({ did: oauth.did, fetchHandler: (url, init) => this.send(url, init) });
  }

  /** Wraps a restored OAuth session; reads its stored token set once, for the PDS's origin. */
  static async open(
    oauth: OAuthSession,
    options: BlueskyOAuthSessionOptions = {},
  ): Promise<BlueskyOAuthSession> {
    const { aud } = await oauth.getTokenInfo(false);
    return new BlueskyOAuthSession(oauth, new URL(aud).origin, options);
  }

  get did(): string {
    return this.oauth.did;
  }

  /** The scopes the server granted, as stored now. */
  async grantedScope(): Promise<string> {
    return (await this.oauth.getTokenInfo(false)).scope;
  }

  async call<T>(what: string, fn: (agent: Agent) => Promise<T>): Promise<T> {
    try {
      return await fn(this.agent);
    } catch (err) {
      throw await this.fail(err, what);
    }
  }

  async callAnswered<T>(
    what: string,
    fn: (agent: Agent) => Promise<T>,
  ): Promise<{ value: T; servedBy: string[] }> {
    const servedBy = new Set<string>();
    const value = await this.answering.run(servedBy, () => this.call(what, fn));
    return { value, servedBy: [...servedBy] };
  }

  /** Only the resource server's answers count as answers (not the token endpoint or the PLC). */
  private async send(url: string, init: RequestInit): Promise<Response> {
    const res = await this.oauth.fetchHandler(url, init);
    if (res.url) this.answering.getStore()?.add(new URL(res.url).origin);
    return res;
  }

  /**
   * The grant counts as gone only when the client deleted the stored session (a refresh the server
   * refused, a token it no longer accepts after one): a 401 while the session is still stored came
   * from a refresh that failed for another reason (the server unreachable), worth trying again.
   */
  private async fail(err: unknown, what: string): Promise<ConnectorError> {
    const cause = err instanceof XRPCError && err.cause ? err.cause : err;
    const mapped = isExpectedSessionError(cause)
      ? new ConnectorError(ConnectorErrorCode.Auth, `${what}: ${(cause as Error).message}`, null, { cause })
      : toConnectorError(err, what);
    if (mapped.code !== ConnectorErrorCode.Auth) return mapped;
    // Without the session the client throws one of its session errors; anything else (the store
    // unreachable) says nothing about the grant.
    const gone = await this.oauth.getTokenInfo(false).then(
      () => false,
      (error: unknown) => isExpectedSessionError(error),
    );
    if (!gone) {
      return new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `${mapped.message}; the authorization is not known to be revoked, try again`,
        null,
        { cause: err },
      );
    }
    const reason = `Bluesky authorization is no longer valid (${mapped.message}); link the account again`;
    await this.options.onSessionExpired?.(reason);
    return new ConnectorError(ConnectorErrorCode.Auth, reason, null, { cause: err });
  }
}
