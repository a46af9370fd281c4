import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { MastodonConnector } from '@tributary/connector-mastodon';
import { ActionKind, ActionStatus, ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type {
  ActionPayload,
  RelationshipChange,
  ActionResult,
  NetworkConnector,
  Post,
  PostDraft,
  TrustDomain,
  WriteOptions,
} from '@tributary/core';
import { PrismaService, recordViewerStates, storePosts } from '@tributary/db';
import type { LinkedAccount, OutboundAction } from '@tributary/db';
import { EventPublisher, JobQueue } from '@tributary/queue';
import type { JobPayloads } from '@tributary/queue';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { JobHandler } from '../jobs/job-handler.decorator.js';

type ActionWithAccount = OutboundAction & { linkedAccount: LinkedAccount };

/** What a like or repost (or its undoing) does to the member's state and to the post's counts. */
const VIEWER_EFFECT: Partial<
  Record<ActionKind, { state: 'liked' | 'reposted'; count: 'likes' | 'reposts'; on: boolean }>
> = {
  [ActionKind.Like]: { state: 'liked', count: 'likes', on: true },
  [ActionKind.Unlike]: { state: 'liked', count: 'likes', on: false },
  [ActionKind.Repost]: { state: 'reposted', count: 'reposts', on: true },
  [ActionKind.Unrepost]: { state: 'reposted', count: 'reposts', on: false },
};

/**
 * A finished action's payload without the attached files: they can be megabytes, the network has
 * them now, and `actions` lists read every payload. Type and description stay.
 */
function finishedPayload(action: OutboundAction): { payload?: object } {
  const payload = action.payload as unknown as ActionPayload;
  if (!payload.draft?.media.length) return {};
  return {
    payload: {
      ...payload,
      draft: { ...payload.draft, media: payload.draft.media.map((m) => ({ ...m, data: '' })) },
    },
  };
}

/**
 * The `actions` queue: performs a like, repost, reply or post the API accepted, on the acting
 * account's network, and records the outcome on the OutboundAction row (DONE with the created
 * record, or FAILED with the reason). Every state change is published as an `action` event.
 *
 * Idempotent: a job for an action that is no longer PENDING does nothing, and the write itself
 * carries the action id as its idempotency key, so a job redelivered after the network accepted
 * the write (crash, lost answer) finds the first write instead of making a second one.
 */
@Injectable()
export class ActionPerformer {
  private readonly logger = new Logger(ActionPerformer.name);

  constructor(
    private readonly db: PrismaService,
    private readonly accounts: AccountsService,
    private readonly events: EventPublisher,
    private readonly jobs: JobQueue,
  ) {}

  @JobHandler('perform-action')
  async perform({ actionId }: JobPayloads['perform-action'], job: Job, token?: string) {
    const action = await this.db.client.outboundAction.findUnique({
      where: { id: actionId },
      include: { linkedAccount: true },
    });
    if (!action) return { skipped: 'action no longer exists' };
    if (action.status !== ActionStatus.Pending) return { skipped: `action is already ${action.status}` };
    await this.update(action, { attempts: { increment: 1 } });
    try {
      const connector = await this.accounts.connectorFor(action.linkedAccount);
      const result = await this.write(connector, action);
      await this.reconcile(connector, action);
      await this.update(action, {
        status: ActionStatus.Done,
        error: null,
        ...(result ? { result: { ...result } } : {}),
        ...finishedPayload(action),
      });
      return { done: result?.uri ?? true };
    } catch (error) {
      return this.failOrRetry(action, error, job, token);
    }
  }

  private async write(connector: NetworkConnector, action: ActionWithAccount): Promise<ActionResult | null> {
    const payload = action.payload as unknown as ActionPayload;
    if (payload.network !== connector.network) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `a ${payload.network} action cannot run on a ${connector.network} account`,
      );
    }
    const options: WriteOptions = { idempotencyKey: action.id, requestedAt: action.createdAt };
    const target = () => {
      if (!payload.target)
        throw new ConnectorError(ConnectorErrorCode.BadInput, `a ${action.kind} action needs a target post`);
      return payload.target;
    };
    const draft = (): PostDraft => {
      if (!payload.draft)
        throw new ConnectorError(ConnectorErrorCode.BadInput, `a ${action.kind} action needs a text`);
      const { text, contentWarning, language, media } = payload.draft;
      return {
        text,
        contentWarning,
        language,
        media: media.map((m) => ({
          data: Buffer.from(m.data, 'base64'),
          mimeType: m.mimeType,
          altText: m.altText,
        })),
      };
    };
    switch (action.kind) {
      case ActionKind.Like:
        return connector.like(target(), options);
      case ActionKind.Repost:
        return connector.repost(target(), options);
      case ActionKind.Unlike:
        await connector.unlike(target(), payload.ref);
        return null;
      case ActionKind.Unrepost:
        await connector.unrepost(target(), payload.ref);
        return null;
      case ActionKind.Reply:
        return connector.createPost({ ...draft(), replyTo: target() }, options);
      case ActionKind.Quote:
        return connector.createPost({ ...draft(), quoteOf: target() }, options);
      case ActionKind.Post:
        return connector.createPost(draft(), options);
      case ActionKind.Delete:
        await connector.deletePost(target());
        return null;
      case ActionKind.Bookmark:
      case ActionKind.Unbookmark: {
        if (!(connector instanceof MastodonConnector))
          throw new ConnectorError(
            ConnectorErrorCode.BadInput,
            'only Mastodon keeps bookmarks on the network',
          );
        await connector.setBookmarked(target(), action.kind === ActionKind.Bookmark);
        return null;
      }
      case ActionKind.Edit: {
        if (!(connector instanceof MastodonConnector))
          throw new ConnectorError(ConnectorErrorCode.BadInput, 'only Mastodon posts can be edited');
        const edited = await connector.editPost(target(), draft());
        await this.storeEdit(action, edited.post, edited.trustDomain);
        return { uri: edited.post.uri, nativeId: edited.post.nativeId, webUrl: edited.post.webUrl };
      }
      case ActionKind.Vote: {
        if (!(connector instanceof MastodonConnector))
          throw new ConnectorError(ConnectorErrorCode.BadInput, 'only Mastodon posts have polls');
        const { ownVotes } = await connector.vote(target(), payload.choices ?? []);
        return { uri: target().uri, nativeId: target().nativeId, webUrl: null, ownVotes };
      }
      case ActionKind.Follow:
      case ActionKind.Unfollow:
      case ActionKind.Mute:
      case ActionKind.Unmute:
      case ActionKind.Block:
      case ActionKind.Unblock: {
        if (!payload.subject)
          throw new ConnectorError(ConnectorErrorCode.BadInput, `a ${action.kind} action needs a subject`);
        // The action kinds and the relationship changes share their stored values.
        return connector.relate(payload.subject, action.kind as RelationshipChange, options);
      }
    }
  }

  /**
   * The edited post as its instance answered, stored over the copy of that instance's word (as a
   * streamed edit is) and run through the member's pipelines again; the instance's stream, when it
   * has one, announces the edit to everyone else's copies. Best effort: the edit is done either way.
   */
  private async storeEdit(action: ActionWithAccount, post: Post, trustDomain: TrustDomain): Promise<void> {
    try {
      const where = { network: post.network, uri: post.uri, trustDomain };
      if (!(await this.db.client.post.findFirst({ where, select: { id: true } }))) return;
      const ids = await storePosts(this.db.client, [post], trustDomain);
      const id = ids.get(post.uri);
      if (id !== undefined)
        await this.jobs.enqueue('run-pipelines', { userId: action.userId, postIds: [String(id)] });
    } catch (error) {
      this.logger.warn(`action ${action.id}: edited post not stored: ${(error as Error).message}`);
    }
  }

  /**
   * After a like, repost or their undoing: the post as the account now sees it gives the member's
   * state and the counts everyone sees. A network that has not caught up with the write yet
   * (Bluesky's AppView indexes it a moment later) is not believed on the member's state (the
   * action stands) and its count is moved by one. Best effort: the write is done either way.
   */
  private async reconcile(connector: NetworkConnector, action: ActionWithAccount): Promise<void> {
    const effect = VIEWER_EFFECT[action.kind];
    const target = (action.payload as unknown as ActionPayload).target;
    if (!effect || !target) return;
    const asked = new Date();
    try {
      const fetched = await connector.fetchPost(target);
      const counts = { ...fetched.post.counts };
      if (fetched.viewer[effect.state] === effect.on && (await this.caughtUp(action, fetched.viewer))) {
        // Caught up with this write and with the account's other ones on the post: its word stands.
        const { id, userId, network } = action.linkedAccount;
        const observed = [{ uri: target.uri, viewer: fetched.viewer }];
        await recordViewerStates(this.db.client, { id, userId, network }, observed, asked);
      } else {
        // Behind: the action itself (newer than any stored word) stays the member's state.
        counts[effect.count] = Math.max(0, counts[effect.count] + (effect.on ? 1 : -1));
      }
      await this.db.client.$executeRawUnsafe(
        `UPDATE "Post" SET data = jsonb_set(data, '{counts}', $1::jsonb), "updatedAt" = now()
         WHERE network = $2::"Network" AND uri = $3 AND "trustDomain" = $4`,
        JSON.stringify(counts),
        action.linkedAccount.network,
        target.uri,
        fetched.trustDomain,
      );
    } catch (error) {
      this.logger.warn(`action ${action.id}: post not reconciled: ${(error as Error).message}`);
    }
  }

  /**
   * Whether the network's view agrees with the account's latest like-or-unlike and
   * repost-or-unrepost of the post: Bluesky's AppView indexes records out of order, so having
   * this write says nothing about an earlier one on the other relation.
   */
  private async caughtUp(
    action: ActionWithAccount,
    viewer: { liked: boolean; reposted: boolean },
  ): Promise<boolean> {
    const uri = (action.payload as unknown as ActionPayload).target?.uri;
    const latest = await this.db.client.$queryRawUnsafe<{ kind: ActionKind }[]>(
      `SELECT DISTINCT ON (kind IN ('LIKE', 'UNLIKE')) kind FROM "OutboundAction"
       WHERE "linkedAccountId" = $1::uuid AND payload -> 'target' ->> 'uri' = $2 AND status <> 'FAILED'
         AND kind IN ('LIKE', 'UNLIKE', 'REPOST', 'UNREPOST')
       ORDER BY kind IN ('LIKE', 'UNLIKE'), "createdAt" DESC`,
      action.linkedAccountId,
      uri,
    );
    return latest.every(({ kind }) => {
      const effect = VIEWER_EFFECT[kind];
      return !effect || viewer[effect.state] === effect.on;
    });
  }

  /**
   * Rejected credentials fail the action and stop the account (no retry: the user must link it
   * again); a rate limit delays the job to the reset without using an attempt; an outage is retried
   * with backoff and fails the action after the last attempt; anything the network refused fails it
   * at once.
   */
  private async failOrRetry(
    action: ActionWithAccount,
    error: unknown,
    job: Job,
    token: string | undefined,
  ): Promise<never> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof ConnectorError) || error.code === ConnectorErrorCode.Unavailable) {
      if (lastAttempt) {
        await this.fail(action, `gave up after ${job.attemptsMade + 1} attempts: ${message}`);
      } else {
        await this.update(action, { error: `retrying: ${message}` });
      }
      throw error;
    }
    switch (error.code) {
      case ConnectorErrorCode.Auth:
        await this.accounts.markNeedsReauth(action.linkedAccountId, message);
        await this.fail(
          action,
          `the ${action.linkedAccount.network} account needs to be linked again: ${message}`,
        );
        throw new UnrecoverableError(message);
      case ConnectorErrorCode.RateLimited: {
        const until = error.retryAt?.getTime() ?? Date.now() + 60_000;
        await this.update(action, {
          error: `rate limited until ${new Date(until).toISOString()}; will retry`,
        });
        this.logger.log(`action ${action.id}: rate limited until ${new Date(until).toISOString()}`);
        await job.moveToDelayed(until, token);
        throw new DelayedError();
      }
      default:
        await this.fail(action, message);
        throw new UnrecoverableError(message);
    }
  }

  private async fail(action: OutboundAction, reason: string): Promise<void> {
    await this.update(action, {
      status: ActionStatus.Failed,
      error: reason.slice(0, 1000),
      ...finishedPayload(action),
    });
  }

  /** Changes a PENDING action and tells the user's clients (best effort: a query catches up). */
  private async update(
    action: OutboundAction,
    data: Parameters<PrismaService['client']['outboundAction']['update']>[0]['data'],
  ) {
    const changed = await this.db.client.outboundAction.updateMany({
      where: { id: action.id, status: ActionStatus.Pending },
      data,
    });
    if (changed.count === 0) return;
    await this.events
      .publish({ type: 'action', userId: action.userId, actionId: action.id })
      .catch((error: unknown) => this.logger.warn(`action event not published: ${(error as Error).message}`));
  }
}
