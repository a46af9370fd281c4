import { Module } from '@nestjs/common';
import { AccountsModule as AccountsFeatureModule } from '@tributary/accounts';
import { LinkedAccountsResolver } from './linked-accounts.resolver.js';
import { LinkedAccountsService } from './linked-accounts.service.js';

@Module({ imports: [AccountsFeatureModule], providers: [LinkedAccountsService, LinkedAccountsResolver] })
export class AccountsModule {}
