import { Injectable } from '@nestjs/common';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MediaUploads } from '../media/media-uploads.service.js';
import type { FieldNames, MediaUpload, TakenUpload } from '../media/media-uploads.service.js';

type Json = Record<string, unknown>;

/** Mastodon's names for the upload's fields, in its messages. */
const NAMES: FieldNames = { file: 'file', description: 'description', ids: 'media_ids' };

/** Mastodon's answer for an id it does not know (or that is another's). */
async function mastodonNotFound<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppException && error.code === AppErrorCode.NotFound)
      throw new AppException(AppErrorCode.NotFound, 'Record not found');
    throw error;
  }
}

/**
 * `POST /api/v2/media` and its kin over the one store of uploads (MediaUploads, shared with
 * GraphQL's uploadMedia): uploads as MediaAttachment entities, kept until a status uses them (its
 * draft then carries the bytes to the networks, as GraphQL's createPost does).
 */
@Injectable()
export class MastodonMediaStore {
  constructor(private readonly uploads: MediaUploads) {}

  async upload(
    baseUrl: string,
    userId: string,
    file: { mimetype: string; buffer: Buffer } | undefined,
    description: unknown,
  ): Promise<Json> {
    const given = file ? { mimeType: file.mimetype, data: file.buffer } : undefined;
    return attachment(baseUrl, await this.uploads.upload(userId, given, description, NAMES));
  }

  async get(baseUrl: string, userId: string, mediaId: string): Promise<Json> {
    return attachment(baseUrl, await mastodonNotFound(this.uploads.get(userId, mediaId)));
  }

  async describe(baseUrl: string, userId: string, mediaId: string, description: unknown): Promise<Json> {
    return attachment(
      baseUrl,
      await mastodonNotFound(this.uploads.describe(userId, mediaId, description, NAMES)),
    );
  }

  /** The member's unused uploads by Mastodon id, in the order given; NOT_FOUND names a missing one. */
  take(userId: string, mediaIds: readonly string[]): Promise<TakenUpload[]> {
    return mastodonNotFound(this.uploads.take(userId, mediaIds, NAMES));
  }

  /** Marks uploads as used by an action (they stay readable as its attachments). */
  used(userId: string, uploadIds: readonly string[], actionId: string): Promise<void> {
    return this.uploads.used(userId, uploadIds, actionId);
  }

  async attachments(baseUrl: string, userId: string, actionId: string): Promise<Json[]> {
    return (await this.uploads.attachments(userId, actionId)).map((u) => attachment(baseUrl, u));
  }

  /** The bytes of an upload, by its (unguessable) row id: public like any posted image. */
  file(uploadId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    return this.uploads.file(uploadId);
  }
}

function attachment(baseUrl: string, upload: MediaUpload): Json {
  const url = mediaUrl(baseUrl, upload.uploadId);
  const original =
    upload.width !== null && upload.height !== null
      ? {
          width: upload.width,
          height: upload.height,
          size: `${upload.width}x${upload.height}`,
          aspect: upload.width / upload.height,
        }
      : null;
  return {
    id: upload.id,
    type: 'image',
    url,
    preview_url: url,
    remote_url: null,
    description: upload.description,
    blurhash: null,
    meta: original ? { original } : null,
  };
}

/** Where an upload's file is served (DiscoveryController `system/media_attachments/:id`). */
export function mediaUrl(baseUrl: string, uploadId: string): string {
  return `${baseUrl}/system/media_attachments/${uploadId}`;
}
