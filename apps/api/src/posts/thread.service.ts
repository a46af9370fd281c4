import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import {
  AccountStatus,
  ConnectorError,
  ConnectorErrorCode,
  splitPersonalLabels,
  withPersonalLabels,
} from '@tributary/core';
import type { FetchedThread, PersonalLabels, Post } from '@tributary/core';
import { Prisma, PrismaService, recordSkipped, storePosts } from '@tributary/db';
import type { LinkedAccount } from '@tributary/db';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { PostAccessService } from './post-access.service.js';
import type { StoredPost } from './post-access.service.js';
import { toPostModel } from './post.model.js';
import type { ThreadModel } from './thread.model.js';

/** A cached thread's replies, as stored in `ThreadCache.replies`. */
interface CachedReply {
  postId: string;
  parentId: string;
  depth: number;
}

interface CachedThread {
  ancestorIds: bigint[];
  replies: unknown;
  /** The account's personal labels of the thread's posts, by post id (null: none). */
  labels: unknown;
  fetchedAt: Date;
}

const NETWORK_NAME = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' } as const;

/**
 * `thread(id)`: fetched from the post's network through the caller's linked account on it, its posts
 * stored like ingested ones (so every item has an id) and the shape cached per (account, post) for
 * THREAD_CACHE_TTL_SECONDS. When the network fails, the last fetched thread is served marked stale.
 */
@Injectable()
export class ThreadService {
  private readonly logger = new Logger(ThreadService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly access: PostAccessService,
    private readonly accounts: AccountsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async thread(userId: string, postId: bigint): Promise<ThreadModel> {
    const post = await this.access.visiblePost(userId, postId);
    if (!post) throw new AppException(AppErrorCode.NotFound, 'post not found');
    if (post.data.deletedAt !== undefined) {
      // Its network said it is gone (Post.deletedAt): so is its thread, whatever was cached.
      await this.db.client.threadCache.deleteMany({ where: { postId, linkedAccount: { userId } } });
      throw new AppException(
        AppErrorCode.NotFound,
        `the post is no longer on ${NETWORK_NAME[post.network]} (deleted at origin, ${post.data.deletedAt})`,
      );
    }
    const account = await this.accountFor(userId, post);
    const cached = await this.db.client.threadCache.findUnique({
      where: { linkedAccountId_postId: { linkedAccountId: account.id, postId } },
      select: { ancestorIds: true, replies: true, labels: true, fetchedAt: true },
    });
    if (cached && Date.now() - cached.fetchedAt.getTime() < this.config.THREAD_CACHE_TTL_SECONDS * 1000) {
      return this.fromCache(post, account.id, cached, null);
    }

    let fetched: FetchedThread;
    try {
      // Throws AUTH for an account that needs relinking: the cached thread is still served.
      const connector = await this.accounts.connectorFor(account);
      fetched = await connector.fetchThread({ uri: post.uri, nativeId: post.nativeId });
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      return this.whenUpstreamFails(error, post, account, cached);
    }
    return this.store(post, account, fetched);
  }

  /**
   * The caller's account on the post's network: preferably one that saw the post (Mastodon status
   * ids and visibility are per instance), an active one before one that needs relinking.
   */
  private async accountFor(userId: string, post: StoredPost): Promise<LinkedAccount> {
    const accounts = await this.db.client.linkedAccount.findMany({
      where: { userId, network: post.network },
      orderBy: { createdAt: 'asc' },
    });
    if (accounts.length === 0) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `opening a thread needs a linked ${NETWORK_NAME[post.network]} account; link one first`,
      );
    }
    const sawIt = new Set(
      (
        await this.db.client.source.findMany({
          where: { linkedAccountId: { in: accounts.map((a) => a.id) }, posts: { some: { postId: post.id } } },
          select: { linkedAccountId: true },
        })
      ).map((s) => s.linkedAccountId),
    );
    const rank = (a: LinkedAccount) =>
      (a.status === AccountStatus.NeedsReauth ? 2 : 0) + (sawIt.has(a.id) ? 0 : 1);
    return accounts.reduce((best, a) => (rank(a) < rank(best) ? a : best));
  }

  private async whenUpstreamFails(
    error: ConnectorError,
    post: StoredPost,
    account: LinkedAccount,
    cached: CachedThread | null,
  ): Promise<ThreadModel> {
    const network = NETWORK_NAME[post.network];
    if (error.code === ConnectorErrorCode.NotFound) {
      // Gone from the network (deleted, or no longer visible to this account): so is its thread.
      await this.db.client.threadCache.deleteMany({
        where: { linkedAccountId: account.id, postId: post.id },
      });
      throw new AppException(
        AppErrorCode.NotFound,
        `the post is no longer on ${network} (deleted or not visible to @${account.handle}): ${error.message}`,
      );
    }
    if (error.code === ConnectorErrorCode.BadInput) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `${network} refused the thread request: ${error.message}`,
      );
    }
    if (error.code === ConnectorErrorCode.Auth) {
      await this.accounts.markNeedsReauth(account.id, error.message);
    }
    const reason =
      error.code === ConnectorErrorCode.Auth
        ? `${network} refused the credentials of @${account.handle}; link the account again`
        : error.code === ConnectorErrorCode.RateLimited
          ? `${network} rate limit reached for @${account.handle}${error.retryAt ? ` until ${error.retryAt.toISOString()}` : ''}`
          : `${network} is unavailable: ${error.message}`;
    this.logger.warn(`thread of post ${post.id} not fetched: ${reason}`);
    if (cached) return this.fromCache(post, account.id, cached, reason);
    const code =
      error.code === ConnectorErrorCode.RateLimited
        ? AppErrorCode.RateLimited
        : AppErrorCode.UpstreamUnavailable;
    throw new AppException(
      code,
      `could not fetch the thread: ${reason}`,
      error.retryAt ? { retryAt: error.retryAt.toISOString() } : {},
    );
  }

  /**
   * Upserts the thread's posts (ids for every item), records the shape and the account's personal
   * labels of them (the shared posts never hold those), and answers from what was fetched.
   */
  private async store(
    post: StoredPost,
    account: LinkedAccount,
    fetched: FetchedThread,
  ): Promise<ThreadModel> {
    const all: Post[] = [fetched.post, ...fetched.ancestors, ...fetched.replies.map((r) => r.post)];
    // Stored as the word of the server that answered, like ingested posts (README "Security").
    const ids = await storePosts(this.db.client, all, fetched.trustDomain);
    if (fetched.skipped.length > 0)
      await recordSkipped(this.db.client, post.network, account.id, fetched.skipped);
    const idOf = (uri: string): bigint => {
      // The focal post keeps the id it was asked by, whatever URI form the network answered with.
      if (uri === fetched.post.uri) return post.id;
      const id = ids.get(uri);
      if (id === undefined) throw new Error(`thread post ${uri} was not stored`);
      return id;
    };
    const ancestorIds = fetched.ancestors.map((p) => idOf(p.uri));
    const replies: CachedReply[] = fetched.replies.map((r) => ({
      postId: String(idOf(r.post.uri)),
      parentId: String(idOf(r.parentUri)),
      depth: r.depth,
    }));
    const postIds = [post.id, ...ancestorIds, ...replies.map((r) => BigInt(r.postId))];
    const labels: Record<string, PersonalLabels> = {};
    for (const p of all) {
      const { personal } = splitPersonalLabels(p);
      if (personal) labels[String(idOf(p.uri))] = personal;
    }
    const fetchedAt = new Date();
    const row = {
      ancestorIds,
      replies: replies as unknown as object,
      postIds,
      labels: Object.keys(labels).length > 0 ? (labels as object) : Prisma.DbNull,
      fetchedAt,
    };
    await this.db.client.threadCache.upsert({
      where: { linkedAccountId_postId: { linkedAccountId: account.id, postId: post.id } },
      create: { linkedAccountId: account.id, postId: post.id, ...row },
      update: row,
    });
    // The account's own view: what it was sent, personal labels included, and deleted where a
    // delete at origin was recorded (a thread read before it reached its server's index stays so).
    const deleted = await this.access.deletedAt(postIds);
    const model = (p: Post, id: bigint) => {
      const deletedAt = deleted.get(id);
      return toPostModel(id, deletedAt === undefined ? withoutRaw(p) : { ...withoutRaw(p), deletedAt });
    };
    return {
      post: model(fetched.post, post.id),
      ancestors: fetched.ancestors.map((p) => model(p, idOf(p.uri))),
      replies: fetched.replies.map((r, n) => ({
        post: model(r.post, BigInt(replies[n]!.postId)),
        parentId: replies[n]!.parentId,
        depth: r.depth,
      })),
      linkedAccountId: account.id,
      fetchedAt,
      stale: false,
      staleReason: null,
    };
  }

  /** A thread from the cache, its posts as currently stored, with the account's personal labels. */
  private async fromCache(
    post: StoredPost,
    accountId: string,
    cached: CachedThread,
    staleReason: string | null,
  ): Promise<ThreadModel> {
    const replies = (Array.isArray(cached.replies) ? cached.replies : []) as CachedReply[];
    const posts = await this.access.postsByIds([
      post.id,
      ...cached.ancestorIds,
      ...replies.map((r) => BigInt(r.postId)),
    ]);
    const labels = (cached.labels ?? {}) as Partial<Record<string, PersonalLabels>>;
    const model = (id: bigint) => {
      const data = posts.get(id);
      return data ? toPostModel(id, withPersonalLabels(data, labels[String(id)])) : null;
    };
    return {
      post: model(post.id) ?? toPostModel(post.id, post.data),
      ancestors: cached.ancestorIds.map(model).filter((p) => p !== null),
      replies: replies.flatMap((r) => {
        const p = model(BigInt(r.postId));
        return p ? [{ post: p, parentId: r.parentId, depth: r.depth }] : [];
      }),
      linkedAccountId: accountId,
      fetchedAt: cached.fetchedAt,
      stale: staleReason !== null,
      staleReason,
    };
  }
}

function withoutRaw(post: Post): Omit<Post, 'raw'> {
  const { raw: _raw, ...data } = post;
  return data;
}
