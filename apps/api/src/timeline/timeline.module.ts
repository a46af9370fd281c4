import { Module } from '@nestjs/common';
import { ReadPositionService } from './read-position.service.js';
import { TimelineReader } from './timeline-reader.service.js';
import { TimelineResolver } from './timeline.resolver.js';

@Module({
  providers: [TimelineReader, ReadPositionService, TimelineResolver],
  exports: [TimelineReader, ReadPositionService],
})
export class TimelineModule {}
