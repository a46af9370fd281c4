import { Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from './http-types.js';
import { AuthService } from '../auth/auth.service.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { MastodonApiException } from './mastodon-api.exception.js';
import { OAuthService } from './oauth/oauth.service.js';
import { covers } from './oauth/scopes.js';

export interface MastodonCaller {
  /** The member the token is theirs; null for an app's own token (client credentials). */
  user: AuthenticatedUser | null;
  /** The app (OAuthClient.id) the token was issued to; null for a GraphQL login token. */
  clientId: string | null;
  /** Granted scopes; null: everything (a GraphQL login token). */
  scopes: string[] | null;
}

export type MastodonRequest = Request & { mastodon?: MastodonCaller };

const APP_TOKEN_OK = 'tributary:mastodon-app-token';
const SCOPE = 'tributary:mastodon-scope';

/** The route also answers an app's own token (client credentials), which acts for nobody. */
export const AllowAppToken = () => SetMetadata(APP_TOKEN_OK, true);
/** The scope the route needs; by default `read` for GET and `write` for everything else. */
export const RequireScope = (scope: string) => SetMetadata(SCOPE, scope);

/** The token of a request: `Authorization: Bearer`, or the `access_token` parameter as Mastodon takes it. */
export function requestToken(req: Request): string | null {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (match) return match[1]!;
  const param = (req.query as Record<string, unknown>)['access_token'];
  return typeof param === 'string' && param ? param : null;
}

const invalidToken = () =>
  new MastodonApiException(401, 'The access token is invalid', undefined, {
    'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is invalid"',
  });

/**
 * Every Mastodon API route but discovery and OAuth: a valid token, a member's unless the route says
 * an app's will do, with the scope it needs.
 */
@Injectable()
export class MastodonAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly oauth: OAuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<MastodonRequest>();
    const caller = await this.caller(req);
    const targets = [context.getHandler(), context.getClass()];
    if (!caller || (!caller.user && !this.reflector.getAllAndOverride<boolean>(APP_TOKEN_OK, targets))) {
      throw invalidToken();
    }
    const scope =
      this.reflector.getAllAndOverride<string>(SCOPE, targets) ?? (req.method === 'GET' ? 'read' : 'write');
    if (
      caller.scopes &&
      !covers(caller.scopes, scope) &&
      !caller.scopes.some((s) => s.startsWith(`${scope}:`))
    ) {
      throw new MastodonApiException(403, 'This action is outside the authorized scopes');
    }
    req.mastodon = caller;
    return true;
  }

  /** Who the request's token is; null when it has none or an invalid one. */
  async caller(req: Request): Promise<MastodonCaller | null> {
    const token = requestToken(req);
    if (!token) return null;
    const user = await this.auth.authenticate(token);
    if (user) return { user, clientId: user.oauthClientId ?? null, scopes: user.scopes ?? null };
    const app = await this.oauth.appToken(token);
    return app ? { user: null, clientId: app.clientId, scopes: app.scopes } : null;
  }
}

/** The member the request's token belongs to (routes behind MastodonAuthGuard). */
export const Member = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<MastodonRequest>().mastodon?.user;
  if (!user) throw invalidToken();
  return user;
});

/** The caller (member or app) of a route behind MastodonAuthGuard. */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): MastodonCaller =>
    context.switchToHttp().getRequest<MastodonRequest>().mastodon!,
);
