import { Module } from '@nestjs/common';
import { PluginCatalog } from './plugin-catalog.js';
import { TimelineService } from './timeline.service.js';
import { TrustedPluginInstaller } from './trusted-plugins.js';

/** Needs the global config, database and queue modules of the app that imports it. */
@Module({
  providers: [TimelineService, PluginCatalog, TrustedPluginInstaller],
  exports: [TimelineService, PluginCatalog],
})
export class TimelineModule {}
