import { createHash, randomBytes } from 'node:crypto';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import { MastodonClient } from './mastodon-client.js';
import type { MastodonApp, MastodonCredentials } from './mastodon-types.js';
import type { InstanceUrlPolicy } from '@tributary/core';
import { assertSafeInstanceUrl } from '@tributary/core';
import { safeUrl as safeHttpUrl } from './normalize-status.js';

/**
 * Scopes Tributary asks for: reading timelines, lists and tags, and the write actions (posting
 * with images needs `write:media`; servers enforce scopes, Mastodon included).
 */
export const MASTODON_SCOPES = 'read write:statuses write:favourites write:media';

export interface OAuthOptions extends InstanceUrlPolicy {
  /** Test-only knobs of the HTTP client (backoff); production uses the defaults. */
  retries?: number;
  backoffMs?: number;
}

function client(
  instanceOrigin: string,
  options: OAuthOptions,
  accessToken: string | null = null,
): MastodonClient {
  return new MastodonClient({ ...options, instanceOrigin, accessToken });
}

/** A field the rest depends on; masto's types promise it, the instance may still leave it out. */
function requireField(data: object | null | undefined, field: string, what: string): string {
  const v = (data as Record<string, unknown> | null | undefined)?.[field];
  if (typeof v !== 'string' || v === '') {
    throw new ConnectorError(ConnectorErrorCode.Unavailable, `${what} response without \`${field}\``);
  }
  return v;
}

/**
 * Registers Tributary as an OAuth application on an instance (POST /api/v1/apps). The caller
 * stores the result per instance and reuses it for every later link.
 */
export async function registerApp(
  instance: string,
  app: { clientName: string; redirectUri: string; website?: string | null; scopes?: string },
  options: OAuthOptions = {},
): Promise<MastodonApp> {
  const origin = await assertSafeInstanceUrl(instance, options);
  const scopes = app.scopes ?? MASTODON_SCOPES;
  const res = await client(origin, options).rest((api) =>
    api.v1.apps.create({
      clientName: app.clientName,
      redirectUris: [app.redirectUri],
      scopes,
      website: app.website || undefined,
    }),
  );
  return {
    instanceOrigin: origin,
    clientId: requireField(res.data, 'clientId', 'app registration'),
    clientSecret: requireField(res.data, 'clientSecret', 'app registration'),
    redirectUri: app.redirectUri,
    scopes,
  };
}

/**
 * A PKCE pair (S256, Mastodon ≥ 4.3): keep `verifier` with the pending link, put `challenge` in the
 * authorize URL, pass `verifier` to `exchangeCode`. A stolen code is then useless on its own.
 */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The URL to send the user to; `state` binds the callback to this attempt (CSRF). */
export function authorizeUrl(
  app: MastodonApp,
  state: string,
  options: { codeChallenge?: string } = {},
): string {
  const url = new URL('/oauth/authorize', app.instanceOrigin);
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('redirect_uri', app.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', app.scopes);
  url.searchParams.set('state', state);
  if (options.codeChallenge) {
    url.searchParams.set('code_challenge', options.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.href;
}

/** Trades the authorization code for an access token (POST /oauth/token). */
export async function exchangeCode(
  app: MastodonApp,
  code: string,
  options: OAuthOptions & { codeVerifier?: string } = {},
): Promise<{ accessToken: string; scope: string }> {
  if (!code.trim()) throw new ConnectorError(ConnectorErrorCode.BadInput, 'empty authorization code');
  const origin = await assertSafeInstanceUrl(app.instanceOrigin, options);
  const res = await client(origin, options)
    .oauth((api) =>
      api.token.create({
        grantType: 'authorization_code',
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        redirectUri: app.redirectUri,
        code: code.trim(),
        scope: app.scopes,
        // PKCE is not in masto's types yet; masto sends it as `code_verifier` like every other key.
        ...(options.codeVerifier ? { codeVerifier: options.codeVerifier } : {}),
      }),
    )
    .catch((err: unknown) => {
      // Mastodon answers a bad or used code with 400/401 `invalid_grant`: that is the user's input.
      if (
        err instanceof ConnectorError &&
        (err.code === ConnectorErrorCode.Auth || err.code === ConnectorErrorCode.BadInput)
      ) {
        throw new ConnectorError(
          ConnectorErrorCode.BadInput,
          `authorization code refused: ${err.message}`,
          null,
          { cause: err },
        );
      }
      throw err;
    });
  return {
    accessToken: requireField(res.data, 'accessToken', 'token'),
    scope: typeof res.data?.scope === 'string' ? res.data.scope : app.scopes,
  };
}

/**
 * Revokes a token Tributary obtained through `app` (POST /oauth/revoke, client-authenticated), as
 * a member leaving expects. A token pasted from the instance's settings belongs to another app and
 * cannot be revoked by us: the instance refuses (403), and the member revokes it there.
 */
export async function revokeToken(
  app: MastodonApp,
  token: string,
  options: OAuthOptions = {},
): Promise<void> {
  const origin = await assertSafeInstanceUrl(app.instanceOrigin, options);
  await client(origin, options).oauth((api) =>
    api.revoke({ clientId: app.clientId, clientSecret: app.clientSecret, token }),
  );
}

/**
 * Who the token belongs to (GET /api/v1/accounts/verify_credentials). Also the check for a pasted
 * personal access token: a bad token throws ConnectorError AUTH.
 */
export async function verifyCredentials(
  instance: string,
  accessToken: string,
  options: OAuthOptions = {},
): Promise<MastodonCredentials> {
  if (!accessToken.trim()) throw new ConnectorError(ConnectorErrorCode.BadInput, 'empty access token');
  const origin = await assertSafeInstanceUrl(instance, options);
  const res = await client(origin, options, accessToken.trim()).rest((api) =>
    api.v1.accounts.verifyCredentials(),
  );
  const id = requireField(res.data, 'id', 'verify_credentials');
  const acct = requireField(res.data, 'acct', 'verify_credentials');
  const host = new URL(origin).host;
  const handle = acct.includes('@') ? acct : `${acct}@${host}`;
  return {
    id,
    acct,
    handle,
    // `uri` (the ActivityPub id) is on the wire but not in masto's CredentialAccount type.
    uri: safeHttpUrl((res.data as { uri?: unknown }).uri) ?? safeHttpUrl(res.data?.url) ?? `acct:${handle}`,
    displayName:
      typeof res.data?.displayName === 'string' && res.data.displayName ? res.data.displayName : null,
    avatarUrl: safeHttpUrl(res.data?.avatarStatic) ?? safeHttpUrl(res.data?.avatar),
  };
}
