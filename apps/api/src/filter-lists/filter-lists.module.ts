import { Module } from '@nestjs/common';
import { TimelineModule } from '@tributary/timeline';
import { PipelinesModule } from '../pipelines/pipelines.module.js';
import { FilterListsResolver } from './filter-lists.resolver.js';
import { FilterListsApiService } from './filter-lists.service.js';

/** Filter-list subscriptions over GraphQL; the lists themselves live in libs/timeline. */
@Module({
  imports: [TimelineModule, PipelinesModule],
  providers: [FilterListsApiService, FilterListsResolver],
})
export class FilterListsModule {}
