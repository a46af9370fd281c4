// app.bsky.feed.getFeedSkeleton: a published feed answers with its owner's pipeline, read through the
// same TimelineReader as GraphQL's `timeline`, and only to its owner, proven by the service JWT their
// PDS minted. Everyone else gets the placeholder post (how to link), never the owner's items.
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { ServiceAuthError, ServiceAuthVerifier } from '@tributary/connector-bluesky';
import { Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import type { TimelineItemModel } from '../timeline/timeline-item.model.js';
import { MAX_PAGE_SIZE, TimelineReader } from '../timeline/timeline-reader.service.js';
import { FEED_SERVICE_ID, XrpcException, serviceDidOf } from './service-did.js';

export const GET_FEED_SKELETON = 'app.bsky.feed.getFeedSkeleton';
export const DEFAULT_LIMIT = 50;
/**
 * Entries one answer reads at most once it has an item: Mastodon items without a Bluesky copy are
 * skipped, and the rest of the page waits for the next request.
 */
export const MAX_SCANNED = 500;
/**
 * ...and while it has none, since the AppView stops paging at an empty page: past this many
 * entries in a row the app cannot show, the feed ends there.
 */
export const MAX_SCANNED_EMPTY = 5000;
const REPOST_URI = /^at:\/\/[^/]+\/app\.bsky\.feed\.repost\/[^/]+$/;
const PLACEHOLDER_CONTEXT = 'placeholder';

export interface SkeletonItem {
  post: string;
  reason?: { $type: 'app.bsky.feed.defs#skeletonReasonRepost'; repost: string };
  /** The timeline entry's id: what sendInteractions echoes back. */
  feedContext: string;
}

export interface FeedSkeleton {
  feed: SkeletonItem[];
  cursor?: string;
}

export interface SkeletonRequest {
  feed: string;
  limit: number;
  cursor: string | null;
}

@Injectable()
export class FeedSkeletonService {
  constructor(
    private readonly db: PrismaService,
    private readonly reader: TimelineReader,
    private readonly verifier: ServiceAuthVerifier,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  get serviceDid(): string | null {
    return serviceDidOf(this.config.PUBLIC_URL);
  }

  async skeleton(authorization: string | undefined, request: SkeletonRequest): Promise<FeedSkeleton> {
    const serviceDid = this.serviceDid;
    if (!serviceDid) throw new XrpcException(404, 'MethodNotImplemented', 'PUBLIC_URL is not set');
    if (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > MAX_PAGE_SIZE) {
      throw new XrpcException(400, 'InvalidRequest', `limit: expected an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const published = await this.db.client.publishedFeed.findUnique({
      where: { uri: request.feed },
      select: { userId: true, pipelineId: true },
    });
    if (!published) throw new XrpcException(400, 'UnknownFeed', 'no such feed on this generator');
    const viewer = await this.viewer(authorization, serviceDid, GET_FEED_SKELETON, (did) =>
      this.ownerLinked(published.userId, did),
    );
    if (viewer === null) return this.placeholder();
    return this.page(published.userId, published.pipelineId, request);
  }

  /**
   * The verified issuer of the request's service JWT; null without one, or when `knownIssuer`
   * refuses it (nothing is resolved then); 401 AuthenticationRequired when it does not verify.
   */
  async viewer(
    authorization: string | undefined,
    serviceDid: string,
    method: string,
    knownIssuer: (did: string) => Promise<boolean>,
  ): Promise<string | null> {
    if (!authorization) return null;
    try {
      return await this.verifier.verify(authorization, {
        serviceDid,
        serviceId: FEED_SERVICE_ID,
        method,
        knownIssuer,
      });
    } catch (error) {
      if (error instanceof ServiceAuthError) {
        throw new XrpcException(401, 'AuthenticationRequired', `${error.reason}: ${error.message}`);
      }
      throw error;
    }
  }

  /** The owner linked this Bluesky account (an app-password login proved they hold it). */
  private async ownerLinked(userId: string, did: string): Promise<boolean> {
    const account = await this.db.client.linkedAccount.findFirst({
      where: { userId, network: Network.Bluesky, networkAccountId: did },
      select: { id: true },
    });
    return account !== null;
  }

  private placeholder(): FeedSkeleton {
    const post = this.config.FEED_PLACEHOLDER_POST;
    return { feed: post ? [{ post, feedContext: PLACEHOLDER_CONTEXT }] : [] };
  }

  /**
   * The pipeline's visible items from `cursor` on: every item's cursor is its timeline entry's (unique
   * per item), so the next page starts right after the last item returned, or after the last one
   * skipped. Never an empty page with a cursor: it reads on (MAX_PAGE_SIZE at a time after the
   * first read) until it has an item or the timeline ends, within MAX_SCANNED / MAX_SCANNED_EMPTY.
   */
  private async page(userId: string, pipelineId: string, request: SkeletonRequest): Promise<FeedSkeleton> {
    const feed: SkeletonItem[] = [];
    let after = request.cursor;
    let scanned = 0;
    for (;;) {
      const first = scanned === 0 ? request.limit : MAX_PAGE_SIZE;
      const page = await this.readPage(userId, pipelineId, first, after);
      for (const edge of page.edges) {
        const item = toSkeletonItem(edge.node);
        after = edge.cursor;
        scanned++;
        if (item === null) continue;
        feed.push(item);
        if (feed.length === request.limit) {
          const more = edge !== page.edges.at(-1) || page.pageInfo.hasNextPage;
          return more ? { feed, cursor: after } : { feed };
        }
      }
      if (!page.pageInfo.hasNextPage || page.edges.length === 0) return { feed };
      if (feed.length > 0 && scanned >= MAX_SCANNED) return { feed, cursor: after! };
      if (scanned >= MAX_SCANNED_EMPTY) return { feed };
    }
  }

  private async readPage(userId: string, pipelineId: string, first: number, after: string | null) {
    try {
      return await this.reader.page(userId, pipelineId, { first, after, includeHidden: false });
    } catch (error) {
      if (error instanceof AppException && error.code === AppErrorCode.BadUserInput) {
        throw new XrpcException(400, 'InvalidRequest', 'cursor: not a cursor of this feed');
      }
      // The pipeline is gone (deleted with its feed row in the same cascade): nothing to serve.
      if (error instanceof AppException && error.code === AppErrorCode.NotFound) {
        throw new XrpcException(400, 'UnknownFeed', 'no such feed on this generator');
      }
      throw error;
    }
  }
}

/**
 * A Bluesky post as itself (a Bluesky repost as the repost reason); a Mastodon post through the
 * Bridgy Fed copy its entry merged (dedupe matched it by `bridgyOriginalUrl`, seenIn keeps its URI);
 * null for anything the app cannot show.
 */
export function toSkeletonItem(item: TimelineItemModel): SkeletonItem | null {
  const uri =
    item.post.network === Network.Bluesky
      ? item.post.uri
      : item.seenIn.find((s) => s.network === Network.Bluesky && s.uri.startsWith('at://'))?.uri;
  if (!uri?.startsWith('at://')) return null;
  const repost = item.post.network === Network.Bluesky ? item.reason?.uri : null;
  return {
    post: uri,
    ...(repost && REPOST_URI.test(repost)
      ? { reason: { $type: 'app.bsky.feed.defs#skeletonReasonRepost' as const, repost } }
      : {}),
    feedContext: item.id,
  };
}
