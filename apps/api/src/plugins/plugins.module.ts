import { Module } from '@nestjs/common';
import { TimelineModule } from '@tributary/timeline';
import { PluginsResolver } from './plugins.resolver.js';
import { PluginsService } from './plugins.service.js';

@Module({
  imports: [TimelineModule],
  providers: [PluginsService, PluginsResolver],
})
export class PluginsModule {}
