import { Injectable } from '@nestjs/common';
import type { JobPayloads } from '@tributary/queue';
import { TimelineInputError, TimelineService } from '@tributary/timeline';
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * The `pipeline` queue: new posts through every pipeline of their user, and rebuilds of an edited
 * pipeline with progress. Both are idempotent upserts (see TimelineService), so a retry after a
 * crash mid-batch leaves one entry per post.
 */
@Injectable()
export class PipelineService {
  constructor(private readonly timeline: TimelineService) {}

  @JobHandler('run-pipelines')
  async run({ userId, postIds }: JobPayloads['run-pipelines']) {
    return this.unrecoverableOnBadInput(() => this.timeline.runPipelines(userId, postIds));
  }

  @JobHandler('rebuild-timeline')
  async rebuild({ pipelineId, version }: JobPayloads['rebuild-timeline'], job: Job) {
    return this.unrecoverableOnBadInput(() =>
      this.timeline.rebuild(pipelineId, version, (progress) => job.updateProgress({ ...progress })),
    );
  }

  private async unrecoverableOnBadInput<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // A malformed payload fails the same way every time: no retries.
      if (error instanceof TimelineInputError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
