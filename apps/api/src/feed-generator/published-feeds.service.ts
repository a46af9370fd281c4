// Publishing a pipeline as a Bluesky feed: the `app.bsky.feed.generator` record goes straight to the
// member's PDS through their linked account (not queued like likes and posts: the member waits for
// the feed's URI, and putRecord on a fixed rkey is idempotent, so a retry by the client is safe).
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { BlueskyConnector } from '@tributary/connector-bluesky';
import { ConnectorError, ConnectorErrorCode, Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { PublishedFeed } from '@tributary/db';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { TimelineReader } from '../timeline/timeline-reader.service.js';
import type { FeedInteractionModel, PublishedFeedModel } from './published-feed.model.js';
import { serviceDidOf } from './service-did.js';

const MAX_DISPLAY_NAME = 24; // graphemes, the lexicon's limit
const MAX_DESCRIPTION = 300;
const MAX_LISTED = 1000;

export interface PublishInput {
  pipeline: string;
  account: string;
  displayName: string;
  description: string | null;
}

@Injectable()
export class PublishedFeedsService {
  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly reader: TimelineReader,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  publicUrl(): string {
    return this.config.PUBLIC_URL ?? '';
  }

  /** Every feed this generator answers (describeFeedGenerator); the records are public anyway. */
  async allUris(): Promise<string[]> {
    const feeds = await this.db.client.publishedFeed.findMany({
      select: { uri: true },
      orderBy: { createdAt: 'asc' },
      take: MAX_LISTED,
    });
    return feeds.map((f) => f.uri);
  }

  async list(userId: string): Promise<PublishedFeedModel[]> {
    const feeds = await this.db.client.publishedFeed.findMany({
      where: { userId },
      orderBy: { createdAt: 'asc' },
    });
    return feeds.map(toModel);
  }

  async publish(userId: string, input: PublishInput): Promise<PublishedFeedModel> {
    const displayName = input.displayName.trim();
    const description = input.description?.trim() || null;
    checkLength('displayName', displayName, 1, MAX_DISPLAY_NAME);
    if (description !== null) checkLength('description', description, 0, MAX_DESCRIPTION);
    const pipeline = await this.reader.ownedPipeline(userId, input.pipeline);
    const account = await this.blueskyAccount(userId, input.account);
    const serviceDid = serviceDidOf(this.config.PUBLIC_URL);
    if (!serviceDid) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        'publishing a feed needs PUBLIC_URL set by the admin',
      );
    }
    const existing = await this.db.client.publishedFeed.findUnique({
      where: { pipelineId_linkedAccountId: { pipelineId: pipeline.id, linkedAccountId: account.id } },
    });
    // A new feed's row comes first, so the feed answers as soon as its record exists.
    const rkey = existing?.rkey ?? `tributary-${randomBytes(8).toString('hex')}`;
    const uri = `at://${account.networkAccountId}/app.bsky.feed.generator/${rkey}`;
    const row =
      existing ??
      (await this.db.client.publishedFeed.create({
        data: {
          userId,
          pipelineId: pipeline.id,
          linkedAccountId: account.id,
          uri,
          rkey,
          displayName,
          description,
        },
      }));
    try {
      const connector = await this.connector(account);
      await connector.putFeedGenerator(rkey, {
        did: serviceDid,
        displayName,
        ...(description !== null ? { description } : {}),
        acceptsInteractions: true,
      });
    } catch (error) {
      if (!existing) await this.db.client.publishedFeed.delete({ where: { id: row.id } });
      throw toAppException(error);
    }
    const saved = await this.db.client.publishedFeed.update({
      where: { id: row.id },
      data: { displayName, description },
    });
    return toModel(saved);
  }

  /** Deletes the record from the PDS, then the feed (a record already gone counts as deleted). */
  async unpublish(userId: string, feedId: string): Promise<boolean> {
    const feed = isUuid(feedId)
      ? await this.db.client.publishedFeed.findFirst({
          where: { id: feedId, userId },
          include: { linkedAccount: true },
        })
      : null;
    if (!feed) throw new AppException(AppErrorCode.NotFound, 'feed not found');
    try {
      await (await this.connector(feed.linkedAccount)).deleteFeedGenerator(feed.rkey);
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === ConnectorErrorCode.NotFound))
        throw toAppException(error);
    }
    await this.db.client.publishedFeed.deleteMany({ where: { id: feed.id, userId } });
    return true;
  }

  /** The latest interactions the Bluesky app sent about the caller's pipeline, newest first. */
  async interactions(userId: string, pipelineId: string, first: number): Promise<FeedInteractionModel[]> {
    const pipeline = await this.reader.ownedPipeline(userId, pipelineId);
    const rows = await this.db.client.feedInteraction.findMany({
      where: { pipelineId: pipeline.id, userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(first, 1), 100),
    });
    return rows.map((r) => ({
      id: String(r.id),
      postUri: r.postUri,
      entryId: r.entryId === null ? null : String(r.entryId),
      event: r.event,
      at: r.createdAt,
    }));
  }

  private async blueskyAccount(userId: string, accountId: string) {
    const account = isUuid(accountId)
      ? await this.db.client.linkedAccount.findFirst({ where: { id: accountId, userId } })
      : null;
    if (!account) throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    if (account.network !== Network.Bluesky) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        'account: a feed is published through a Bluesky account',
        {
          field: 'account',
        },
      );
    }
    return account;
  }

  private async connector(
    account: Parameters<AccountsService['connectorFor']>[0],
  ): Promise<BlueskyConnector> {
    const connector = await this.accounts.connectorFor(account);
    if (!(connector instanceof BlueskyConnector))
      throw new Error('a Bluesky account without a Bluesky connector');
    return connector;
  }
}

function checkLength(field: string, value: string, min: number, max: number): void {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(value)].length;
  if (graphemes < min || graphemes > max) {
    throw new AppException(AppErrorCode.BadUserInput, `${field}: expected ${min} to ${max} characters`, {
      field,
    });
  }
}

function toAppException(error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  switch (error.code) {
    case ConnectorErrorCode.Auth:
      return new AppException(
        AppErrorCode.BadUserInput,
        `the Bluesky account needs to be linked again: ${error.message}`,
      );
    case ConnectorErrorCode.RateLimited:
      return new AppException(
        AppErrorCode.RateLimited,
        error.message,
        error.retryAt ? { retryAt: error.retryAt.toISOString() } : {},
      );
    case ConnectorErrorCode.BadInput:
      return new AppException(AppErrorCode.BadUserInput, error.message);
    case ConnectorErrorCode.NotFound:
      return new AppException(AppErrorCode.NotFound, error.message);
    default:
      return new AppException(AppErrorCode.UpstreamUnavailable, `Bluesky is unavailable: ${error.message}`);
  }
}

function toModel(feed: PublishedFeed): PublishedFeedModel {
  const did = feed.uri.split('/')[2]!;
  return {
    id: feed.id,
    pipelineId: feed.pipelineId,
    linkedAccountId: feed.linkedAccountId,
    uri: feed.uri,
    webUrl: `https://bsky.app/profile/${did}/feed/${feed.rkey}`,
    displayName: feed.displayName,
    description: feed.description,
  };
}
