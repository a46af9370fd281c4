import { Module } from '@nestjs/common';
import { PluginCatalog } from './plugin-catalog.js';
import { TimelinePublisher } from './timeline-publisher.js';
import { TimelineService } from './timeline.service.js';

/** Needs the global config and database modules of the app that imports it. */
@Module({
  providers: [TimelineService, PluginCatalog, TimelinePublisher],
  exports: [TimelineService, PluginCatalog],
})
export class TimelineModule {}
