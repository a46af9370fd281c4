import {
  Controller,
  Delete,
  Get,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from './http-types.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { Public } from '../auth/public.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MastodonLists } from './mastodon-lists.service.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard, Member } from './mastodon-auth.guard.js';
import { MastodonContext } from './mastodon-context.js';
import type { PageParams } from './pagination.js';
import { MastodonTimelines } from './timelines.service.js';
import type { StatusPageJson } from './timelines.service.js';

/** A page serialized already, sent as it is (Nest would serialize a Buffer as an object). */
function send(res: Response, page: StatusPageJson): void {
  if (page.link) res.setHeader('Link', page.link);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(page.json);
}

/** Home (the merged timeline, newest first) and each pipeline as a list, in its ranked order. */
@Public()
@UseGuards(MastodonAuthGuard)
@UseFilters(MastodonApiExceptionFilter)
@Controller('api/v1')
export class TimelinesController {
  constructor(
    private readonly timelines: MastodonTimelines,
    private readonly lists: MastodonLists,
    private readonly context: MastodonContext,
  ) {}

  @Get('timelines/home')
  async home(
    @Member() user: AuthenticatedUser,
    @Query() query: PageParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.timelines.home(user, query, this.context.url(req), this.context.of(req)));
  }

  @Get('timelines/list/:id')
  async list(
    @Member() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: PageParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = await this.lists.read(id, (pipelineId) =>
      this.timelines.list(user, pipelineId, query, this.context.url(req), this.context.of(req)),
    );
    send(res, page);
  }

  @Get('lists')
  all(@Member() user: AuthenticatedUser) {
    return this.lists.all(user);
  }

  @Get('lists/:id')
  one(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    return this.lists.one(user, id);
  }

  @Get('lists/:id/accounts')
  async accounts(@Member() user: AuthenticatedUser, @Param('id') id: string) {
    await this.lists.pipelineOf(user, id);
    // A pipeline's sources are accounts' timelines and feeds, not a set of people.
    return [];
  }

  @Post('lists')
  create(): never {
    throw listsReadOnly();
  }

  @Put('lists/:id')
  update(): never {
    throw listsReadOnly();
  }

  @Delete('lists/:id')
  remove(): never {
    throw listsReadOnly();
  }

  @Get(['timelines/public', 'timelines/tag/:tag', 'timelines/link', 'timelines/direct'])
  unsupported() {
    // Tributary reads members' own timelines; there is no public or hashtag timeline to show.
    return [];
  }
}

const listsReadOnly = () =>
  new AppException(
    AppErrorCode.BadUserInput,
    'Lists are your Tributary pipelines: create and edit them in Tributary',
  );
