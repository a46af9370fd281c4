import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard } from './mastodon-auth.guard.js';

/**
 * What apps merely touch at start-up or on a tab nobody opens here: answered 200 with nothing,
 * never 404, which some apps take for a broken server (INTEROP.md §4).
 */
@Public()
@UseFilters(MastodonApiExceptionFilter)
@Controller('api')
export class StubsController {
  @Get([
    'v1/custom_emojis',
    'v1/announcements',
    'v1/trends',
    'v1/trends/tags',
    'v1/trends/statuses',
    'v1/trends/links',
  ])
  public(): never[] {
    return [];
  }

  @UseGuards(MastodonAuthGuard)
  @Get([
    'v1/filters',
    'v2/filters',
    'v1/followed_tags',
    'v1/suggestions',
    'v2/suggestions',
    'v1/conversations',
    'v1/follow_requests',
    'v1/mutes',
    'v1/blocks',
    'v1/domain_blocks',
    'v1/scheduled_statuses',
    'v1/favourites',
    'v1/endorsements',
    'v1/featured_tags',
  ])
  member(): never[] {
    return [];
  }
}
