import { Module } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { ActionsModule } from '../actions/actions.module.js';
import { ProfilesResolver } from './profiles.resolver.js';
import { ProfilesService } from './profiles.service.js';

@Module({
  imports: [AccountsModule, ActionsModule],
  providers: [ProfilesService, ProfilesResolver],
  exports: [ProfilesService],
})
export class ProfilesModule {}
