import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { ActionModel } from './action.model.js';
import { ActionsReader, MAX_ACTIONS_PAGE } from './actions-reader.service.js';

@Resolver(() => ActionModel)
export class ActionsResolver {
  constructor(private readonly reader: ActionsReader) {}

  @Query(() => ActionModel, { nullable: true, description: 'One of your actions; null if there is none with this id.' })
  action(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.reader.byId(user.id, id);
  }

  @Query(() => [ActionModel], { description: `Your most recent actions, newest first (at most ${MAX_ACTIONS_PAGE}).` })
  actions(
    @CurrentUser() user: AuthenticatedUser,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
  ) {
    if (first < 1 || first > MAX_ACTIONS_PAGE) {
      throw new AppException(AppErrorCode.BadUserInput, `first: must be between 1 and ${MAX_ACTIONS_PAGE}`, { field: 'first' });
    }
    return this.reader.recent(user.id, first);
  }
}
