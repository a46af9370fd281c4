import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from './http-types.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { Public } from '../auth/public.decorator.js';
import { MastodonAccounts } from './mastodon-accounts.service.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard, Member } from './mastodon-auth.guard.js';
import { MastodonContext } from './mastodon-context.js';
import { MastodonMarkers } from './mastodon-markers.service.js';
import { MastodonNotifications } from './notifications.js';
import type { PageParams } from './pagination.js';

/** The member's account, preferences, markers and notifications. */
@Public()
@UseGuards(MastodonAuthGuard)
@UseFilters(MastodonApiExceptionFilter)
@Controller('api/v1')
export class AccountsController {
  constructor(
    private readonly accounts: MastodonAccounts,
    private readonly markers: MastodonMarkers,
    private readonly notifications: MastodonNotifications,
    private readonly context: MastodonContext,
  ) {}

  @Get('accounts/verify_credentials')
  verify(@Member() user: AuthenticatedUser, @Req() req: Request) {
    return this.accounts.credentials(user, this.context.of(req));
  }

  @Get('accounts/:id')
  account(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.accounts.byId(user, id, this.context.of(req));
  }

  @Get(['accounts/:id/followers', 'accounts/:id/following', 'accounts/:id/lists'])
  async accountLists(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    await this.accounts.byId(user, id, this.context.of(req));
    return [];
  }

  @Get('preferences')
  preferences() {
    return {
      'posting:default:visibility': 'public',
      'posting:default:sensitive': false,
      'posting:default:language': null,
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
    };
  }

  @Get('markers')
  getMarkers(@Member() user: AuthenticatedUser, @Query('timeline') timeline: unknown) {
    const timelines = (Array.isArray(timeline) ? timeline : [timeline]).filter(
      (t): t is string => typeof t === 'string',
    );
    return this.markers.get(user, timelines);
  }

  @Post('markers')
  @HttpCode(200)
  setMarkers(@Member() user: AuthenticatedUser, @Body() body: Record<string, unknown>) {
    return this.markers.set(user, body ?? {});
  }

  @Get('notifications')
  async listNotifications(
    @Member() user: AuthenticatedUser,
    @Query() query: PageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const page = await this.notifications.page(user, query, this.context.url(req), this.context.of(req));
    if (page.link) res.setHeader('Link', page.link);
    return page.notifications;
  }

  @Post('notifications/clear')
  @HttpCode(200)
  async clearNotifications(@Member() user: AuthenticatedUser) {
    await this.notifications.clear(user);
    return {};
  }

  @Post('notifications/:id/dismiss')
  @HttpCode(200)
  async dismissNotification(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    await this.notifications.dismiss(user, id);
    return {};
  }
}
