import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { ActionsModule } from '../actions/actions.module.js';
import { TimelineModule } from '../timeline/timeline.module.js';
import { AccountStatusResolver } from './account-status.resolver.js';
import { ActionUpdatesResolver } from './action-updates.resolver.js';
import { TimelineUpdatesResolver } from './timeline-updates.resolver.js';
import { UserEventsService } from './user-events.service.js';

/**
 * GraphQL subscriptions fed by the worker's user events on Redis; each event is read back through
 * the same user-scoped services as the queries. The graphql-ws transport: LiveTransportModule.
 */
@Module({
  imports: [AccountsModule, ActionsModule, TimelineModule],
  providers: [UserEventsService, TimelineUpdatesResolver, AccountStatusResolver, ActionUpdatesResolver],
  exports: [UserEventsService],
})
export class LiveModule {}
