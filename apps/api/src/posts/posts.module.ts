import { Module } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { PostAccessService } from './post-access.service.js';
import { PostRefResolver } from './post-ref.resolver.js';
import { PostsResolver } from './posts.resolver.js';
import { ThreadService } from './thread.service.js';

@Module({
  imports: [AccountsModule],
  providers: [PostAccessService, ThreadService, PostsResolver, PostRefResolver],
  exports: [PostAccessService, ThreadService],
})
export class PostsModule {}
