import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';

type Json = Record<string, unknown>;

/** Each of the member's pipelines as a Mastodon list (its ranked order is what a list view keeps). */
@Injectable()
export class MastodonLists {
  constructor(
    private readonly db: PrismaService,
    private readonly ids: MastodonIds,
  ) {}

  async all(user: AuthenticatedUser): Promise<Json[]> {
    const pipelines = await this.db.client.pipeline.findMany({
      where: { userId: user.id },
      select: { id: true, name: true, createdAt: true },
      orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
    });
    const ids = await this.ids.ids(
      pipelines.map((p) => ({ kind: 'LIST', key: p.id, at: p.createdAt.getTime() })),
    );
    return pipelines.map((p) => list(ids.get('LIST', p.id), p.name));
  }

  async one(user: AuthenticatedUser, listId: string): Promise<Json> {
    const pipelineId = await this.pipelineOf(user, listId);
    const pipeline = await this.db.client.pipeline.findUniqueOrThrow({
      where: { id: pipelineId },
      select: { name: true },
    });
    return list(listId, pipeline.name);
  }

  /** The member's pipeline a list id names; NOT_FOUND for anything else (another member's included). */
  async pipelineOf(user: AuthenticatedUser, listId: string): Promise<string> {
    const named = await this.ids.resolve(listId);
    const pipeline =
      named?.kind === 'LIST'
        ? await this.db.client.pipeline.findFirst({
            where: { id: named.key, userId: user.id },
            select: { id: true },
          })
        : null;
    if (!pipeline) throw recordNotFound();
    return pipeline.id;
  }

  /**
   * `read` of the pipeline a list id names, for reads that keep to the member's own pipelines
   * themselves (a timeline page's statement does): one statement fewer than `pipelineOf` first.
   * NOT_FOUND as `pipelineOf` says it, for another member's pipeline included.
   */
  async read<T>(listId: string, read: (pipelineId: string) => Promise<T>): Promise<T> {
    const named = await this.ids.resolve(listId);
    if (named?.kind !== 'LIST') throw recordNotFound();
    try {
      return await read(named.key);
    } catch (error) {
      if (error instanceof AppException && error.code === AppErrorCode.NotFound) throw recordNotFound();
      throw error;
    }
  }
}

const recordNotFound = () => new AppException(AppErrorCode.NotFound, 'Record not found');

const list = (id: string, title: string): Json => ({ id, title, replies_policy: 'list', exclusive: false });
