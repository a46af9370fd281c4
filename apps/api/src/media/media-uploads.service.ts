import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { MASTODON_MAX_DESCRIPTION, countGraphemes } from '../actions/post-limits.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MastodonIds } from '../mastodon-api/ids/mastodon-ids.service.js';
import { imageInfo } from './image-info.js';
import type { ImageInfo } from './image-info.js';

/** Unused uploads are forgotten after a day, as Mastodon does. */
export const UNUSED_UPLOAD_TTL_MS = 24 * 3600_000;

/** A stored upload (a MastodonMedia row) with what its bytes say it is. */
export interface MediaUpload {
  /** The row's own id (uuid): what its file is served by. */
  uploadId: string;
  /** What clients name it by, in GraphQL and the Mastodon API alike. */
  id: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  description: string | null;
  /** The action (OutboundAction.id) that posted it; null while unused. */
  actionId: string | null;
  createdAt: Date;
}

/** An upload taken for a post: its bytes, to go to the networks with the draft. */
export interface TakenUpload {
  uploadId: string;
  mimeType: string;
  data: Buffer;
  description: string | null;
}

/** How the caller's API names its fields, for messages that point at them. */
export interface FieldNames {
  file: string;
  description: string;
  ids: string;
}

/** GraphQL's names (uploadMedia, createPost). */
export const GRAPHQL_NAMES: FieldNames = { file: 'data', description: 'altText', ids: 'mediaIds' };

type Row = {
  id: string;
  mimeType: string;
  data: Uint8Array;
  description: string | null;
  actionId: string | null;
  createdAt: Date;
};

/**
 * Media uploaded ahead of a post, through GraphQL (`uploadMedia`) or the Mastodon API
 * (`POST /api/v2/media`): one store (MastodonMedia) and one id per upload, the Mastodon API's id of
 * kind MEDIA, so either door's upload can be posted through either. An upload is checked once, when
 * it comes (an image of a type both networks take, by its bytes; the description's length), and is
 * ready at once: the networks get the bytes when the post is made. It is attached to the first post
 * that uses it, then readable as that post's attachment; an unused one is forgotten after a day.
 */
@Injectable()
export class MediaUploads {
  constructor(
    private readonly db: PrismaService,
    private readonly ids: MastodonIds,
  ) {}

  async upload(
    userId: string,
    file: { mimeType: string; data: Buffer } | undefined,
    description: unknown,
    names: FieldNames,
  ): Promise<MediaUpload> {
    if (!file || file.data.length === 0)
      throw new AppException(AppErrorCode.BadUserInput, `${names.file}: no file was sent`, {
        field: names.file,
      });
    const image = imageInfo(file.data);
    if (!image) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `${names.file}: the file is not an image both networks take (JPEG, PNG, WebP, GIF), whatever its name or type says`,
        { field: names.file },
      );
    }
    const alt = checkedDescription(description, names.description);
    // Old unused uploads go when new ones come: no housekeeping job for a rare leftover.
    await this.db.client.mastodonMedia.deleteMany({
      where: { userId, actionId: null, createdAt: { lt: new Date(Date.now() - UNUSED_UPLOAD_TTL_MS) } },
    });
    // The bytes say what the file is: a browser's guess from a file name does not.
    const row = await this.db.client.mastodonMedia.create({
      data: { userId, mimeType: image.mimeType, data: new Uint8Array(file.data), description: alt },
    });
    return this.present(row, image);
  }

  /** The member's upload named by `id`; NOT_FOUND for anyone else's. */
  async get(userId: string, id: string): Promise<MediaUpload> {
    return this.present(await this.find(userId, id));
  }

  async describe(userId: string, id: string, description: unknown, names: FieldNames): Promise<MediaUpload> {
    const row = await this.find(userId, id);
    const updated = await this.db.client.mastodonMedia.update({
      where: { id: row.id },
      data: { description: checkedDescription(description, names.description) },
    });
    return this.present(updated);
  }

  /** The member's unused uploads, in the order named; NOT_FOUND names a missing one. */
  async take(userId: string, ids: readonly string[], names: FieldNames): Promise<TakenUpload[]> {
    if (new Set(ids).size !== ids.length)
      throw new AppException(AppErrorCode.BadUserInput, `${names.ids}: an upload is named twice`, {
        field: names.ids,
      });
    const uploads: TakenUpload[] = [];
    for (const id of ids) {
      const row = await this.find(userId, id);
      if (row.actionId)
        throw new AppException(
          AppErrorCode.BadUserInput,
          `${names.ids}: ${id} is already attached to a post`,
          {
            field: names.ids,
          },
        );
      uploads.push({
        uploadId: row.id,
        mimeType: row.mimeType,
        data: Buffer.from(row.data),
        description: row.description,
      });
    }
    return uploads;
  }

  /** Marks uploads as used by an action (they stay readable as its attachments). */
  async used(userId: string, uploadIds: readonly string[], actionId: string): Promise<void> {
    if (uploadIds.length === 0) return;
    await this.db.client.mastodonMedia.updateMany({
      where: { userId, id: { in: [...uploadIds] } },
      data: { actionId },
    });
  }

  /** The uploads an action posted, oldest first. */
  async attachments(userId: string, actionId: string): Promise<MediaUpload[]> {
    const rows = await this.db.client.mastodonMedia.findMany({
      where: { userId, actionId },
      orderBy: { createdAt: 'asc' },
    });
    return Promise.all(rows.map((row) => this.present(row)));
  }

  /** The bytes of an upload, by its (unguessable) row id: public like any posted image. */
  async file(uploadId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    if (!/^[0-9a-f-]{36}$/.test(uploadId)) return null;
    const row = await this.db.client.mastodonMedia.findUnique({
      where: { id: uploadId },
      select: { mimeType: true, data: true },
    });
    return row ? { mimeType: row.mimeType, data: Buffer.from(row.data) } : null;
  }

  private async find(userId: string, id: string): Promise<Row> {
    const named = await this.ids.resolve(id);
    const uploadId = named?.kind === 'MEDIA' && named.key.startsWith('upload ') ? named.key.slice(7) : null;
    // Scoped by owner: another member's upload is not found.
    const row = uploadId
      ? await this.db.client.mastodonMedia.findFirst({ where: { id: uploadId, userId } })
      : null;
    if (!row) throw new AppException(AppErrorCode.NotFound, 'media upload not found');
    return row;
  }

  private async present(row: Row, known?: ImageInfo): Promise<MediaUpload> {
    const image = known ?? imageInfo(row.data);
    return {
      uploadId: row.id,
      id: await this.ids.id({ kind: 'MEDIA', key: `upload ${row.id}`, at: row.createdAt.getTime() }),
      mimeType: row.mimeType,
      size: row.data.length,
      width: image?.width ?? null,
      height: image?.height ?? null,
      description: row.description,
      actionId: row.actionId,
      createdAt: row.createdAt,
    };
  }
}

function checkedDescription(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string')
    throw new AppException(AppErrorCode.BadUserInput, `${field}: expected text`, { field });
  if (countGraphemes(value) > MASTODON_MAX_DESCRIPTION) {
    throw new AppException(
      AppErrorCode.BadUserInput,
      `${field}: at most ${MASTODON_MAX_DESCRIPTION} characters`,
      {
        field,
      },
    );
  }
  return value;
}
