import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ReadPositionService } from './read-position.service.js';
import { TimelineConnectionModel } from './timeline-item.model.js';
import { MAX_PAGE_SIZE, TimelineReader } from './timeline-reader.service.js';

@Resolver()
export class TimelineResolver {
  constructor(
    private readonly reader: TimelineReader,
    private readonly readPositions: ReadPositionService,
  ) {}

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

  @Mutation(() => Boolean, {
    description:
      'Remember where the user stopped reading (`Pipeline.readPosition`, any device). For Mastodon accounts it also becomes the home marker.',
  })
  markRead(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID }) pipeline: string,
    @Args('position', {
      description: "A cursor of this pipeline's timeline (an edge's `cursor`): the last item read.",
    })
    position: string,
  ): Promise<boolean> {
    return this.readPositions.markRead(user.id, pipeline, position);
  }
}
