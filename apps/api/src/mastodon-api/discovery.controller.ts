import { readFileSync } from 'node:fs';
import { Controller, Get, Inject, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from './http-types.js';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService } from '@tributary/db';
import { Public } from '../auth/public.decorator.js';
import {
  BLUESKY_MAX_GRAPHEMES,
  BLUESKY_MAX_IMAGE_BYTES,
  BLUESKY_MAX_IMAGES,
} from '../actions/post-limits.js';
import { MastodonLimits } from '../actions/mastodon-limits.service.js';
import { baseUrl } from './base-url.js';
import { MastodonApiExceptionFilter } from './mastodon-api.exception.js';
import { MastodonAuthGuard } from './mastodon-auth.guard.js';
import { MastodonMediaStore } from './mastodon-media.service.js';

const TRIBUTARY_VERSION = (
  JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
/**
 * Apps gate features on `version`: claim the Mastodon whose API this facade answers, and only that
 * (`api_versions.mastodon` 1: no grouped notifications, no quote posts yet).
 */
export const MASTODON_VERSION = `4.2.0 (compatible; Tributary ${TRIBUTARY_VERSION.split('.').slice(0, 2).join('.')})`;
const SOURCE_URL = 'https://github.com/tributary-social/tributary';
/** Bluesky's image types (the stricter network); Mastodon instances take these too. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
/** A 1×1 transparent PNG: the avatar and header of accounts that have none (strict clients need a URL). */
const MISSING_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

interface PostLimits {
  maxCharacters: number;
  maxMedia: number;
  imageSize: number;
}

/**
 * What apps read before and right after login (INTEROP.md §4): nodeinfo, instance v1 and v2. The
 * `configuration` limits are those that hold on every network the member posts to (a new status
 * goes to each), or Bluesky's, the stricter, before login.
 */
@Public()
@UseFilters(MastodonApiExceptionFilter)
@Controller()
export class DiscoveryController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly db: PrismaService,
    private readonly guard: MastodonAuthGuard,
    private readonly mastodonLimits: MastodonLimits,
    private readonly media: MastodonMediaStore,
  ) {}

  @Get('.well-known/nodeinfo')
  nodeinfoLinks(@Req() req: Request) {
    return {
      links: [
        {
          rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0',
          href: `${baseUrl(req, this.config)}/nodeinfo/2.0`,
        },
      ],
    };
  }

  @Get('nodeinfo/2.0')
  async nodeinfo() {
    const users = await this.db.client.user.count();
    return {
      version: '2.0',
      software: { name: 'tributary', version: TRIBUTARY_VERSION },
      // Nodeinfo 2.0 requires one protocol of its list; apps read `software`, and Mastodon's client
      // API is the one spoken here.
      protocols: ['activitypub'],
      services: { outbound: [], inbound: [] },
      usage: { users: { total: users, activeMonth: users, activeHalfyear: users }, localPosts: 0 },
      openRegistrations: false,
      metadata: { nodeName: 'Tributary' },
    };
  }

  @Get('api/v1/instance')
  async instanceV1(@Req() req: Request) {
    const base = baseUrl(req, this.config);
    const limits = await this.limitsFor(req);
    const users = await this.db.client.user.count();
    return {
      uri: new URL(base).host,
      title: 'Tributary',
      short_description: 'Your Bluesky and Mastodon timelines, merged and filtered by your own rules.',
      description: 'Your Bluesky and Mastodon timelines, merged and filtered by your own rules.',
      email: 'admin@invalid.example',
      version: MASTODON_VERSION,
      urls: { streaming_api: base.replace(/^http/, 'ws') },
      stats: { user_count: users, status_count: 0, domain_count: 0 },
      thumbnail: null,
      languages: ['en'],
      registrations: false,
      approval_required: false,
      invites_enabled: true,
      configuration: {
        accounts: { max_featured_tags: 0 },
        statuses: {
          max_characters: limits.maxCharacters,
          max_media_attachments: limits.maxMedia,
          characters_reserved_per_url: 23,
        },
        media_attachments: this.mediaConfiguration(limits),
        polls: {
          max_options: 4,
          max_characters_per_option: 50,
          min_expiration: 300,
          max_expiration: 2_629_746,
        },
      },
      contact_account: null,
      rules: [],
    };
  }

  @Get('api/v2/instance')
  async instanceV2(@Req() req: Request) {
    const base = baseUrl(req, this.config);
    const limits = await this.limitsFor(req);
    const users = await this.db.client.user.count();
    return {
      domain: new URL(base).host,
      title: 'Tributary',
      version: MASTODON_VERSION,
      source_url: SOURCE_URL,
      description: 'Your Bluesky and Mastodon timelines, merged and filtered by your own rules.',
      usage: { users: { active_month: users } },
      thumbnail: { url: `${base}/avatars/original/missing.png`, blurhash: null, versions: null },
      icon: [],
      languages: ['en'],
      configuration: {
        urls: {
          streaming: base.replace(/^http/, 'ws'),
          status: null,
          about: null,
          privacy_policy: null,
          terms_of_service: null,
        },
        accounts: { max_featured_tags: 0, max_pinned_statuses: 0 },
        statuses: {
          max_characters: limits.maxCharacters,
          max_media_attachments: limits.maxMedia,
          characters_reserved_per_url: 23,
        },
        media_attachments: { ...this.mediaConfiguration(limits), description_limit: 1500 },
        polls: {
          max_options: 4,
          max_characters_per_option: 50,
          min_expiration: 300,
          max_expiration: 2_629_746,
        },
        translation: { enabled: false },
      },
      registrations: { enabled: false, approval_required: false, message: null, url: null },
      api_versions: { mastodon: 1 },
      contact: { email: 'admin@invalid.example', account: null },
      rules: [],
    };
  }

  @Get(['avatars/original/missing.png', 'headers/original/missing.png'])
  missingImage(@Res() res: Response) {
    res.set({ 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=86400' }).send(MISSING_PNG);
  }

  @Get('system/media_attachments/:id')
  async mediaFile(@Param('id') id: string, @Res() res: Response) {
    const file = await this.media.file(id);
    if (!file) {
      res.status(404).json({ error: 'Record not found' });
      return;
    }
    res
      .set({
        'Content-Type': file.mimeType,
        'Cache-Control': 'public, max-age=86400',
        'X-Content-Type-Options': 'nosniff',
      })
      .send(file.data);
  }

  private mediaConfiguration(limits: PostLimits) {
    return {
      supported_mime_types: IMAGE_TYPES,
      image_size_limit: limits.imageSize,
      image_matrix_limit: 16_777_216,
      video_size_limit: 0,
      video_frame_rate_limit: 0,
      video_matrix_limit: 0,
    };
  }

  /** The limits of the caller's networks (a status goes to each), else Bluesky's. */
  private async limitsFor(req: Request): Promise<PostLimits> {
    const bluesky: PostLimits = {
      maxCharacters: BLUESKY_MAX_GRAPHEMES,
      maxMedia: BLUESKY_MAX_IMAGES,
      imageSize: BLUESKY_MAX_IMAGE_BYTES,
    };
    const caller = await this.guard.caller(req).catch(() => null);
    if (!caller?.user) return bluesky;
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { userId: caller.user.id },
      select: { network: true, serviceUrl: true },
    });
    if (accounts.length === 0) return bluesky;
    let limits: PostLimits = { maxCharacters: Infinity, maxMedia: Infinity, imageSize: Infinity };
    for (const account of accounts) {
      const own: PostLimits =
        account.network === 'BLUESKY'
          ? bluesky
          : await this.mastodonLimits.of(account.serviceUrl).then(
              (l) => ({
                maxCharacters: l.maxCharacters,
                maxMedia: l.maxMediaAttachments,
                imageSize: l.imageSizeLimit ?? Infinity,
              }),
              () => ({ maxCharacters: 500, maxMedia: 4, imageSize: Infinity }),
            );
      limits = {
        maxCharacters: Math.min(limits.maxCharacters, own.maxCharacters),
        maxMedia: Math.min(limits.maxMedia, own.maxMedia),
        imageSize: Math.min(limits.imageSize, own.imageSize),
      };
    }
    return { ...limits, imageSize: Number.isFinite(limits.imageSize) ? limits.imageSize : 16 * 1024 * 1024 };
  }
}
