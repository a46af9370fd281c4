import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import type { AuthenticatedUser, GraphqlContext } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { base64Size } from '../actions/post-limits.js';
import { baseUrl } from '../mastodon-api/base-url.js';
import type { Request } from '../mastodon-api/http-types.js';
import { mediaUrl } from '../mastodon-api/mastodon-media.service.js';
import { MediaStateModel, MediaUploadModel } from './media.model.js';
import { GRAPHQL_NAMES, MediaUploads, UNUSED_UPLOAD_TTL_MS } from './media-uploads.service.js';
import type { MediaUpload } from './media-uploads.service.js';

const ALT_TEXT = {
  type: () => String,
  nullable: true,
  description: 'The description for people who cannot see it (Mastodon takes at most 1,500 characters).',
} as const;

/** Media as a step of its own: upload, describe, then post by id. */
@Resolver()
export class MediaResolver {
  constructor(
    private readonly uploads: MediaUploads,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Mutation(() => MediaUploadModel, {
    description:
      'Uploads an image for a later post (base64 in `data`; for binary, POST it as multipart `file` to /api/v2/media with the same token: the id it answers works here too). The file is checked now (JPEG, PNG, WebP or GIF, by its bytes); each network checks its limits when the post is made.',
  })
  async uploadMedia(
    @CurrentUser() user: AuthenticatedUser,
    @Context() context: GraphqlContext,
    @Args('data', { description: 'The file, base64-encoded.' }) data: string,
    @Args('altText', ALT_TEXT) altText: string | null,
    @Args('mimeType', {
      type: () => String,
      nullable: true,
      description: 'What the client believes it is; the bytes decide.',
    })
    mimeType: string | null,
  ): Promise<MediaUploadModel> {
    const clean = data.replace(/\s+/g, '');
    if (!base64Size(clean))
      throw new AppException(AppErrorCode.BadUserInput, 'data: must be the file as non-empty base64', {
        field: 'data',
      });
    const file = { mimeType: mimeType ?? 'application/octet-stream', data: Buffer.from(clean, 'base64') };
    return this.present(await this.uploads.upload(user.id, file, altText, GRAPHQL_NAMES), context);
  }

  @Mutation(() => MediaUploadModel, {
    description: "Changes an upload's description (before or after posting).",
  })
  async updateMedia(
    @CurrentUser() user: AuthenticatedUser,
    @Context() context: GraphqlContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('altText', ALT_TEXT) altText: string | null,
  ): Promise<MediaUploadModel> {
    return this.present(await this.uploads.describe(user.id, id, altText, GRAPHQL_NAMES), context);
  }

  @Query(() => MediaUploadModel, {
    nullable: true,
    description: 'One of your uploads; null if there is none with this id.',
  })
  async mediaUpload(
    @CurrentUser() user: AuthenticatedUser,
    @Context() context: GraphqlContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<MediaUploadModel | null> {
    try {
      return this.present(await this.uploads.get(user.id, id), context);
    } catch (error) {
      if (error instanceof AppException && error.code === AppErrorCode.NotFound) return null;
      throw error;
    }
  }

  private present(upload: MediaUpload, context: GraphqlContext): MediaUploadModel {
    // Over graphql-ws there is no request to take the host from: PUBLIC_URL, else a path.
    const base = context.req
      ? baseUrl(context.req as unknown as Request, this.config)
      : (this.config.PUBLIC_URL?.replace(/\/+$/, '') ?? '');
    return {
      id: upload.id,
      state: upload.actionId ? MediaStateModel.ATTACHED : MediaStateModel.READY,
      mimeType: upload.mimeType,
      size: upload.size,
      width: upload.width,
      height: upload.height,
      altText: upload.description,
      url: mediaUrl(base, upload.uploadId),
      createdAt: upload.createdAt,
      expiresAt: upload.actionId ? null : new Date(upload.createdAt.getTime() + UNUSED_UPLOAD_TTL_MS),
    };
  }
}
