import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { TimelineReader } from '../timeline/timeline-reader.service.js';
import { mapStream } from './event-stream.js';
import { TimelineUpdateModel } from './timeline-update.model.js';
import { UserEventsService } from './user-events.service.js';

@Resolver()
export class TimelineUpdatesResolver {
  constructor(
    private readonly events: UserEventsService,
    private readonly timeline: TimelineReader,
  ) {}

  @Subscription(() => TimelineUpdateModel, {
    description:
      "New items of one of the caller's pipelines (omitted: the default pipeline at the time of subscribing), " +
      'and rebuilds. Items are read like `timeline` reads them; an update whose items are all hidden is not sent ' +
      'unless includeHidden.',
    resolve: (update: TimelineUpdateModel) => update,
  })
  async timelineUpdated(
    @CurrentUser() user: AuthenticatedUser,
    @Args('pipeline', { type: () => ID, nullable: true }) pipelineId?: string | null,
    @Args('includeHidden', { defaultValue: false }) includeHidden?: boolean,
  ) {
    // NOT_FOUND for a pipeline that is not the caller's, before anything is subscribed.
    const pipeline = await this.timeline.ownedPipeline(user.id, pipelineId);
    const events = await this.events.timeline(user.id, pipeline.id);
    return mapStream(events, async (event): Promise<TimelineUpdateModel | null> => {
      if (event.userId !== user.id || !('pipelineId' in event) || event.pipelineId !== pipeline.id)
        return null;
      if (event.type === 'timeline-rebuilt') return { pipelineId: pipeline.id, items: [], rebuilt: true };
      if (event.type !== 'timeline-entries') return null;
      const items = await this.timeline.itemsByEntryIds(
        user.id,
        pipeline.id,
        event.entryIds,
        includeHidden ?? false,
      );
      return items.length > 0 ? { pipelineId: pipeline.id, items, rebuilt: false } : null;
    });
  }
}
