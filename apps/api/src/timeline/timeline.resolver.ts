import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { TimelineConnectionModel } from './timeline-item.model.js';
import { MAX_PAGE_SIZE, TimelineReader } from './timeline-reader.service.js';

@Resolver()
export class TimelineResolver {
  constructor(private readonly reader: TimelineReader) {}

  @Query(() => TimelineConnectionModel, {
    description: `A page of a pipeline's timeline, highest rank first. Keyset-paged: pass \`pageInfo.endCursor\` as \`after\`; pages stay consistent while new posts arrive (they go on top).`,
  })
  timeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID, nullable: true, description: 'Omitted: the default pipeline.' })
    pipeline: string | null,
    @Args('first', { type: () => Int, defaultValue: 20, description: `1 to ${MAX_PAGE_SIZE}.` })
    first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('includeHidden', { defaultValue: false, description: 'Also the hidden items, with hiddenReason.' })
    includeHidden: boolean,
  ): Promise<TimelineConnectionModel> {
    return this.reader.page(user.id, pipeline, { first, after, includeHidden });
  }
}
