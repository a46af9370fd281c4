import { Module } from '@nestjs/common';
import { TimelineReader } from './timeline-reader.service.js';
import { TimelineResolver } from './timeline.resolver.js';

@Module({
  providers: [TimelineReader, TimelineResolver],
  exports: [TimelineReader],
})
export class TimelineModule {}
