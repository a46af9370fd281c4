import { Module } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { PostAccessService } from './post-access.service.js';
import { PostsResolver } from './posts.resolver.js';
import { ThreadService } from './thread.service.js';

@Module({
  imports: [AccountsModule],
  providers: [PostAccessService, ThreadService, PostsResolver],
  exports: [PostAccessService, ThreadService],
})
export class PostsModule {}
