import { Injectable } from '@nestjs/common';
import { ActionKind, Network } from '@tributary/core';
import type { ActionDraft, ActionResult, Post } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import { LRUCache } from 'lru-cache';
import type { ActionModel } from '../actions/action.model.js';
import { ActionsService } from '../actions/actions.service.js';
import type { PostActionKind } from '../actions/actions.service.js';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { PostAccessService } from '../posts/post-access.service.js';
import type { StoredPost } from '../posts/post-access.service.js';
import { ThreadService } from '../posts/thread.service.js';
import { statusIdRequests, toPoll } from './entities/mastodon-entities.js';
import type { EntityContext, StoredPostData } from './entities/mastodon-entities.js';
import { parsePostKey, pendingPostKey, reblogPostKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { MastodonMediaStore } from './mastodon-media.service.js';
import { MastodonAccounts } from './mastodon-accounts.service.js';
import { StatusPresenter } from './status-presenter.service.js';
import { ViewerStates } from './viewer-state.js';

type Json = Record<string, unknown>;

export interface NewStatus {
  status?: unknown;
  media_ids?: unknown;
  in_reply_to_id?: unknown;
  sensitive?: unknown;
  spoiler_text?: unknown;
  visibility?: unknown;
  language?: unknown;
  poll?: unknown;
}

const notFound = () => new AppException(AppErrorCode.NotFound, 'Record not found');

/** A post as a status: NOT_FOUND once deleted at origin (its network answers 404 for it too). */
function stillThere(post: StoredPost): StoredPost {
  if (post.data.deletedAt !== undefined) throw notFound();
  return post;
}
/** Mastodon keeps an Idempotency-Key for an hour. */
const IDEMPOTENCY_TTL_MS = 3600_000;

/**
 * Statuses by id, threads and writes, through the same services as GraphQL: PostAccessService
 * decides what a member may read, ThreadService fetches threads, ActionsService queues every write.
 */
@Injectable()
export class MastodonStatuses {
  /** A repeated `POST /api/v1/statuses` with the same Idempotency-Key gets the first answer (this process). */
  private readonly idempotent = new LRUCache<string, Promise<Json>>({ max: 10_000, ttl: IDEMPOTENCY_TTL_MS });

  constructor(
    private readonly db: PrismaService,
    private readonly ids: MastodonIds,
    private readonly access: PostAccessService,
    private readonly threads: ThreadService,
    private readonly actions: ActionsService,
    private readonly presenter: StatusPresenter,
    private readonly media: MastodonMediaStore,
    private readonly accounts: MastodonAccounts,
    private readonly viewer: ViewerStates,
  ) {}

  /**
   * Deletes one of the member's own statuses on its network (a queued action) and answers, as
   * Mastodon does, with the status and its source text, for "delete and redraft".
   */
  async remove(user: AuthenticatedUser, statusId: string, ctx: EntityContext): Promise<Json> {
    const post = await this.visiblePost(user.id, statusId);
    const status = await this.status(user, statusId, ctx);
    await this.actions.deletePost(user.id, String(post.id));
    return { ...status, text: post.data.text };
  }

  /**
   * Edits one of the member's own statuses (a queued EDIT action: Mastodon only, its attachments
   * kept) and answers, as Mastodon does, with the status as edited: the stored post with the new
   * text until the instance's own answer is stored over it.
   */
  async edit(user: AuthenticatedUser, statusId: string, body: NewStatus, ctx: EntityContext): Promise<Json> {
    const post = await this.visiblePost(user.id, statusId);
    const text = typeof body.status === 'string' ? body.status : '';
    const contentWarning =
      typeof body.spoiler_text === 'string' && body.spoiler_text.trim() ? body.spoiler_text.trim() : null;
    const language = typeof body.language === 'string' && body.language ? body.language : null;
    await this.actions.editPost(user.id, String(post.id), { text, contentWarning, language, media: [] });
    const data = {
      ...post.data,
      text,
      richText: plainRichText(text),
      contentWarning,
      sensitive: post.data.sensitive || contentWarning !== null,
      languages: language ? [language] : post.data.languages,
    };
    return { ...(await this.one(user, { ...post, data }, ctx)), edited_at: new Date().toISOString() };
  }

  /** The text of one of the member's own statuses as written, for an app's edit form. */
  async source(user: AuthenticatedUser, statusId: string): Promise<Json> {
    const post = await this.visiblePost(user.id, statusId);
    const own = await this.db.client.linkedAccount.count({
      where: { userId: user.id, network: post.network, networkAccountId: post.data.author.networkId },
    });
    if (own === 0) throw notFound();
    return { id: statusId, text: post.data.text, spoiler_text: post.data.contentWarning ?? '' };
  }

  /**
   * The post a status id names, when the member may read it; NOT_FOUND otherwise, and for a post
   * deleted at origin (Mastodon answers a deleted status's id with 404 too).
   */
  async visiblePost(userId: string, statusId: string): Promise<StoredPost> {
    const named = await this.ids.resolve(statusId);
    const key =
      named?.kind === 'POST' ? named.key : named?.kind === 'REBLOG' ? reblogPostKey(named.key) : null;
    const post = key ? parsePostKey(key) : null;
    if (!post) throw notFound();
    // Each trust domain's copy is a row of its own: the member reads the one their sources delivered.
    const rows = await this.db.client.post.findMany({
      where: { network: post.network, uri: post.uri },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    for (const row of rows) {
      const visible = await this.access.visiblePost(userId, row.id);
      if (visible) return stillThere(visible);
    }
    throw notFound();
  }

  async status(user: AuthenticatedUser, statusId: string, ctx: EntityContext): Promise<Json> {
    const named = await this.ids.resolve(statusId);
    if (named?.kind === 'POST' && named.key.startsWith('action '))
      return this.pending(user, named.key.slice(7), ctx);
    const post = await this.visiblePost(user.id, statusId);
    return this.one(user, post, ctx);
  }

  async context(user: AuthenticatedUser, statusId: string, ctx: EntityContext): Promise<Json> {
    const post = await this.visiblePost(user.id, statusId);
    const thread = await this.threads.thread(user.id, post.id);
    const ancestorIds = thread.ancestors.map((p) => BigInt(p.id));
    const replyIds = thread.replies.map((r) => BigInt(r.post.id));
    const data = await this.access.postsByIds([...ancestorIds, ...replyIds]);
    const present = (ids: bigint[]) =>
      this.presenter.statuses(
        user.id,
        ids.flatMap((id) => {
          const found = data.get(id);
          // A reply or parent deleted at origin is left out, as Mastodon's own context does.
          return found && found.deletedAt === undefined
            ? [{ postId: String(id), post: found, reason: null }]
            : [];
        }),
        ctx,
      );
    const [ancestors, descendants] = await Promise.all([present(ancestorIds), present(replyIds)]);
    return { ancestors, descendants };
  }

  /**
   * The poll of a status (a poll's id is its status's), with the member's vote when they cast one
   * through Tributary (what they voted elsewhere is their account's, never stored with the post):
   * the viewer state every status's embedded poll is completed with. NOT_FOUND for a status without
   * one, as Mastodon answers.
   */
  async poll(user: AuthenticatedUser, pollId: string): Promise<Json> {
    const post = await this.pollPost(user, pollId);
    const choices = (await this.viewer.of(user.id, [String(post.id)])).get(String(post.id))?.ownVotes;
    return this.pollJson(post, choices ? { choices, counted: true } : null);
  }

  /**
   * A vote in a status's poll through the member's account that saw it (a queued VOTE action, as
   * GraphQL's `vote`), answered with the poll counting it. Bluesky has no polls: 422, saying so.
   */
  async vote(user: AuthenticatedUser, pollId: string, choices: unknown): Promise<Json> {
    const post = await this.pollPost(user, pollId);
    const chosen = (Array.isArray(choices) ? choices : choices === undefined ? [] : [choices]).map((c) =>
      typeof c === 'number' || (typeof c === 'string' && /^\d+$/.test(c)) ? Number(c) : NaN,
    );
    await this.actions.vote(user.id, String(post.id), chosen, null);
    return this.pollJson(post, { choices: chosen, counted: false });
  }

  private async pollPost(user: AuthenticatedUser, pollId: string): Promise<StoredPost> {
    const post = await this.visiblePost(user.id, pollId);
    if (post.network === Network.Bluesky)
      throw new AppException(
        AppErrorCode.BadUserInput,
        'Bluesky has no polls: this status is a Bluesky post',
      );
    if (!post.data.poll) throw notFound();
    return post;
  }

  private async pollJson(
    post: StoredPost,
    own: { choices: readonly number[]; counted: boolean } | null,
  ): Promise<Json> {
    const ids = await this.ids.ids(statusIdRequests([{ post: post.data, reason: null }]));
    return toPoll(post.data, ids, own)!;
  }

  /** Favourite, reblog and their undoing: queued on the post's network, answered with the status as it now stands. */
  async act(
    user: AuthenticatedUser,
    statusId: string,
    kind: PostActionKind,
    ctx: EntityContext,
  ): Promise<Json> {
    const post = await this.visiblePost(user.id, statusId);
    await this.actions.onPost(user.id, kind, String(post.id), null, null);
    return this.one(user, post, ctx);
  }

  /**
   * A new status or a reply: a reply goes to the network of the post it answers; a new status to
   * each network the member has an account on, except Bluesky when it carries a content warning
   * (Bluesky has none; sending the text there unwarned would defeat it).
   */
  async create(
    user: AuthenticatedUser,
    body: NewStatus,
    idempotencyKey: string | null,
    ctx: EntityContext,
  ): Promise<Json> {
    if (!idempotencyKey) return this.createOnce(user, body, ctx);
    const key = `${user.id} ${idempotencyKey}`;
    let answer = this.idempotent.get(key);
    if (!answer) {
      answer = this.createOnce(user, body, ctx);
      this.idempotent.set(key, answer);
      answer.catch(() => this.idempotent.delete(key));
    }
    return answer;
  }

  private async createOnce(user: AuthenticatedUser, body: NewStatus, ctx: EntityContext): Promise<Json> {
    const text = typeof body.status === 'string' ? body.status : '';
    const mediaIds = Array.isArray(body.media_ids)
      ? body.media_ids.filter((m): m is string => typeof m === 'string')
      : typeof body.media_ids === 'string'
        ? [body.media_ids]
        : [];
    const contentWarning =
      typeof body.spoiler_text === 'string' && body.spoiler_text.trim() ? body.spoiler_text.trim() : null;
    const language = typeof body.language === 'string' && body.language ? body.language : null;
    const uploads = await this.media.take(user.id, mediaIds);
    const poll = pollOf(body.poll);
    const draft: ActionDraft = {
      text,
      contentWarning,
      language,
      media: uploads.map((u) => ({
        data: u.data.toString('base64'),
        mimeType: u.mimeType,
        altText: u.description,
      })),
      poll,
    };
    const replyTo =
      typeof body.in_reply_to_id === 'string' && body.in_reply_to_id ? body.in_reply_to_id : null;
    let action: ActionModel;
    if (replyTo) {
      const parent = await this.visiblePost(user.id, replyTo);
      action = await this.actions.onPost(user.id, ActionKind.Reply, String(parent.id), null, draft);
    } else {
      const linked = await this.db.client.linkedAccount.findMany({
        where: { userId: user.id },
        select: { network: true },
      });
      // Bluesky has neither content warnings nor polls: such a status goes to Mastodon alone.
      const networks = [...new Set(linked.map((a) => a.network))].filter(
        (n) => !((contentWarning || poll) && n === Network.Bluesky),
      );
      if (networks.length === 0) {
        throw new AppException(
          AppErrorCode.BadUserInput,
          contentWarning
            ? 'A content warning needs a linked Mastodon account (Bluesky has no content warnings)'
            : poll
              ? 'A poll needs a linked Mastodon account (Bluesky has no polls)'
              : 'Link a Bluesky or Mastodon account to Tributary to post',
        );
      }
      action = (await this.actions.createPost(user.id, draft, networks, []))[0]!;
    }
    await this.media.used(
      user.id,
      uploads.map((u) => u.uploadId),
      action!.id,
    );
    return this.pending(user, action!.id, ctx, {
      draft,
      visibility: body.visibility,
      sensitive: body.sensitive === true || body.sensitive === 'true',
    });
  }

  /** One stored post as a status (no repost wrapper). */
  private async one(user: AuthenticatedUser, post: StoredPost, ctx: EntityContext): Promise<Json> {
    const [status] = await this.presenter.statuses(
      user.id,
      [{ postId: String(post.id), post: post.data, reason: null }],
      ctx,
    );
    return status!;
  }

  /**
   * A status the member wrote through Tributary: the published post once the action is done and the
   * post is stored, until then the draft as a status of the member's own account (the id stays the
   * action's, so an app that keeps it can always read it again).
   */
  private async pending(
    user: AuthenticatedUser,
    actionId: string,
    ctx: EntityContext,
    fresh?: { draft: ActionDraft; visibility: unknown; sensitive: boolean },
  ): Promise<Json> {
    const action = /^[0-9a-f-]{36}$/.test(actionId)
      ? await this.db.client.outboundAction.findFirst({ where: { id: actionId, userId: user.id } })
      : null;
    if (!action) throw notFound();
    const result = action.result as ActionResult | null;
    if (result?.uri) {
      const stored = await this.db.client.post.findFirst({
        where: { uri: result.uri },
        select: { id: true },
      });
      const visible = stored ? await this.access.visiblePost(user.id, stored.id) : null;
      if (visible) return this.one(user, stillThere(visible), ctx);
    }
    const draft = fresh?.draft ?? (action.payload as { draft?: ActionDraft | null }).draft ?? null;
    const id = await this.ids.id({
      kind: 'POST',
      key: pendingPostKey(action.id),
      at: action.createdAt.getTime(),
    });
    const account = await this.accounts.own(user, ctx);
    const text = draft?.text ?? '';
    const post: StoredPostData = {
      network:
        action.payload && (action.payload as { network?: Post['network'] }).network === 'BLUESKY'
          ? 'BLUESKY'
          : 'MASTODON',
      uri: `${ctx.baseUrl}/statuses/${id}`,
      nativeId: id,
      webUrl: null,
      author: {
        network: 'MASTODON',
        networkId: `member:${user.id}`,
        handle: user.username,
        displayName: user.username,
        avatarUrl: null,
        bot: false,
      },
      text,
      richText: plainRichText(text),
      languages: draft?.language ? [draft.language] : [],
      createdAt: action.createdAt.toISOString(),
      indexedAt: action.createdAt.toISOString(),
      replyParent: null,
      replyRoot: null,
      quote: null,
      media: [],
      linkCard: null,
      counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
      contentWarning: draft?.contentWarning ?? null,
      sensitive: fresh?.sensitive ?? false,
      labels: [],
      visibility:
        fresh?.visibility === 'unlisted' || fresh?.visibility === 'private' || fresh?.visibility === 'direct'
          ? fresh.visibility
          : 'public',
      hashtags: [],
    };
    const [status] = await this.presenter.statuses(user.id, [{ postId: '0', post, reason: null }], ctx);
    const media = await this.media.attachments(ctx.baseUrl, user.id, action.id);
    return { ...status!, id, uri: post.uri, account, media_attachments: media };
  }
}

/**
 * A status's `poll` parameter (JSON, or Rails-style form fields `poll[options][]`), as a draft
 * poll; its rules and the instance's limits are checked with the rest of the draft.
 */
function pollOf(value: unknown): ActionDraft['poll'] {
  if (value === undefined || value === null || value === '') return null;
  const p = value as { options?: unknown; expires_in?: unknown; multiple?: unknown };
  const options = Array.isArray(p.options) ? p.options.filter((o): o is string => typeof o === 'string') : [];
  const expiresIn = Number(p.expires_in);
  return {
    options,
    expiresIn: Number.isInteger(expiresIn) ? expiresIn : 0,
    multiple: p.multiple === true || p.multiple === 'true',
  };
}

/** Text as written, as rich text: its lines, nothing recognised in them (the network's answer will be). */
function plainRichText(text: string): Post['richText'] {
  return {
    segments: text
      .split('\n')
      .flatMap((line, i) => [
        ...(i > 0 ? [{ type: 'linebreak' as const, text: '\n' as const }] : []),
        { type: 'text' as const, text: line },
      ]),
  };
}
