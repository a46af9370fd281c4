import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AccountsModule } from '@tributary/accounts';
import { ConfigModule, loggerModule } from '@tributary/config';
import type { Config } from '@tributary/config';
import { QueueModule } from '@tributary/queue';
import { TimelineModule } from '@tributary/timeline';
import { JobHandlerRegistry } from './jobs/job-handler.registry.js';
import { QUEUE_PROCESSORS } from './jobs/queue.processors.js';
import { WorkerLifecycle } from './jobs/worker-lifecycle.service.js';
import { JobSchedules } from './jobs/job-schedules.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { PollService } from './ingest/poll.service.js';
import { HousekeepingService } from './maintenance/housekeeping.service.js';
import { WorkerRedis } from './streams/redis.provider.js';
import { PipelineService } from './pipelines/pipeline.service.js';
import { RebuildWatch } from './pipelines/rebuild-watch.service.js';
import { ReadMarkerService } from './timeline/read-marker.service.js';
import { MastodonStreamsService } from './streams/mastodon-streams.service.js';
import { BlueskyFirehoseService } from './streams/bluesky-firehose.service.js';
import { BlueskyFanoutService } from './streams/bluesky-fanout.service.js';
import { BlueskyStreamService } from './streams/bluesky-stream.service.js';
import { FollowEffectsService } from './streams/follow-effects.service.js';
import { BlueskyLabelsService } from './streams/bluesky-labels.service.js';
import { OriginDeletesService } from './streams/origin-deletes.service.js';
import { FanoutService } from './ingest/fanout.service.js';
import { ActionPerformer } from './actions/action-performer.service.js';
import { FilterListRefreshService } from './filter-lists/filter-list-refresh.service.js';
import { BlueskyListWatch } from './filter-lists/bluesky-list-watch.js';
import { NotificationSyncService } from './notifications/notification-sync.service.js';

@Module({})
export class WorkerModule {
  /**
   * @param database the database module opened by the launcher (shared with the API in
   *   single-process mode).
   */
  static forRoot(config: Config, database: DynamicModule): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggerModule(config),
        database,
        DiscoveryModule,
        QueueModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        AccountsModule,
        TimelineModule,
      ],
      providers: [
        JobHandlerRegistry,
        ...QUEUE_PROCESSORS,
        WorkerLifecycle,
        JobSchedules,
        IngestService,
        PollService,
        HousekeepingService,
        WorkerRedis,
        PipelineService,
        RebuildWatch,
        ReadMarkerService,
        MastodonStreamsService,
        BlueskyFirehoseService,
        BlueskyFanoutService,
        FollowEffectsService,
        BlueskyStreamService,
        BlueskyLabelsService,
        OriginDeletesService,
        FanoutService,
        ActionPerformer,
        FilterListRefreshService,
        BlueskyListWatch,
        NotificationSyncService,
      ],
    };
  }
}
