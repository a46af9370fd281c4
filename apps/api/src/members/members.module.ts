import { Module } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { AuthModule } from '../auth/auth.module.js';
import { MemberDeletion } from './member-deletion.service.js';
import { MemberHealthResolver, MembersResolver } from './members.resolver.js';
import { MembersService } from './members.service.js';
import { MyDataService } from './my-data.service.js';

/** Members as administrators manage them, and members' rights over their own data. */
@Module({
  imports: [AuthModule, AccountsModule],
  providers: [MembersResolver, MemberHealthResolver, MembersService, MyDataService, MemberDeletion],
})
export class MembersModule {}
