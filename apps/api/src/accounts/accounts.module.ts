import { Module } from '@nestjs/common';
import { AccountsModule as AccountsFeatureModule } from '@tributary/accounts';
import { LinkedAccountsResolver } from './linked-accounts.resolver.js';
import { BlueskyOAuthController } from './bluesky-oauth.controller.js';
import { LinkedAccountsService } from './linked-accounts.service.js';
import { SourcesService } from './sources.service.js';

@Module({
  imports: [AccountsFeatureModule],
  controllers: [BlueskyOAuthController],
  providers: [LinkedAccountsService, SourcesService, LinkedAccountsResolver],
  exports: [LinkedAccountsService],
})
export class AccountsModule {}
