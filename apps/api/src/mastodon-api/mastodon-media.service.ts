import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { MASTODON_MAX_DESCRIPTION, countGraphemes } from '../actions/post-limits.js';

type Json = Record<string, unknown>;

export interface Upload {
  id: string;
  mimeType: string;
  data: Buffer;
  description: string | null;
}

/** What a media upload may be: images, which both networks take (each network's limits are checked at posting). */
const IMAGE = /^image\/(jpeg|png|webp|gif)$/;
/** Unused uploads are forgotten after a day, as Mastodon does. */
const UNUSED_TTL_MS = 24 * 3600_000;

/**
 * Uploads of `POST /api/v2/media`, kept until a status uses them (its draft then carries the bytes
 * to the networks, as GraphQL's createPost does). Ids are Mastodon ids of kind MEDIA.
 */
@Injectable()
export class MastodonMediaStore {
  constructor(
    private readonly db: PrismaService,
    private readonly ids: MastodonIds,
  ) {}

  async upload(
    baseUrl: string,
    userId: string,
    file: { mimetype: string; buffer: Buffer } | undefined,
    description: unknown,
  ): Promise<Json> {
    if (!file || file.buffer.length === 0)
      throw new AppException(AppErrorCode.BadUserInput, 'file: no file was sent');
    const mimeType = file.mimetype.toLowerCase();
    if (!IMAGE.test(mimeType)) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `file: ${mimeType} is not an image type both networks take (JPEG, PNG, WebP, GIF)`,
      );
    }
    const alt = this.description(description);
    // Old unused uploads go when new ones come: no housekeeping job for a rare leftover.
    await this.db.client.mastodonMedia.deleteMany({
      where: { userId, actionId: null, createdAt: { lt: new Date(Date.now() - UNUSED_TTL_MS) } },
    });
    const row = await this.db.client.mastodonMedia.create({
      data: { userId, mimeType, data: new Uint8Array(file.buffer), description: alt },
    });
    return this.attachment(baseUrl, row);
  }

  async get(baseUrl: string, userId: string, mediaId: string): Promise<Json> {
    return this.attachment(baseUrl, await this.find(userId, mediaId));
  }

  async describe(baseUrl: string, userId: string, mediaId: string, description: unknown): Promise<Json> {
    const row = await this.find(userId, mediaId);
    const updated = await this.db.client.mastodonMedia.update({
      where: { id: row.id },
      data: { description: this.description(description) },
    });
    return this.attachment(baseUrl, updated);
  }

  /** The member's unused uploads by Mastodon id, in the order given; NOT_FOUND names a missing one. */
  async take(userId: string, mediaIds: readonly string[]): Promise<Upload[]> {
    const uploads: Upload[] = [];
    for (const mediaId of mediaIds) {
      const row = await this.find(userId, mediaId);
      if (row.actionId)
        throw new AppException(
          AppErrorCode.BadUserInput,
          `media_ids: ${mediaId} is already attached to a status`,
        );
      uploads.push({
        id: row.id,
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

  async attachments(baseUrl: string, userId: string, actionId: string): Promise<Json[]> {
    const rows = await this.db.client.mastodonMedia.findMany({
      where: { userId, actionId },
      orderBy: { createdAt: 'asc' },
    });
    return Promise.all(rows.map((row) => this.attachment(baseUrl, row)));
  }

  private description(value: unknown): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string')
      throw new AppException(AppErrorCode.BadUserInput, 'description: expected text');
    if (countGraphemes(value) > MASTODON_MAX_DESCRIPTION) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `description: at most ${MASTODON_MAX_DESCRIPTION} characters`,
      );
    }
    return value;
  }

  private async find(userId: string, mediaId: string) {
    const named = await this.ids.resolve(mediaId);
    const id = named?.kind === 'MEDIA' && named.key.startsWith('upload ') ? named.key.slice(7) : null;
    // Scoped by owner: another member's upload is not found.
    const row = id ? await this.db.client.mastodonMedia.findFirst({ where: { id, userId } }) : null;
    if (!row) throw new AppException(AppErrorCode.NotFound, 'Record not found');
    return row;
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

  private async attachment(
    baseUrl: string,
    row: { id: string; mimeType: string; description: string | null; createdAt: Date },
  ): Promise<Json> {
    const id = await this.ids.id({ kind: 'MEDIA', key: `upload ${row.id}`, at: row.createdAt.getTime() });
    const url = `${baseUrl}/system/media_attachments/${row.id}`;
    return {
      id,
      type: 'image',
      url,
      preview_url: url,
      remote_url: null,
      description: row.description,
      blurhash: null,
      meta: null,
    };
  }
}
