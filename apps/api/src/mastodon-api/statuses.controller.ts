import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UploadedFile,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from './http-types.js';
import { ActionKind } from '@tributary/core';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { Public } from '../auth/public.decorator.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard, Member } from './mastodon-auth.guard.js';
import { MastodonContext } from './mastodon-context.js';
import { MastodonMediaStore } from './mastodon-media.service.js';
import { MastodonStatuses } from './mastodon-statuses.service.js';
import type { NewStatus } from './mastodon-statuses.service.js';
import type { PageParams } from './pagination.js';
import { Bookmarks } from './bookmarks.js';

/** Multer keeps an upload in memory up to this size (both networks take far less per image). */
const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
const upload = FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });

/** Statuses, threads, writes and media: each write is an action queued to the post's network. */
@Public()
@UseGuards(MastodonAuthGuard)
@UseFilters(MastodonApiExceptionFilter)
@Controller('api')
export class StatusesController {
  constructor(
    private readonly statuses: MastodonStatuses,
    private readonly media: MastodonMediaStore,
    private readonly bookmarks: Bookmarks,
    private readonly context: MastodonContext,
  ) {}

  @Get('v1/statuses/:id')
  status(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.status(user, id, this.context.of(req));
  }

  @Get('v1/statuses/:id/context')
  thread(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.context(user, id, this.context.of(req));
  }

  @Post('v1/statuses')
  @HttpCode(200)
  create(
    @Member() user: AuthenticatedUser,
    @Body() body: NewStatus,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
  ) {
    return this.statuses.create(user, body ?? {}, idempotencyKey || null, this.context.of(req));
  }

  @Put('v1/statuses/:id')
  edit(
    @Member() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() body: NewStatus,
    @Req() req: Request,
  ) {
    return this.statuses.edit(user, id, body ?? {}, this.context.of(req));
  }

  @Get('v1/statuses/:id/source')
  source(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    return this.statuses.source(user, id);
  }

  @Delete('v1/statuses/:id')
  remove(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.remove(user, id, this.context.of(req));
  }

  @Post('v1/statuses/:id/favourite')
  @HttpCode(200)
  favourite(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.act(user, id, ActionKind.Like, this.context.of(req));
  }

  @Post('v1/statuses/:id/unfavourite')
  @HttpCode(200)
  unfavourite(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.act(user, id, ActionKind.Unlike, this.context.of(req));
  }

  @Post('v1/statuses/:id/reblog')
  @HttpCode(200)
  reblog(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.act(user, id, ActionKind.Repost, this.context.of(req));
  }

  @Post('v1/statuses/:id/unreblog')
  @HttpCode(200)
  unreblog(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.statuses.act(user, id, ActionKind.Unrepost, this.context.of(req));
  }

  @Post('v1/statuses/:id/bookmark')
  @HttpCode(200)
  async bookmark(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    const post = await this.statuses.visiblePost(user.id, id);
    await this.bookmarks.set(user.id, String(post.id), true);
    return this.statuses.status(user, id, this.context.of(req));
  }

  @Post('v1/statuses/:id/unbookmark')
  @HttpCode(200)
  async unbookmark(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    const post = await this.statuses.visiblePost(user.id, id);
    await this.bookmarks.set(user.id, String(post.id), false);
    return this.statuses.status(user, id, this.context.of(req));
  }

  @Get('v1/polls/:id')
  poll(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    return this.statuses.poll(user, id);
  }

  @Post('v1/polls/:id/votes')
  @HttpCode(200)
  vote(@Member() user: AuthenticatedUser, @Param('id') id: string, @Body() body: { choices?: unknown }) {
    return this.statuses.vote(user, id, body?.choices);
  }

  @Get('v1/bookmarks')
  async bookmarked(
    @Member() user: AuthenticatedUser,
    @Query() query: PageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const page = await this.bookmarks.page(user, query, this.context.url(req), this.context.of(req));
    if (page.link) res.setHeader('Link', page.link);
    return page.statuses;
  }

  @Get(['v1/statuses/:id/favourited_by', 'v1/statuses/:id/reblogged_by'])
  async who(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    await this.statuses.visiblePost(user.id, id);
    // The networks' lists of who liked or reposted are not read through Tributary.
    return [];
  }

  @Post(['v2/media', 'v1/media'])
  @HttpCode(200)
  @UseInterceptors(upload)
  uploadMedia(
    @Member() user: AuthenticatedUser,
    @UploadedFile() file: { mimetype: string; buffer: Buffer } | undefined,
    @Body() body: { description?: unknown },
    @Req() req: Request,
  ) {
    return this.media.upload(this.context.of(req).baseUrl, user.id, file, body?.description);
  }

  @Get('v1/media/:id')
  mediaById(@Member() user: AuthenticatedUser, @Param('id') id: string, @Req() req: Request) {
    return this.media.get(this.context.of(req).baseUrl, user.id, id);
  }

  @Put('v1/media/:id')
  describe(
    @Member() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() body: { description?: unknown },
    @Req() req: Request,
  ) {
    return this.media.describe(this.context.of(req).baseUrl, user.id, id, body?.description);
  }
}
