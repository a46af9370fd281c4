import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { FeedInteractionsService } from './feed-interactions.service.js';
import type { InteractionsInput } from './feed-interactions.service.js';
import { DEFAULT_LIMIT, FeedSkeletonService } from './feed-skeleton.service.js';
import type { FeedSkeleton } from './feed-skeleton.service.js';
import { PublishedFeedsService } from './published-feeds.service.js';
import { XrpcException, didDocument } from './service-did.js';

/**
 * The feed generator's HTTP side (INTEROP.md §3): the did:web document and the XRPC methods the
 * AppView calls. Public routes: each XRPC request proves its viewer with a service JWT instead.
 */
@Public()
@Controller()
export class FeedGeneratorController {
  constructor(
    private readonly skeletons: FeedSkeletonService,
    private readonly feeds: PublishedFeedsService,
    private readonly interactions: FeedInteractionsService,
  ) {}

  @Get('.well-known/did.json')
  didJson() {
    return didDocument(this.did(), this.feeds.publicUrl());
  }

  @Get('xrpc/app.bsky.feed.describeFeedGenerator')
  async describe() {
    return { did: this.did(), feeds: (await this.feeds.allUris()).map((uri) => ({ uri })) };
  }

  @Get('xrpc/app.bsky.feed.getFeedSkeleton')
  getFeedSkeleton(
    @Headers('authorization') authorization: string | undefined,
    @Query('feed') feed: unknown,
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<FeedSkeleton> {
    if (typeof feed !== 'string' || !feed.startsWith('at://')) {
      throw new XrpcException(400, 'InvalidRequest', 'feed: expected an at:// URI');
    }
    if (cursor !== undefined && typeof cursor !== 'string') {
      throw new XrpcException(400, 'InvalidRequest', 'cursor: expected one string');
    }
    const n =
      limit === undefined
        ? DEFAULT_LIMIT
        : typeof limit === 'string' && /^\d{1,3}$/.test(limit)
          ? +limit
          : NaN;
    return this.skeletons.skeleton(authorization, { feed, limit: n, cursor: cursor || null });
  }

  @Post('xrpc/app.bsky.feed.sendInteractions')
  @HttpCode(200)
  async sendInteractions(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: InteractionsInput,
  ): Promise<Record<string, never>> {
    await this.interactions.receive(authorization, body);
    return {};
  }

  private did(): string {
    const did = this.skeletons.serviceDid;
    if (!did) throw new XrpcException(404, 'NotFound', 'this instance has no PUBLIC_URL: no feed generator');
    return did;
  }
}
