import { Injectable, Logger } from '@nestjs/common';
import { AccountStatus, ActionKind, ActionStatus, Network } from '@tributary/core';
import type {
  ActionDraft,
  ActionPayload,
  ActionResult,
  Poll,
  Post,
  RelationshipChange,
} from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { LinkedAccount, OutboundAction } from '@tributary/db';
import { EventPublisher, JobQueue } from '@tributary/queue';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import { PostAccessService } from '../posts/post-access.service.js';
import { toActionModel } from './action.model.js';
import type { ActionModel } from './action.model.js';
import { MastodonLimits } from './mastodon-limits.service.js';
import { blueskyProblems, draftProblems, mastodonProblems } from './post-limits.js';

/** Actions on an existing post. */
export type PostActionKind =
  | typeof ActionKind.Like
  | typeof ActionKind.Unlike
  | typeof ActionKind.Repost
  | typeof ActionKind.Unrepost
  | typeof ActionKind.Reply
  | typeof ActionKind.Quote;

const NETWORK_NAME: Record<Network, string> = { BLUESKY: 'Bluesky', MASTODON: 'Mastodon' };
const POST_ID = /^[1-9]\d{0,18}$/;

interface VisiblePost {
  id: bigint;
  network: Network;
  uri: string;
  nativeId: string;
  poll: Poll | null;
  /** The author's DID or account URI. */
  author: string;
  /** The user's accounts through which the post arrived. */
  seenBy: string[];
}

/**
 * Accepts the user's writes: checks the target post is one they can see, picks the acting account
 * (theirs, on the post's network), checks the network's limits, stores a PENDING OutboundAction
 * and queues it. The worker performs it (apps/worker/src/actions).
 */
@Injectable()
export class ActionsService {
  private readonly logger = new Logger(ActionsService.name);

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
    private readonly mastodonLimits: MastodonLimits,
    private readonly posts: PostAccessService,
  ) {}

  async onPost(
    userId: string,
    kind: PostActionKind,
    postId: string,
    accountId: string | null,
    draft: ActionDraft | null,
  ): Promise<ActionModel> {
    const post = await this.visiblePost(userId, postId);
    const account = await this.actingAccount(userId, post.network, accountId, post.seenBy);
    if (kind === ActionKind.Quote && post.network !== Network.Mastodon) {
      throw new AppException(AppErrorCode.BadUserInput, 'post: only Mastodon posts can be quoted for now', {
        field: 'post',
      });
    }
    if (draft) await this.checkLimits(draft, [account], { quote: kind === ActionKind.Quote });
    const undoes =
      kind === ActionKind.Unlike ? ActionKind.Like : kind === ActionKind.Unrepost ? ActionKind.Repost : null;
    const payload: ActionPayload = {
      network: post.network,
      postId: String(post.id),
      target: { uri: post.uri, nativeId: post.nativeId },
      ref: undoes ? await this.earlierRecord(userId, account.id, undoes, String(post.id)) : null,
      draft,
    };
    const [action] = await this.store(userId, [{ account, kind, payload }]);
    return action!;
  }

  /**
   * Deletes one of the user's own posts on its network, through the linked account that wrote it
   * (the post's author): anyone else's post is refused, even one the user can see.
   */
  async deletePost(userId: string, postId: string): Promise<ActionModel> {
    const post = await this.visiblePost(userId, postId);
    const owner = await this.db.client.linkedAccount.findFirst({
      where: { userId, network: post.network, networkAccountId: post.author },
    });
    if (!owner) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        'post: only your own posts can be deleted (this one is not by any of your linked accounts)',
        { field: 'post' },
      );
    }
    const payload: ActionPayload = {
      network: post.network,
      postId: String(post.id),
      target: { uri: post.uri, nativeId: post.nativeId },
      ref: null,
      draft: null,
    };
    const [action] = await this.store(userId, [
      { account: this.usable(owner), kind: ActionKind.Delete, payload },
    ]);
    return action!;
  }

  /**
   * Edits one of the user's own Mastodon posts (its text, content warning, language), through the
   * linked account that wrote it, checked against the instance's limits first. Bluesky has no
   * edits: a post there is refused, saying so.
   */
  async editPost(userId: string, postId: string, draft: ActionDraft): Promise<ActionModel> {
    const post = await this.visiblePost(userId, postId);
    if (post.network === Network.Bluesky)
      throw new AppException(
        AppErrorCode.BadUserInput,
        'post: Bluesky posts cannot be edited (the network has no edits); delete it and post again',
        { field: 'post' },
      );
    const owner = await this.db.client.linkedAccount.findFirst({
      where: { userId, network: post.network, networkAccountId: post.author },
    });
    if (!owner) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        'post: only your own posts can be edited (this one is not by any of your linked accounts)',
        { field: 'post' },
      );
    }
    const account = this.usable(owner);
    await this.checkLimits(draft, [account]);
    const payload: ActionPayload = {
      network: post.network,
      postId: String(post.id),
      target: { uri: post.uri, nativeId: post.nativeId },
      ref: null,
      draft,
    };
    const [action] = await this.store(userId, [{ account, kind: ActionKind.Edit, payload }]);
    return action!;
  }

  /**
   * A vote in the poll of a post the user can see, through their account that saw it. The choices
   * are checked against the poll as stored (the instance checks again: it alone knows whether this
   * account voted already).
   */
  async vote(
    userId: string,
    postId: string,
    choices: number[],
    accountId: string | null,
  ): Promise<ActionModel> {
    const post = await this.visiblePost(userId, postId);
    const problem = voteProblem(post.poll, choices);
    if (problem) throw new AppException(AppErrorCode.BadUserInput, problem, { field: 'choices' });
    const account = await this.actingAccount(userId, post.network, accountId, post.seenBy);
    const payload: ActionPayload = {
      network: post.network,
      postId: String(post.id),
      target: { uri: post.uri, nativeId: post.nativeId },
      ref: null,
      draft: null,
      choices: [...choices],
    };
    const [action] = await this.store(userId, [{ account, kind: ActionKind.Vote, payload }]);
    return action!;
  }

  /**
   * A new post on each network in `crossPostTo`, through the given accounts or else the user's
   * account on that network. Every network's limits are checked before anything is queued: either
   * every post is queued or none.
   */
  async createPost(
    userId: string,
    draft: ActionDraft,
    crossPostTo: Network[],
    accountIds: string[],
  ): Promise<ActionModel[]> {
    const networks = [...new Set(crossPostTo)];
    if (networks.length === 0)
      throw new AppException(AppErrorCode.BadUserInput, 'crossPostTo: name at least one network', {
        field: 'crossPostTo',
      });
    const explicit = await this.explicitAccounts(userId, accountIds);
    const stray = explicit.find((a) => !networks.includes(a.network));
    if (stray) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `accounts: @${stray.handle} is a ${NETWORK_NAME[stray.network]} account, but crossPostTo does not name ${NETWORK_NAME[stray.network]}`,
        {
          field: 'accounts',
        },
      );
    }
    const accounts: LinkedAccount[] = [];
    for (const network of networks) {
      const chosen = explicit.filter((a) => a.network === network);
      if (chosen.length > 1)
        throw new AppException(
          AppErrorCode.BadUserInput,
          `accounts: name one ${NETWORK_NAME[network]} account, not ${chosen.length}`,
          { field: 'accounts' },
        );
      accounts.push(chosen[0] ? this.usable(chosen[0]) : await this.actingAccount(userId, network, null, []));
    }
    await this.checkLimits(draft, accounts);
    return this.store(
      userId,
      accounts.map((account) => ({
        account,
        kind: ActionKind.Post,
        payload: { network: account.network, postId: null, target: null, ref: null, draft },
      })),
    );
  }

  /**
   * Follows, mutes or blocks someone on their network (or undoes it), through the named account or
   * else the user's oldest usable one there. `subject` is a DID, handle or account URI as given
   * (`network` is what its form says); the worker resolves it on the network.
   */
  async relate(
    userId: string,
    change: RelationshipChange,
    subject: string,
    network: Network,
    accountId: string | null,
  ): Promise<ActionModel> {
    const account = await this.actingAccount(userId, network, accountId, []);
    const payload: ActionPayload = {
      network,
      postId: null,
      target: null,
      ref: null,
      draft: null,
      subject: subject.trim(),
    };
    // A relationship change is stored under the action kind of the same name.
    const [action] = await this.store(userId, [{ account, kind: change, payload }]);
    return action!;
  }

  /**
   * Mirrors one of the member's Tributary bookmarks to their Mastodon account's own bookmarks
   * (`post` is one they may read, checked by the caller: after an unbookmark it may be readable
   * through the bookmark alone). Through their account that saw the post, else their oldest usable
   * one; null when they have none to act with (the bookmark stays Tributary's).
   */
  async mirrorBookmark(
    userId: string,
    post: { id: bigint; network: Network; uri: string; nativeId: string },
    bookmarked: boolean,
  ): Promise<ActionModel | null> {
    if (post.network !== Network.Mastodon) return null;
    let account: LinkedAccount;
    try {
      account = await this.actingAccount(userId, post.network, null, await this.seenBy(userId, post.id));
    } catch (error) {
      if (error instanceof AppException && error.code === AppErrorCode.BadUserInput) return null;
      throw error;
    }
    const payload: ActionPayload = {
      network: post.network,
      postId: String(post.id),
      target: { uri: post.uri, nativeId: post.nativeId },
      ref: null,
      draft: null,
    };
    const kind = bookmarked ? ActionKind.Bookmark : ActionKind.Unbookmark;
    const [action] = await this.store(userId, [{ account, kind, payload }]);
    return action!;
  }

  /** The user's account to read or act with on `network`: the one named, else their oldest usable one. */
  accountFor(userId: string, network: Network, accountId: string | null): Promise<LinkedAccount> {
    return this.actingAccount(userId, network, accountId, []);
  }

  /** The post, when the user may see it (PostAccessService), with the accounts of theirs that saw it. */
  private async visiblePost(userId: string, postId: string): Promise<VisiblePost> {
    const post = POST_ID.test(postId) ? await this.posts.visiblePost(userId, BigInt(postId)) : null;
    if (!post) throw new AppException(AppErrorCode.NotFound, 'post not found');
    const { id, network, uri, nativeId } = post;
    const poll = (post.data as Partial<Post> | null)?.poll ?? null;
    const author = post.data.author.networkId;
    return { id, network, uri, nativeId, poll, author, seenBy: await this.seenBy(userId, post.id) };
  }

  /** The user's accounts whose sources delivered the post. */
  private async seenBy(userId: string, postId: bigint): Promise<string[]> {
    const seen = await this.db.client.sourcePost.findMany({
      where: { postId, source: { linkedAccount: { userId } } },
      select: { source: { select: { linkedAccountId: true } } },
    });
    return seen.map((s) => s.source.linkedAccountId);
  }

  /** The user's account to act with on `network`: the one named, else one that saw the post, else the oldest. */
  private async actingAccount(
    userId: string,
    network: Network,
    accountId: string | null,
    seenBy: string[],
  ): Promise<LinkedAccount> {
    if (accountId !== null) {
      const [account] = await this.explicitAccounts(userId, [accountId]);
      if (account!.network !== network) {
        throw new AppException(
          AppErrorCode.BadUserInput,
          `account: this is on ${NETWORK_NAME[network]}, but @${account!.handle} is a ${NETWORK_NAME[account!.network]} account`,
          { field: 'account' },
        );
      }
      return this.usable(account!);
    }
    const candidates = await this.db.client.linkedAccount.findMany({
      where: { userId, network },
      orderBy: { createdAt: 'asc' },
    });
    const rank = (a: LinkedAccount) =>
      (a.status === AccountStatus.NeedsReauth ? 2 : 0) + (seenBy.includes(a.id) ? 0 : 1);
    const best = candidates.sort((a, b) => rank(a) - rank(b))[0];
    if (!best) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `you have no linked ${NETWORK_NAME[network]} account to act with; link one first`,
        { network },
      );
    }
    return this.usable(best);
  }

  private async explicitAccounts(userId: string, ids: string[]): Promise<LinkedAccount[]> {
    const unique = [...new Set(ids)];
    if (unique.some((id) => !isUuid(id)))
      throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    const accounts = unique.length
      ? await this.db.client.linkedAccount.findMany({ where: { userId, id: { in: unique } } })
      : [];
    if (accounts.length !== unique.length)
      throw new AppException(AppErrorCode.NotFound, 'linked account not found');
    return accounts;
  }

  private usable(account: LinkedAccount): LinkedAccount {
    if (account.status === AccountStatus.NeedsReauth) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        `the ${NETWORK_NAME[account.network]} account @${account.handle} needs to be linked again${account.statusReason ? ` (${account.statusReason})` : ''}`,
        { accountId: account.id },
      );
    }
    return account;
  }

  /** Refuses a draft that any of the target networks would refuse, naming each network and limit. */
  private async checkLimits(
    draft: ActionDraft,
    accounts: LinkedAccount[],
    options: { quote?: boolean } = {},
  ): Promise<void> {
    const problems = draftProblems(draft);
    for (const account of accounts) {
      if (account.network === Network.Bluesky) {
        problems.push(...blueskyProblems(draft).map((p) => p.message));
      } else {
        const limits = await this.mastodonLimits.of(account.serviceUrl);
        problems.push(
          ...mastodonProblems(draft, limits, new URL(account.serviceUrl).host, options).map((p) => p.message),
        );
      }
    }
    if (problems.length) throw new AppException(AppErrorCode.BadUserInput, problems.join('; '), { problems });
  }

  /** The like/repost record an earlier action of this account made on the post, to undo it. */
  private async earlierRecord(
    userId: string,
    accountId: string,
    kind: ActionKind,
    postId: string,
  ): Promise<string | null> {
    const earlier = await this.db.client.outboundAction.findFirst({
      where: {
        userId,
        linkedAccountId: accountId,
        kind,
        status: ActionStatus.Done,
        payload: { path: ['postId'], equals: postId },
      },
      orderBy: { createdAt: 'desc' },
    });
    return (earlier?.result as ActionResult | null)?.uri || null;
  }

  private async store(
    userId: string,
    items: { account: LinkedAccount; kind: ActionKind; payload: ActionPayload }[],
  ): Promise<ActionModel[]> {
    const rows = await this.db.client.$transaction(
      items.map(({ account, kind, payload }) =>
        this.db.client.outboundAction.create({
          data: {
            userId,
            linkedAccountId: account.id,
            kind,
            payload: payload as object,
            status: ActionStatus.Pending,
          },
        }),
      ),
    );
    for (const row of rows) await this.enqueue(row);
    return rows.map(toActionModel);
  }

  private async enqueue(row: OutboundAction): Promise<void> {
    try {
      await this.jobs.enqueue('perform-action', { actionId: row.id });
    } catch (error) {
      // Without a job the action would stay PENDING forever: say it failed, and why.
      this.logger.error(`action ${row.id} not queued: ${(error as Error).message}`);
      await this.db.client.outboundAction.update({
        where: { id: row.id },
        data: { status: ActionStatus.Failed, error: 'could not be queued; try again' },
      });
      throw new AppException(AppErrorCode.UpstreamUnavailable, 'the action could not be queued; try again');
    }
    await this.events
      .publish({ type: 'action', userId: row.userId, actionId: row.id })
      .catch((error: unknown) => this.logger.warn(`action event not published: ${(error as Error).message}`));
  }
}

/** Why `choices` is not a vote in `poll`, or null. */
function voteProblem(poll: Poll | null, choices: number[]): string | null {
  if (!poll) return 'choices: the post has no poll';
  if (poll.expired || (poll.expiresAt !== null && Date.parse(poll.expiresAt) <= Date.now()))
    return 'choices: the poll has ended';
  if (choices.length === 0) return 'choices: choose at least one option';
  if (new Set(choices).size !== choices.length) return 'choices: an option is chosen twice';
  const bad = choices.find((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length);
  if (bad !== undefined) return `choices: ${bad} is not an option (0 to ${poll.options.length - 1})`;
  if (choices.length > 1 && !poll.multiple) return 'choices: the poll allows one option only';
  return null;
}
