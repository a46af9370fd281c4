import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import type { JobPayloads } from '@tributary/queue';
import { TimelineInputError, TimelineService } from '@tributary/timeline';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * The `pipeline` queue (new posts through every pipeline of their user) and the `rebuild` queue
 * (rebuilds of an edited pipeline with progress). Both are idempotent upserts (see
 * TimelineService), so a retry after a crash mid-batch leaves one entry per post.
 */
@Injectable()
export class PipelineService {
  constructor(
    private readonly timeline: TimelineService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @JobHandler('run-pipelines')
  async run({ userId, postIds }: JobPayloads['run-pipelines']) {
    return this.unrecoverableOnBadInput(() => this.timeline.runPipelines(userId, postIds));
  }

  @JobHandler('rebuild-timeline')
  async rebuild({ pipelineId, version }: JobPayloads['rebuild-timeline'], job: Job, token?: string) {
    const result = await this.unrecoverableOnBadInput(() =>
      this.timeline.rebuild(
        pipelineId,
        version,
        (progress) => job.updateProgress({ ...progress }),
        this.config.REBUILD_SLICE_MS,
      ),
    );
    if (!result.more) return result;
    // Slice spent: back to the queue (no attempt used), behind the jobs of other members at the
    // same priority; the next slice goes on where this one stopped.
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
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
