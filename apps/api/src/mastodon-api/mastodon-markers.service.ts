import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { InvalidCursorError, encodeCursor, readCursor } from '@tributary/timeline';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { ReadPositionService } from '../timeline/read-position.service.js';
import { TimelineReader } from '../timeline/timeline-reader.service.js';
import { postKey, parsePostKey, reblogKey, reblogPostKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import type { Network, RepostReason } from '@tributary/core';

type Json = Record<string, unknown>;

/**
 * The `home` marker is the default pipeline's read position, the one GraphQL's `markRead` sets (and
 * the worker mirrors to the member's Mastodon accounts): one reading position for every client.
 */
@Injectable()
export class MastodonMarkers {
  constructor(
    private readonly db: PrismaService,
    private readonly reader: TimelineReader,
    private readonly readPositions: ReadPositionService,
    private readonly ids: MastodonIds,
  ) {}

  async get(user: AuthenticatedUser, timelines: readonly string[]): Promise<Json> {
    const out: Json = {};
    if (timelines.length === 0 || timelines.includes('home')) {
      const home = await this.home(user);
      if (home) out['home'] = home;
    }
    return out;
  }

  async set(user: AuthenticatedUser, body: Record<string, unknown>): Promise<Json> {
    const home = body['home'] as { last_read_id?: unknown } | undefined;
    const id = typeof home?.last_read_id === 'string' ? home.last_read_id : null;
    if (id !== null) {
      const pipeline = await this.reader.ownedPipeline(user.id, null);
      const named = await this.ids.resolve(id);
      const key =
        named?.kind === 'POST' ? named.key : named?.kind === 'REBLOG' ? reblogPostKey(named.key) : null;
      const post = key ? parsePostKey(key) : null;
      const position = post
        ? await this.reader.positionOfPost(pipeline.id, post.network, post.uri, 'rank')
        : null;
      if (!position) {
        throw new AppException(
          AppErrorCode.BadUserInput,
          'home.last_read_id: not a status of your home timeline',
        );
      }
      await this.readPositions.markRead(
        user.id,
        pipeline.id,
        encodeCursor({ pipelineId: pipeline.id, rankKey: position.key, entryId: position.entryId }),
      );
    }
    return this.get(user, id !== null ? ['home'] : []);
  }

  /** The home marker: the status at the default pipeline's read position (as home shows it). */
  private async home(user: AuthenticatedUser): Promise<Json | null> {
    const pipeline = await this.db.client.pipeline.findFirst({
      where: { userId: user.id, isDefault: true },
      select: { readPosition: true, readPositionAt: true, readPositionVersion: true },
    });
    if (!pipeline?.readPosition) return null;
    let entryId: bigint;
    try {
      entryId = readCursor(pipeline.readPosition).entryId;
    } catch (error) {
      if (error instanceof InvalidCursorError) return null;
      throw error;
    }
    const [entry] = await this.db.client.$queryRawUnsafe<
      { network: Network; uri: string; reason: RepostReason | null; createdAt: Date }[]
    >(
      `SELECT p.network::text AS network, p.uri, e.reason, p."createdAt" FROM "TimelineEntry" e JOIN "Post" p ON p.id = e."postId"
       WHERE e.id = $1::bigint AND e."userId" = $2::uuid`,
      String(entryId),
      user.id,
    );
    if (!entry) return null;
    const id = await this.ids.id(
      entry.reason
        ? {
            kind: 'REBLOG',
            key: reblogKey(entry.network, entry.uri, entry.reason),
            at: Date.parse(entry.reason.at),
          }
        : { kind: 'POST', key: postKey(entry.network, entry.uri), at: entry.createdAt.getTime() },
    );
    return {
      last_read_id: id,
      version: pipeline.readPositionVersion,
      updated_at: (pipeline.readPositionAt ?? new Date()).toISOString(),
    };
  }
}
