import { Module } from '@nestjs/common';
import { LinkedAccountsResolver } from './linked-accounts.resolver.js';
import { LinkedAccountsService } from './linked-accounts.service.js';

@Module({ providers: [LinkedAccountsService, LinkedAccountsResolver] })
export class AccountsModule {}
