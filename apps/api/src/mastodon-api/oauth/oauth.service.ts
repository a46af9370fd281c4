import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import type { OAuthClient } from '@tributary/db';
import { AuthService } from '../../auth/auth.service.js';
import { hashSecret } from '../../auth/secrets.js';
import { MastodonApiException } from '../mastodon-api.exception.js';
import { parseScopes, within } from './scopes.js';

export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
const CODE_TTL_MS = 10 * 60_000;
const MAX_REDIRECT_URIS = 10;
/** Schemes a redirect could run code or read files with in a browser. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

export interface AppRegistration {
  client_name?: unknown;
  redirect_uris?: unknown;
  scopes?: unknown;
  website?: unknown;
}

export interface AuthorizationRequest {
  client_id?: unknown;
  redirect_uri?: unknown;
  response_type?: unknown;
  scope?: unknown;
  state?: unknown;
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}

/** A checked authorization request: what the consent page shows and the code will carry. */
export interface CheckedAuthorization {
  client: OAuthClient;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
}

export interface TokenRequest {
  grant_type?: unknown;
  code?: unknown;
  redirect_uri?: unknown;
  client_id?: unknown;
  client_secret?: unknown;
  code_verifier?: unknown;
  scope?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const invalid = (error: string, description: string, status = 400) =>
  new MastodonApiException(status, error, description);

/** A redirect URI an app may register: absolute, no fragment, no scheme that runs code; or OOB. */
function checkRedirectUri(uri: string): string {
  if (uri === OOB_REDIRECT) return uri;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new MastodonApiException(422, `Validation failed: Redirect URI must be an absolute URI (${uri})`);
  }
  if (UNSAFE_SCHEMES.has(parsed.protocol) || parsed.hash) {
    throw new MastodonApiException(422, `Validation failed: Redirect URI is not allowed (${uri})`);
  }
  return uri;
}

const sha256Base64Url = (value: string): string => createHash('sha256').update(value).digest('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(hashSecret(a));
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The OAuth 2 provider Mastodon apps log in with: app registration, authorization codes (PKCE S256),
 * tokens (Tributary's own ApiTokens, for a member; app tokens for client credentials), revocation.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly db: PrismaService,
    private readonly auth: AuthService,
  ) {}

  /** `POST /api/v1/apps`: form or JSON; redirect URIs as an array or one per line. */
  async register(body: AppRegistration) {
    const name = str(body.client_name)?.trim();
    if (!name) throw new MastodonApiException(422, "Validation failed: Application name can't be blank");
    const rawUris = Array.isArray(body.redirect_uris)
      ? body.redirect_uris.filter((u): u is string => typeof u === 'string')
      : (str(body.redirect_uris) ?? '').split(/[\s]+/);
    const redirectUris = [...new Set(rawUris.map((u) => u.trim()).filter(Boolean))].map(checkRedirectUri);
    if (redirectUris.length === 0) {
      throw new MastodonApiException(422, "Validation failed: Redirect URI can't be blank");
    }
    if (redirectUris.length > MAX_REDIRECT_URIS) {
      throw new MastodonApiException(422, `Validation failed: at most ${MAX_REDIRECT_URIS} redirect URIs`);
    }
    const scopes = parseScopes(body.scopes, ['read']);
    if (!scopes) throw new MastodonApiException(422, 'Validation failed: Scopes are invalid');
    const website = str(body.website);
    const clientSecret = randomBytes(32).toString('base64url');
    const client = await this.db.client.oAuthClient.create({
      data: {
        clientId: randomBytes(24).toString('base64url'),
        clientSecretHash: hashSecret(clientSecret),
        name: name.slice(0, 200),
        website: website?.slice(0, 500) ?? null,
        redirectUris,
        scopes,
      },
    });
    return {
      ...this.application(client),
      client_id: client.clientId,
      client_secret: clientSecret,
      client_secret_expires_at: 0,
    };
  }

  /** The Application entity (`apps/verify_credentials` and registration). */
  application(client: OAuthClient) {
    return {
      id: client.id,
      name: client.name,
      website: client.website,
      scopes: client.scopes,
      redirect_uri: client.redirectUris.join('\n'),
      redirect_uris: client.redirectUris,
      vapid_key: '',
    };
  }

  async client(id: string): Promise<OAuthClient | null> {
    return this.db.client.oAuthClient.findUnique({ where: { id } });
  }

  /** Checks `/oauth/authorize` parameters; a problem before the redirect URI is trusted is not redirected. */
  async checkAuthorization(params: AuthorizationRequest): Promise<CheckedAuthorization> {
    const clientId = str(params.client_id);
    const client = clientId ? await this.db.client.oAuthClient.findUnique({ where: { clientId } }) : null;
    if (!client) throw invalid('invalid_client', 'Client authentication failed: unknown client_id', 401);
    const requested =
      str(params.redirect_uri) ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : null);
    if (!requested || !client.redirectUris.includes(requested)) {
      throw invalid('invalid_redirect_uri', 'The redirect URI is not one the application registered');
    }
    if (str(params.response_type) !== 'code') {
      throw invalid('unsupported_response_type', 'Only response_type=code is supported');
    }
    const scopes = parseScopes(params.scope, ['read']);
    if (!scopes || !within(scopes, client.scopes)) {
      throw invalid(
        'invalid_scope',
        `The requested scope is invalid or beyond the application's (${client.scopes.join(' ')})`,
      );
    }
    const challenge = str(params.code_challenge);
    const method = str(params.code_challenge_method) ?? (challenge ? 'plain' : null);
    if (challenge && method !== 'S256') {
      throw invalid('invalid_request', 'code_challenge_method must be S256');
    }
    if (challenge && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      throw invalid('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
    }
    return { client, redirectUri: requested, scopes, state: str(params.state), codeChallenge: challenge };
  }

  /** A one-time code for the member who consented. */
  async issueCode(userId: string, request: CheckedAuthorization): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.db.client.oAuthCode.create({
      data: {
        codeHash: hashSecret(code),
        clientId: request.client.id,
        userId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        codeChallenge: request.codeChallenge,
        expiresAt: new Date(Date.now() + CODE_TTL_MS),
      },
    });
    return code;
  }

  /** `POST /oauth/token`: the authorization code (with PKCE or the secret) or the client credentials. */
  async token(body: TokenRequest, basic: { id: string; secret: string } | null) {
    const clientId = basic?.id ?? str(body.client_id);
    const secret = basic?.secret ?? str(body.client_secret);
    const client = clientId ? await this.db.client.oAuthClient.findUnique({ where: { clientId } }) : null;
    if (!client) throw invalid('invalid_client', 'Client authentication failed: unknown client', 401);
    if (secret !== null && !sameSecret(secret, client.clientSecretHash)) {
      throw invalid('invalid_client', 'Client authentication failed: wrong client_secret', 401);
    }
    const grant = str(body.grant_type);
    if (grant === 'authorization_code') return this.exchangeCode(client, body, secret !== null);
    if (grant === 'client_credentials') {
      if (secret === null) throw invalid('invalid_client', 'client_credentials needs the client_secret', 401);
      const scopes = parseScopes(body.scope, ['read']);
      if (!scopes || !within(scopes, client.scopes))
        throw invalid('invalid_scope', 'The requested scope is invalid');
      const token = `trbapp_${randomBytes(32).toString('base64url')}`;
      await this.db.client.oAuthAppToken.create({
        data: { tokenHash: hashSecret(token), clientId: client.id, scopes },
      });
      return tokenResponse(token, scopes);
    }
    throw invalid('unsupported_grant_type', 'grant_type must be authorization_code or client_credentials');
  }

  private async exchangeCode(client: OAuthClient, body: TokenRequest, authenticated: boolean) {
    const code = str(body.code);
    // Deleted as it is read: a code works once, even when two requests race with it.
    const [row] = code
      ? await this.db.client.$queryRawUnsafe<
          {
            userId: string;
            clientId: string;
            redirectUri: string;
            scopes: string[];
            codeChallenge: string | null;
            expired: boolean;
          }[]
        >(
          `DELETE FROM "OAuthCode" WHERE "codeHash" = $1
           RETURNING "userId"::text AS "userId", "clientId"::text AS "clientId", "redirectUri", scopes, "codeChallenge",
                     "expiresAt" < now() AT TIME ZONE 'UTC' AS expired`,
          hashSecret(code),
        )
      : [];
    if (!row || row.clientId !== client.id || row.expired) {
      throw invalid(
        'invalid_grant',
        'The authorization code is invalid, expired, used or for another client',
      );
    }
    const redirectUri = str(body.redirect_uri);
    if (redirectUri !== null && redirectUri !== row.redirectUri) {
      throw invalid('invalid_grant', 'redirect_uri differs from the one the code was issued for');
    }
    if (row.codeChallenge) {
      const verifier = str(body.code_verifier);
      if (!verifier || sha256Base64Url(verifier) !== row.codeChallenge) {
        throw invalid('invalid_grant', 'code_verifier does not match the code_challenge');
      }
    } else if (!authenticated) {
      throw invalid('invalid_client', 'Without PKCE the client_secret is required', 401);
    }
    const { token } = await this.auth.issueToken(row.userId, `Mastodon app: ${client.name}`, {
      clientId: client.id,
      scopes: row.scopes,
    });
    return tokenResponse(token, row.scopes);
  }

  /** `POST /oauth/revoke`: the app's own tokens only; anything else is answered the same, untouched. */
  async revoke(
    body: { token?: unknown; client_id?: unknown; client_secret?: unknown },
    basic: { id: string; secret: string } | null,
  ) {
    const clientId = basic?.id ?? str(body.client_id);
    const secret = basic?.secret ?? str(body.client_secret);
    const client = clientId ? await this.db.client.oAuthClient.findUnique({ where: { clientId } }) : null;
    if (!client || (secret !== null && !sameSecret(secret, client.clientSecretHash))) {
      throw new MastodonApiException(
        403,
        'unauthorized_client',
        'You are not authorized to revoke this token',
      );
    }
    const token = str(body.token);
    if (!token) throw invalid('invalid_request', 'token is required');
    await this.auth.revokeAppToken(token, client.id);
    await this.db.client.oAuthAppToken.updateMany({
      where: { tokenHash: hashSecret(token), clientId: client.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return {};
  }

  /** An app's own token (client credentials): its app and scopes, or null. */
  async appToken(token: string): Promise<{ clientId: string; scopes: string[] } | null> {
    if (!token.startsWith('trbapp_')) return null;
    const row = await this.db.client.oAuthAppToken.findUnique({ where: { tokenHash: hashSecret(token) } });
    return row && !row.revokedAt ? { clientId: row.clientId, scopes: row.scopes } : null;
  }
}

function tokenResponse(token: string, scopes: string[]) {
  return {
    access_token: token,
    token_type: 'Bearer',
    scope: scopes.join(' '),
    created_at: Math.floor(Date.now() / 1000),
  };
}
