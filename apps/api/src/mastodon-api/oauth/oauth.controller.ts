import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from '../http-types.js';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { AuthService } from '../../auth/auth.service.js';
import { Public } from '../../auth/public.decorator.js';
import { AppException } from '../../common/app.exception.js';
import { baseUrl } from '../base-url.js';
import { MastodonApiException, MastodonApiExceptionFilter } from '../mastodon-api.exception.js';
import { AllowAppToken, Caller, MastodonAuthGuard, Member, RequireScope } from '../mastodon-auth.guard.js';
import { MastodonAccounts } from '../mastodon-accounts.service.js';
import type { AuthenticatedUser } from '../../auth/auth.types.js';
import type { MastodonCaller } from '../mastodon-auth.guard.js';
import { AUTHORIZE_PAGE_CSP, authorizePage, errorPage, outOfBandPage } from './authorize-page.js';
import { OAuthService, OOB_REDIRECT } from './oauth.service.js';
import type {
  AppRegistration,
  AuthorizationRequest,
  CheckedAuthorization,
  TokenRequest,
} from './oauth.service.js';

const SCOPES_SUPPORTED = ['read', 'write', 'follow', 'push', 'profile'];

/** HTTP Basic client authentication (`client_secret_basic`), when the app uses it. */
function basicClient(req: Request): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/**
 * The OAuth 2 provider Mastodon apps log in with (INTEROP.md §4): app registration, the login +
 * consent page, tokens (authorization code with PKCE S256, client credentials), revocation, and
 * the RFC 8414 metadata that tells apps all of this.
 */
@Public()
@UseFilters(MastodonApiExceptionFilter)
@Controller()
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    private readonly auth: AuthService,
    private readonly accounts: MastodonAccounts,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post('api/v1/apps')
  @HttpCode(200)
  register(@Body() body: AppRegistration) {
    return this.oauth.register(body ?? {});
  }

  @Get('api/v1/apps/verify_credentials')
  @UseGuards(MastodonAuthGuard)
  @AllowAppToken()
  async verifyApp(@Caller() caller: MastodonCaller) {
    const client = caller.clientId ? await this.oauth.client(caller.clientId) : null;
    if (!client) {
      // A GraphQL login token belongs to no app: it is Tributary itself.
      return {
        id: '0',
        name: 'Tributary',
        website: null,
        scopes: ['read', 'write', 'follow', 'push'],
        redirect_uri: '',
        redirect_uris: [],
        vapid_key: '',
      };
    }
    return this.oauth.application(client);
  }

  @Get('.well-known/oauth-authorization-server')
  metadata(@Req() req: Request) {
    const base = baseUrl(req, this.config);
    return {
      issuer: `${base}/`,
      service_documentation: 'https://docs.joinmastodon.org/',
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      userinfo_endpoint: `${base}/oauth/userinfo`,
      app_registration_endpoint: `${base}/api/v1/apps`,
      scopes_supported: SCOPES_SUPPORTED,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
    };
  }

  /** OpenID-style profile of the member (Mastodon answers it for the `profile` scope). */
  @Get('oauth/userinfo')
  @UseGuards(MastodonAuthGuard)
  @RequireScope('profile')
  async userinfo(@Member() user: AuthenticatedUser, @Req() req: Request) {
    const account = await this.accounts.own(user, { baseUrl: baseUrl(req, this.config) });
    return {
      iss: `${baseUrl(req, this.config)}/`,
      sub: account['uri'],
      name: account['display_name'],
      preferred_username: account['username'],
      profile: account['url'],
      picture: account['avatar'],
    };
  }

  @Get('oauth/authorize')
  async authorizeForm(@Query() query: AuthorizationRequest, @Res() res: Response) {
    const request = await this.checked(query, res);
    if (request) this.html(res, 200, authorizePage(request, null));
  }

  @Post('oauth/authorize')
  async authorize(
    @Body() body: AuthorizationRequest & { username?: unknown; password?: unknown; decision?: unknown },
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const request = await this.checked(body ?? {}, res);
    if (!request) return;
    if (body.decision === 'deny') {
      return this.redirect(res, request, {
        error: 'access_denied',
        error_description: 'The member denied the request',
      });
    }
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    let userId: string;
    try {
      userId = (await this.auth.checkPassword(username, password, req.ip ?? 'unknown')).id;
    } catch (error) {
      if (!(error instanceof AppException)) throw error;
      return this.html(
        res,
        error.code === 'RATE_LIMITED' ? 429 : 401,
        authorizePage(request, error.message, username),
      );
    }
    const code = await this.oauth.issueCode(userId, request);
    if (request.redirectUri === OOB_REDIRECT) return this.html(res, 200, outOfBandPage(code));
    this.redirect(res, request, { code });
  }

  @Post('oauth/token')
  @HttpCode(200)
  async token(@Body() body: TokenRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    return this.oauth.token(body ?? {}, basicClient(req));
  }

  @Post('oauth/revoke')
  @HttpCode(200)
  revoke(
    @Body() body: { token?: unknown; client_id?: unknown; client_secret?: unknown },
    @Req() req: Request,
  ) {
    return this.oauth.revoke(body ?? {}, basicClient(req));
  }

  /** The checked request, or null after answering with an error page (never redirected). */
  private async checked(params: AuthorizationRequest, res: Response): Promise<CheckedAuthorization | null> {
    try {
      return await this.oauth.checkAuthorization(params);
    } catch (error) {
      if (!(error instanceof MastodonApiException)) throw error;
      this.html(res, error.status, errorPage(error.description ?? error.error));
      return null;
    }
  }

  private redirect(res: Response, request: CheckedAuthorization, params: Record<string, string>) {
    const url = new URL(request.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (request.state !== null) url.searchParams.set('state', request.state);
    res.redirect(302, url.href);
  }

  private html(res: Response, status: number, body: string) {
    res
      .status(status)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': AUTHORIZE_PAGE_CSP,
        'Cache-Control': 'no-store',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
      })
      .send(body);
  }
}
