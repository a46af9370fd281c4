import { Module } from '@nestjs/common';
import { PluginCatalog } from './plugin-catalog.js';
import { TimelineService } from './timeline.service.js';
import { TrustedPluginInstaller } from './trusted-plugins.js';
import { FilterListCatalog } from './filter-lists/filter-list-catalog.js';
import { FilterListService } from './filter-lists/filter-list.service.js';

/** Needs the global config, database and queue modules of the app that imports it. */
@Module({
  providers: [TimelineService, PluginCatalog, TrustedPluginInstaller, FilterListCatalog, FilterListService],
  exports: [TimelineService, PluginCatalog, FilterListCatalog, FilterListService],
})
export class TimelineModule {}
