import { Module } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';

/** Needs the global config, database and queue modules of the app that imports it. */
@Module({ providers: [AccountsService], exports: [AccountsService] })
export class AccountsModule {}
