import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { JobQueue, rebuildJobId } from '@tributary/queue';
import type { JobPayloads } from '@tributary/queue';
import { JobHandler } from '../jobs/job-handler.decorator.js';

/**
 * Keeps a pipeline's `rebuild` state true to its job: a rebuild shown RUNNING either has a job
 * queued or running, or it says why it stopped.
 */
@Injectable()
export class RebuildWatch {
  private readonly logger = new Logger(RebuildWatch.name);

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * The rebuild job failed for good (attempts used up, or its worker died or hung more than once):
   * FAILED with the reason, unless the rebuild already recorded its own error or a newer version
   * replaced it.
   */
  async failed(
    { pipelineId, version }: Pick<JobPayloads['rebuild-timeline'], 'pipelineId' | 'version'>,
    reason: string,
  ) {
    await this.db.client.pipeline.updateMany({
      where: { id: pipelineId, version, rebuildState: 'RUNNING' },
      data: { rebuildState: 'FAILED', rebuildError: `the rebuild stopped: ${reason}`.slice(0, 500) },
    });
  }

  /**
   * Every minute: a RUNNING rebuild whose job failed gets FAILED (the worker that failed it may have
   * died first); one whose job is gone (Redis lost its data) is queued again. Its job id is the
   * pipeline's and version's, so a rebuild queued meanwhile by the API is the same job.
   */
  @JobHandler('check-rebuilds')
  async check(): Promise<{ requeued: number; failed: number }> {
    const running = await this.db.client.pipeline.findMany({
      where: { rebuildState: 'RUNNING' },
      select: { id: true, version: true, userId: true },
      orderBy: { updatedAt: 'asc' },
      take: 1000,
    });
    const queue = this.jobs.queue('rebuild-timeline');
    let requeued = 0;
    let failed = 0;
    for (const pipeline of running) {
      const job = await queue.getJob(rebuildJobId(pipeline.id, pipeline.version));
      if (job === undefined) {
        await this.jobs.enqueue('rebuild-timeline', {
          pipelineId: pipeline.id,
          version: pipeline.version,
          userId: pipeline.userId,
        });
        requeued += 1;
      } else if ((await job.getState()) === 'failed') {
        await this.failed({ pipelineId: pipeline.id, version: pipeline.version }, job.failedReason);
        failed += 1;
      }
    }
    if (requeued > 0) this.logger.warn(`queued again ${requeued} rebuild(s) whose job was lost`);
    return { requeued, failed };
  }
}
