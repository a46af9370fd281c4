import { Resolver, Subscription } from '@nestjs/graphql';
import { LinkedAccountModel } from '../accounts/linked-account.model.js';
import { LinkedAccountsService } from '../accounts/linked-accounts.service.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { mapStream } from './event-stream.js';
import { UserEventsService } from './user-events.service.js';

@Resolver()
export class AccountStatusResolver {
  constructor(
    private readonly events: UserEventsService,
    private readonly accounts: LinkedAccountsService,
  ) {}

  @Subscription(() => LinkedAccountModel, {
    description: "One of the caller's linked accounts changed status (e.g. to NEEDS_REAUTH), as it is now.",
    resolve: (account: LinkedAccountModel) => account,
  })
  async accountStatusChanged(@CurrentUser() user: AuthenticatedUser) {
    const events = await this.events.accountStatus(user.id);
    return mapStream(events, async (event) => {
      if (event.type !== 'account-status' || event.userId !== user.id) return null;
      // Read through the same user-scoped query as `linkedAccounts`; an account unlinked since is skipped.
      return this.accounts.get(user.id, event.accountId).catch((error: unknown) => {
        if (error instanceof AppException && error.code === AppErrorCode.NotFound) return null;
        throw error;
      });
    });
  }
}
