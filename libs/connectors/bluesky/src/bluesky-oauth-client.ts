// Linking Bluesky accounts with atproto OAuth (@atproto/oauth-client-node): the authorization URL
// on the member's own server, the callback, and sessions restored from the stores the caller gives.
// Served from an https PUBLIC_URL, Tributary is a confidential client (private_key_jwt with its ES256
// key, metadata and JWKS at PUBLIC_URL); on a loopback address (development, tests) it uses a
// loopback client id, a public client that needs no hosted metadata.
import {
  JoseKey,
  NodeOAuthClient,
  OAuthCallbackError,
  OAuthResponseError,
  isExpectedSessionError,
} from '@atproto/oauth-client-node';
import type {
  NodeSavedSessionStore,
  NodeSavedStateStore,
  OAuthClientMetadataInput,
  RuntimeLock,
} from '@atproto/oauth-client-node';
import { ConnectorError, ConnectorErrorCode, sharedGuardedDispatcher } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import { BlueskyOAuthSession } from './bluesky-oauth-session.js';
import type { BlueskyOAuthSessionOptions } from './bluesky-oauth-session.js';
import { createPoliteFetch } from './polite-fetch.js';

export const BLUESKY_OAUTH_CALLBACK_PATH = '/oauth/bluesky/callback';
export const BLUESKY_OAUTH_METADATA_PATH = '/oauth/bluesky/client-metadata.json';
export const BLUESKY_OAUTH_JWKS_PATH = '/oauth/bluesky/jwks.json';

/**
 * The narrowest grant covering what Tributary does with an account (atproto permission sets,
 * 2025): write likes, reposts, posts and feed generator records; upload images; read timelines,
 * feeds, lists, threads, posts, follows and preferences through the PDS's AppView proxy (any
 * AppView: `aud=*`). Reading records and resolving handles needs no grant.
 */
export const BLUESKY_OAUTH_SCOPE = [
  'atproto',
  'repo?collection=app.bsky.feed.generator&collection=app.bsky.feed.like&collection=app.bsky.feed.post&collection=app.bsky.feed.repost',
  'blob:image/*',
  'rpc?lxm=app.bsky.actor.getPreferences&lxm=app.bsky.feed.getAuthorFeed&lxm=app.bsky.feed.getFeed' +
    '&lxm=app.bsky.feed.getListFeed&lxm=app.bsky.feed.getPostThread&lxm=app.bsky.feed.getPosts' +
    '&lxm=app.bsky.feed.getTimeline&lxm=app.bsky.graph.getFollows&lxm=app.bsky.graph.getList&aud=*',
].join(' ');

/** What a server without permission sets understands: everything but chat and the account's email. */
export const BLUESKY_OAUTH_FALLBACK_SCOPE = 'atproto transition:generic';

export interface BlueskyOAuthOptions {
  /** Where members' browsers reach this instance: PUBLIC_URL, or `http://127.0.0.1:<PORT>`. */
  publicUrl: string;
  /**
   * The client's ES256 private key as a JWK (JSON, with its `kid`): signs the client assertions of
   * a confidential client. Unused by a loopback client.
   */
  privateJwk: string;
  /** PLC directory resolving `did:plc:` DIDs. */
  plcUrl: string;
  /** A service answering com.atproto.identity.resolveHandle; default: DNS and https well-known. */
  handleResolver?: string;
  /** The servers the client may reach (as for app-password sessions); `allowHttp` also lets issuers use http. */
  hostPolicy: InstanceUrlPolicy;
}

/** One member's stores: their started links and their sessions (keyed by the account's DID). */
export interface BlueskyOAuthStores {
  state: NodeSavedStateStore;
  session: NodeSavedSessionStore;
  /** Runs `fn` while no other process runs it under the same name (refresh tokens are single use). */
  lock: RuntimeLock;
}

/** The account a completed authorization linked. */
export interface BlueskyOAuthGrant {
  did: string;
  /** The account's handle, verified both ways; its DID when the handle does not check out. */
  handle: string;
  /** The account's PDS, where calls go. */
  pdsUrl: string;
  scope: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Tributary's OAuth client identity, shared by every member. `client(stores)` makes a member's
 * client: stores are per member, so two members linking the same Bluesky account hold two grants,
 * and a new link by one never revokes the other's (the library revokes the stored session of the
 * DID it links).
 */
export class BlueskyOAuth {
  private constructor(
    private readonly options: BlueskyOAuthOptions,
    readonly clientMetadata: Readonly<OAuthClientMetadataInput>,
    private readonly key: JoseKey | null,
  ) {}

  /**
   * Confidential on an https public URL, loopback on a loopback one; any other URL (plain http on a
   * public name) cannot receive an authorization: BAD_INPUT naming the setting.
   */
  static async create(options: BlueskyOAuthOptions): Promise<BlueskyOAuth> {
    const base = new URL(options.publicUrl);
    if (LOOPBACK_HOSTS.has(base.hostname)) {
      // The authorization server refuses `localhost` in redirect URIs (RFC 8252 §8.3): the IP it is.
      if (base.hostname === 'localhost') base.hostname = '127.0.0.1';
      const redirectUri = new URL(BLUESKY_OAUTH_CALLBACK_PATH, base).href;
      const scope = `${BLUESKY_OAUTH_SCOPE} ${BLUESKY_OAUTH_FALLBACK_SCOPE.replace('atproto ', '')}`;
      const clientId = `http://localhost?${new URLSearchParams({ redirect_uri: redirectUri, scope })}`;
      return new BlueskyOAuth(
        options,
        {
          client_id: clientId,
          redirect_uris: [redirectUri as `http://127.0.0.1:${string}`],
          scope,
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token'],
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          dpop_bound_access_tokens: true,
        },
        null,
      );
    }
    if (base.protocol !== 'https:') {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `Bluesky OAuth needs PUBLIC_URL on https (or a loopback address for development), not ${base.origin}`,
      );
    }
    const key = await JoseKey.fromJWK(options.privateJwk);
    const at = (path: string) => new URL(path, base).href;
    return new BlueskyOAuth(
      options,
      {
        client_id: at(BLUESKY_OAUTH_METADATA_PATH),
        client_name: 'Tributary',
        client_uri: base.origin,
        redirect_uris: [at(BLUESKY_OAUTH_CALLBACK_PATH) as `https://${string}`],
        scope: `${BLUESKY_OAUTH_SCOPE} ${BLUESKY_OAUTH_FALLBACK_SCOPE.replace('atproto ', '')}`,
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        application_type: 'web',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        dpop_bound_access_tokens: true,
        jwks_uri: at(BLUESKY_OAUTH_JWKS_PATH) as `https://${string}`,
      },
      key,
    );
  }

  /** A confidential client publishes its metadata and keys; a loopback one has nothing to serve. */
  get confidential(): boolean {
    return this.key !== null;
  }

  /** The public half of the client's key, for `jwks_uri` (as JSON: the private members are gone, not undefined). */
  get jwks(): { keys: unknown[] } {
    return { keys: this.key?.publicJwk ? [JSON.parse(JSON.stringify(this.key.publicJwk)) as unknown] : [] };
  }

  /** A client on one member's stores. */
  client(stores: BlueskyOAuthStores): BlueskyOAuthClient {
    const { hostPolicy } = this.options;
    const dispatcher = sharedGuardedDispatcher(hostPolicy);
    // `dispatcher` is Node's fetch extension: every server the client reaches passes the guard.
    const guarded: typeof globalThis.fetch = (input, init) =>
      fetch(input, { ...init, dispatcher } as RequestInit);
    const client = new NodeOAuthClient({
      clientMetadata: this.clientMetadata,
      ...(this.key ? { keyset: [this.key] } : {}),
      stateStore: stores.state,
      sessionStore: stores.session,
      requestLock: stores.lock,
      fetch: createPoliteFetch({ fetch: guarded }),
      allowHttp: hostPolicy.allowHttp === true,
      plcDirectoryUrl: this.options.plcUrl,
      ...(this.options.handleResolver ? { handleResolver: this.options.handleResolver } : {}),
    });
    return new BlueskyOAuthClient(client);
  }
}

/** One member's OAuth client. */
export class BlueskyOAuthClient {
  constructor(private readonly client: NodeOAuthClient) {}

  /**
   * The authorization URL on the server of `input` (a handle, a DID, or a PDS or entryway URL),
   * asking for BLUESKY_OAUTH_SCOPE, or the fallback scope from a server that refuses it.
   */
  async authorize(input: string): Promise<string> {
    const target = input.trim().replace(/^@/, '');
    if (!target)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'A Bluesky handle, DID or server is required');
    try {
      try {
        return (await this.client.authorize(target, { scope: BLUESKY_OAUTH_SCOPE })).href;
      } catch (err) {
        if (!(err instanceof OAuthResponseError && err.error === 'invalid_scope')) throw err;
        return (await this.client.authorize(target, { scope: BLUESKY_OAUTH_FALLBACK_SCOPE })).href;
      }
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      // The account or its server cannot be found, or the server refused the request: the input.
      throw new ConnectorError(
        err instanceof OAuthResponseError && err.status >= 500
          ? ConnectorErrorCode.Unavailable
          : ConnectorErrorCode.BadInput,
        `Bluesky sign-in for "${target.slice(0, 100)}" could not start: ${(err as Error).message}`,
        null,
        { cause: err },
      );
    }
  }

  /**
   * Completes an authorization from the parameters the server redirected with (`code`, `state`,
   * `iss`), once: the started link is consumed. A `state` this member did not start is unknown.
   */
  async callback(params: URLSearchParams): Promise<BlueskyOAuthGrant> {
    let did: string;
    let info: { aud: string; scope: string };
    try {
      const { session } = await this.client.callback(params);
      did = session.did;
      info = await session.getTokenInfo(false);
    } catch (err) {
      throw callbackError(err, params);
    }
    const identity = await this.client.identityResolver.resolve(did).catch(() => null);
    const handle = identity && identity.handle !== 'handle.invalid' ? identity.handle : did;
    return { did, handle, pdsUrl: info.aud, scope: info.scope };
  }

  /** The stored session of `did`, wrapped for the connector; no stored session → AUTH. */
  async session(did: string, options: BlueskyOAuthSessionOptions = {}): Promise<BlueskyOAuthSession> {
    try {
      return await BlueskyOAuthSession.open(await this.client.restore(did, false), options);
    } catch (err) {
      if (!isExpectedSessionError(err)) {
        throw new ConnectorError(
          ConnectorErrorCode.Unavailable,
          `the Bluesky authorization could not be loaded: ${(err as Error).message}`,
          null,
          { cause: err },
        );
      }
      const reason = `Bluesky authorization is no longer valid (${err.message}); link the account again`;
      await options.onSessionExpired?.(reason);
      throw new ConnectorError(ConnectorErrorCode.Auth, reason, null, { cause: err });
    }
  }

  /** Revokes the grant at the server (when it can be reached) and deletes the stored session. */
  async revoke(did: string): Promise<void> {
    await this.client.revoke(did);
  }
}

function callbackError(err: unknown, params: URLSearchParams): ConnectorError {
  const refused = params.get('error');
  if (refused) {
    return new ConnectorError(
      ConnectorErrorCode.BadInput,
      `Bluesky did not authorize Tributary: ${params.get('error_description') ?? refused}`,
      null,
      { cause: err },
    );
  }
  const cause = err instanceof OAuthCallbackError && err.cause ? err.cause : err;
  // The server refused the code (used, expired) or the link attempt is not this member's: start again.
  if (cause instanceof OAuthResponseError || (err instanceof OAuthCallbackError && !err.cause)) {
    return new ConnectorError(
      ConnectorErrorCode.BadInput,
      `unknown, expired or already completed Bluesky link attempt (${(err as Error).message}); start again`,
      null,
      { cause: err },
    );
  }
  return new ConnectorError(
    ConnectorErrorCode.Unavailable,
    `Bluesky link could not be completed: ${(err as Error).message}; start again`,
    null,
    { cause: err },
  );
}
