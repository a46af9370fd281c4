import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { TimelineReader } from './timeline-reader.service.js';

/** Where the user stopped reading a pipeline's timeline, kept across devices and clients. */
@Injectable()
export class ReadPositionService {
  constructor(
    private readonly db: PrismaService,
    private readonly reader: TimelineReader,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Stores `position` (a cursor of this pipeline's timeline) and has the worker save it as the home
   * marker of the user's Mastodon accounts (the job reads the position current when it runs).
   */
  async markRead(userId: string, pipelineId: string, position: string): Promise<boolean> {
    const pipeline = await this.reader.ownedPipeline(userId, pipelineId);
    this.reader.position(position, pipeline.id, 'position');
    // Raw, so Pipeline.updatedAt keeps meaning "the pipeline was edited", not "someone read it".
    const updated = await this.db.client.$executeRawUnsafe(
      `UPDATE "Pipeline" SET "readPosition" = $1, "readPositionAt" = now() AT TIME ZONE 'UTC',
         "readPositionVersion" = "readPositionVersion" + 1
       WHERE id = $2::uuid AND "userId" = $3::uuid`,
      position,
      pipeline.id,
      userId,
    );
    if (updated === 0) throw new AppException(AppErrorCode.NotFound, 'pipeline not found'); // deleted meanwhile
    await this.jobs.enqueue('save-read-marker', { pipelineId: pipeline.id });
    return true;
  }
}
