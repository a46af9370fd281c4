import { Resolver, Subscription } from '@nestjs/graphql';
import { ActionModel } from '../actions/action.model.js';
import { ActionsReader } from '../actions/actions-reader.service.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { mapStream } from './event-stream.js';
import { UserEventsService } from './user-events.service.js';

@Resolver()
export class ActionUpdatesResolver {
  constructor(
    private readonly events: UserEventsService,
    private readonly actions: ActionsReader,
  ) {}

  @Subscription(() => ActionModel, {
    description: "One of the caller's actions (like, reply, post…) changed state, as it is now.",
    resolve: (action: ActionModel) => action,
  })
  async actionUpdated(@CurrentUser() user: AuthenticatedUser) {
    const events = await this.events.actions(user.id);
    return mapStream(events, async (event) =>
      // Read scoped by the user, like `action(id)`: an id that is not theirs is simply not found.
      event.type === 'action' && event.userId === user.id ? this.actions.byId(user.id, event.actionId) : null,
    );
  }
}
