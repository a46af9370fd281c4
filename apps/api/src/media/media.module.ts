import { Module } from '@nestjs/common';
import { MastodonIds } from '../mastodon-api/ids/mastodon-ids.service.js';
import { MediaResolver } from './media.resolver.js';
import { MediaUploads } from './media-uploads.service.js';

@Module({
  providers: [MediaUploads, MediaResolver, MastodonIds],
  exports: [MediaUploads],
})
export class MediaModule {}
