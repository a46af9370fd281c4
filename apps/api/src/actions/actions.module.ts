import { Module } from '@nestjs/common';
import { AccountsModule } from '@tributary/accounts';
import { MediaModule } from '../media/media.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { ActionsReader } from './actions-reader.service.js';
import { ActionsResolver } from './actions.resolver.js';
import { ActionsService } from './actions.service.js';
import { MastodonLimits } from './mastodon-limits.service.js';

@Module({
  imports: [AccountsModule, PostsModule, MediaModule],
  providers: [ActionsReader, ActionsService, MastodonLimits, ActionsResolver],
  exports: [ActionsReader, ActionsService, MastodonLimits],
})
export class ActionsModule {}
