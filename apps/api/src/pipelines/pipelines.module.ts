import { Module } from '@nestjs/common';
import { TimelineModule } from '@tributary/timeline';
import { PipelinesResolver } from './pipelines.resolver.js';
import { PipelinesService } from './pipelines.service.js';

/** Pipelines over GraphQL; validation and previews use libs/timeline (its plugin catalog and candidates). */
@Module({
  imports: [TimelineModule],
  providers: [PipelinesService, PipelinesResolver],
  exports: [PipelinesService],
})
export class PipelinesModule {}
