import { Injectable } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { ConnectorError, ConnectorErrorCode, splitPersonalLabels } from '@tributary/core';
import type { NetworkConnector, Post, RepostReason } from '@tributary/core';
import { Prisma, PrismaService, recordSkipped, storePosts } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { ActionsService } from '../actions/actions.service.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { toPostModel } from '../posts/post.model.js';
import { actorNetwork } from './actor.js';
import type { AuthorPostsPageModel, ProfileModel } from './profile.model.js';

const NETWORK_NAME = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' } as const;
export const MAX_AUTHOR_POSTS = 40;

export interface FetchedPosts {
  items: { id: bigint; post: Omit<Post, 'raw'>; reason: RepostReason | null }[];
  nextCursor: string | null;
  linkedAccountId: string;
}

/**
 * Profiles and their posts, read through the member's linked account on the person's network (the
 * named one, else their oldest usable one): nothing is cached, a profile is what the network says
 * now. The posts are stored like ingested ones, and recorded as fetched by that account, so the
 * member can open and act on them (PostAccessService).
 */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly actions: ActionsService,
  ) {}

  async profile(
    userId: string,
    actor: string,
    field: string,
    accountId: string | null,
  ): Promise<ProfileModel> {
    const account = await this.accountFor(userId, actor, field, accountId);
    const profile = await this.call(account, (c) => c.fetchProfile(actor.trim()));
    return { ...profile, linkedAccountId: account.id };
  }

  async posts(
    userId: string,
    actor: string,
    accountId: string | null,
    cursor: string | null,
    first: number,
  ): Promise<AuthorPostsPageModel> {
    const page = await this.fetchPosts(userId, actor, accountId, cursor, first);
    return {
      items: page.items.map(({ id, post, reason }) => ({
        post: toPostModel(id, post),
        repost: reason !== null,
      })),
      nextCursor: page.nextCursor,
      linkedAccountId: page.linkedAccountId,
    };
  }

  /** One page of someone's posts from their network, stored and readable by the member from now on. */
  async fetchPosts(
    userId: string,
    actor: string,
    accountId: string | null,
    cursor: string | null,
    first: number,
  ): Promise<FetchedPosts> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_AUTHOR_POSTS)
      throw new AppException(AppErrorCode.BadUserInput, `first: must be between 1 and ${MAX_AUTHOR_POSTS}`, {
        field: 'first',
      });
    const account = await this.accountFor(userId, actor, 'author', accountId);
    const page = await this.call(account, (c) => c.fetchAuthorPosts(actor.trim(), cursor || null, first));
    const ids = await this.remember(
      account,
      page.items.map((i) => i.post),
      page.trustDomain,
    );
    if (page.skipped.length > 0)
      await recordSkipped(this.db.client, account.network, account.id, page.skipped);
    return {
      items: page.items.map(({ post, reason }) => {
        const { raw: _raw, ...data } = post;
        return { id: ids.get(post.uri)!, post: data, reason };
      }),
      nextCursor: page.nextCursor,
      linkedAccountId: account.id,
    };
  }

  /** Stores fetched posts as the answering server's word and lets the account's member read them. */
  async remember(account: LinkedAccount, posts: Post[], trustDomain: string): Promise<Map<string, bigint>> {
    const ids = await storePosts(this.db.client, posts, trustDomain);
    const fetchedAt = new Date();
    const rows = posts.flatMap((p) => {
      const postId = ids.get(p.uri);
      if (postId === undefined) return [];
      const { personal } = splitPersonalLabels(p);
      return [
        {
          linkedAccountId: account.id,
          postId,
          labels: personal ? (personal as object) : Prisma.DbNull,
          fetchedAt,
        },
      ];
    });
    await this.db.client.$transaction(
      rows.map((row) =>
        this.db.client.fetchedPost.upsert({
          where: { linkedAccountId_postId: { linkedAccountId: row.linkedAccountId, postId: row.postId } },
          create: row,
          update: { labels: row.labels, fetchedAt },
        }),
      ),
    );
    return ids;
  }

  private accountFor(userId: string, actor: string, field: string, accountId: string | null) {
    return this.actions.accountFor(userId, actorNetwork(actor, field), accountId);
  }

  /** A read through the account's connector, its failures in the member's terms. */
  async call<T>(account: LinkedAccount, read: (connector: NetworkConnector) => Promise<T>): Promise<T> {
    const network = NETWORK_NAME[account.network];
    try {
      return await read(await this.accounts.connectorFor(account));
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      switch (error.code) {
        case ConnectorErrorCode.NotFound:
          throw new AppException(AppErrorCode.NotFound, `not found on ${network}: ${error.message}`);
        case ConnectorErrorCode.BadInput:
          throw new AppException(AppErrorCode.BadUserInput, `${network} refused: ${error.message}`);
        case ConnectorErrorCode.Auth:
          await this.accounts.markNeedsReauth(account.id, error.message);
          throw new AppException(
            AppErrorCode.BadUserInput,
            `${network} refused the credentials of @${account.handle}; link the account again`,
          );
        case ConnectorErrorCode.RateLimited:
          throw new AppException(
            AppErrorCode.RateLimited,
            `${network} rate limit reached for @${account.handle}`,
            error.retryAt ? { retryAt: error.retryAt.toISOString() } : {},
          );
        default:
          throw new AppException(
            AppErrorCode.UpstreamUnavailable,
            `${network} is unavailable: ${error.message}`,
          );
      }
    }
  }
}
