import { randomUUID } from 'node:crypto';
import {
  ConnectorError,
  ConnectorErrorCode,
  NO_VIEWER,
  Network,
  RelationshipChange,
  SourceKind,
} from '@tributary/core';
import type {
  ActorRef,
  Profile,
  DraftMedia,
  FetchedPost,
  FetchedThread,
  IngestedItem,
  NetworkConnector,
  NetworkNotification,
  NotificationPage,
  NewerItems,
  OlderPage,
  Poll,
  PostDraft,
  PostTarget,
  SkippedItem,
  SourceDescription,
  SourceRef,
  TrustDomain,
  WriteOptions,
  WriteResult,
} from '@tributary/core';
import type { mastodon } from 'masto';
import { parseLinkHeader } from './link-header.js';
import type { MastodonClientOptions } from './mastodon-client.js';
import { MastodonClient } from './mastodon-client.js';
import type { MastodonStatus } from './mastodon-types.js';
import { normalizeContext } from './normalize-context.js';
import { normalizeNotification } from './normalize-notification.js';
import {
  normalizeAuthor,
  normalizePoll,
  normalizeStatus,
  resolveReplyParents,
  safeUrl,
} from './normalize-status.js';
import { QUOTE_POSTS_API_VERSION, fetchPostLimits } from './instance-limits.js';
import { htmlToRichText } from './rich-text.js';
import { parseTimelineMarker, serializeTimelineMarker } from './timeline-marker.js';

export interface MastodonConnectorOptions extends Omit<MastodonClientOptions, 'accessToken'> {
  accessToken: string;
  /** Statuses per request; Mastodon serves at most 40. */
  pageSize?: number;
}

/** Seconds to wait for an upload the instance processes in the background. */
const MEDIA_PROCESSING_POLLS = 30;
/** Mastodon's cap on timeline page size. */
const MAX_PAGE = 40;

type TimelineParams = { sinceId?: string; maxId?: string; limit: number };

interface Page {
  statuses: unknown[];
  /** Cursor to the next older page (`max_id` of the `next` link, else the last entry's id). */
  older: string | null;
}

/** A newest-first list of the API (a timeline, the notifications), one page per call. */
type Lister = (api: mastodon.rest.Client, params: TimelineParams) => PromiseLike<unknown>;

/** What one newest-first scan down a list found. */
interface Scan {
  /** The raw entries, newest first. */
  entries: unknown[];
  /** The newest entry's id (null when the scan found nothing). */
  newest: string | null;
  /** Where to continue when the scan stopped before its floor (the budget ran out), else null. */
  unfinished: string | null;
}

function statusId(s: unknown): string | null {
  const id = (s as MastodonStatus | null)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/**
 * One linked Mastodon account (instance + access token) behind the `NetworkConnector` port.
 * Timelines are read newest-first with `since_id`/`max_id` (and the `Link` header); ids are never
 * compared, only passed back to the server or matched for equality, because they are opaque strings.
 */
export class MastodonConnector implements NetworkConnector {
  readonly network = Network.Mastodon;
  readonly client: MastodonClient;
  private readonly pageSize: number;

  constructor(options: MastodonConnectorOptions) {
    this.client = new MastodonClient(options);
    this.pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? MAX_PAGE));
  }

  get instanceOrigin(): string {
    return this.client.origin;
  }

  /**
   * Everything this account reads is its instance's word: its own statuses, and the remote ones it
   * relays, whose URIs belong to other servers (a status claiming another server's URI is not that
   * server's status). Stored apart per instance, so one instance never rewrites another's copy.
   */
  get trustDomain(): TrustDomain {
    return this.client.origin;
  }

  /** The source's timeline; masto puts `$select` ids into the path as they are, so they are encoded here. */
  private timeline(source: SourceRef): Lister {
    switch (source.kind) {
      case SourceKind.Home:
        return (api, params) => api.v1.timelines.home.list(params);
      case SourceKind.List: {
        const list = encodeURIComponent(source.externalId);
        if (!list) throw new ConnectorError(ConnectorErrorCode.BadInput, 'list source without a list id');
        return (api, params) => api.v1.timelines.list.$select(list).list(params);
      }
      case SourceKind.Hashtag: {
        const tag = encodeURIComponent(source.externalId.replace(/^#/, ''));
        if (!tag) throw new ConnectorError(ConnectorErrorCode.BadInput, 'hashtag source without a tag');
        return (api, params) => api.v1.timelines.tag.$select(tag).list(params);
      }
      default:
        throw new ConnectorError(ConnectorErrorCode.BadInput, `Mastodon has no ${source.kind} source`);
    }
  }

  /** One page of a list; its cursors come from the `Link` header (only ids are taken from it). */
  private async page(list: Lister, params: TimelineParams): Promise<Page> {
    const res = await this.client.rest((api) => list(api, params));
    if (!Array.isArray(res.data)) {
      throw new ConnectorError(ConnectorErrorCode.Unavailable, 'list response is not an array');
    }
    const links = parseLinkHeader(res.headers.get('link'));
    const last = statusId(res.data[res.data.length - 1]);
    return { statuses: res.data, older: links.next?.searchParams.get('max_id') || last };
  }

  private normalizeAll(
    statuses: unknown[],
    seen: Set<string>,
  ): { items: IngestedItem[]; skipped: SkippedItem[] } {
    const items: IngestedItem[] = [];
    const skipped: SkippedItem[] = [];
    const now = new Date();
    for (const s of statuses) {
      // Timeline entries are keyed by the entry id (the boost's own id for a boost).
      const id = statusId(s);
      if (id !== null) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const r = normalizeStatus(s, this.client.origin, { now });
      if ('ok' in r) items.push(r.ok);
      else skipped.push(r.skipped);
    }
    return { items, skipped };
  }

  /**
   * Everything above `marker`, newest first. No server's paging is taken on trust (some answer
   * `min_id` like `since_id`, with the newest page): the timeline is read newest-first with
   * `since_id` = the last entry seen, and a full page means a gap, paged back with `max_id` until
   * the marker is reached. When `maxItems` runs out first, the rest stays in the returned marker as
   * an open gap (`complete` false) that the next call fills before anything newer. With no marker
   * (a first sync) it returns the newest page: history below it is the backfill's.
   */
  async fetchNewer(source: SourceRef, marker: string | null, maxItems: number): Promise<NewerItems> {
    const newer = await this.newerEntries(this.timeline(source), marker, maxItems);
    const { items, skipped } = this.normalizeAll(newer.entries, new Set());
    resolveReplyParents(items);
    return { items, skipped, marker: newer.marker, complete: newer.complete, trustDomain: this.trustDomain };
  }

  /** The entries of a newest-first list above `marker` (see fetchNewer), raw, with the next marker. */
  private async newerEntries(
    list: Lister,
    marker: string | null,
    maxItems: number,
  ): Promise<{ entries: unknown[]; marker: string; complete: boolean }> {
    const state = parseTimelineMarker(marker);
    const budget = { left: Math.max(1, maxItems) };
    if (state === null) {
      const page = await this.page(list, { limit: Math.min(this.pageSize, budget.left) });
      const top = statusId(page.statuses[0]);
      return { entries: page.statuses, marker: serializeTimelineMarker({ top, gap: null }), complete: true };
    }
    const scans: Scan[] = [];
    if (state.gap) {
      const gap = await this.scan(list, state.gap.below, state.gap.floor, budget);
      if (gap.unfinished !== null) {
        const next = { top: state.top, gap: { below: gap.unfinished, floor: state.gap.floor } };
        return { entries: gap.entries, marker: serializeTimelineMarker(next), complete: false };
      }
      scans.push(gap);
    }
    const fresh = await this.scan(list, null, state.top, budget);
    scans.unshift(fresh); // newer than the gap below the old top
    const next = {
      top: fresh.newest ?? state.top,
      gap: fresh.unfinished === null ? null : { below: fresh.unfinished, floor: state.top },
    };
    return {
      entries: scans.flatMap((s) => s.entries),
      marker: serializeTimelineMarker(next),
      complete: next.gap === null,
    };
  }

  /**
   * Reads newest-first from `below` (null: the top) down to `floor` (null: the end), spending
   * `budget`. It stops at an empty or short page, or at the floor itself (from a server that
   * ignores `since_id`); a full page above the floor means more is between them.
   */
  private async scan(
    list: Lister,
    below: string | null,
    floor: string | null,
    budget: { left: number },
  ): Promise<Scan> {
    const out: Scan = { entries: [], newest: null, unfinished: null };
    let maxId = below;
    for (;;) {
      if (budget.left <= 0) {
        out.unfinished = maxId;
        return out;
      }
      const limit = Math.min(this.pageSize, budget.left);
      const page = await this.page(list, {
        maxId: maxId ?? undefined,
        sinceId: floor ?? undefined,
        limit,
      });
      budget.left -= page.statuses.length;
      const at = floor === null ? -1 : page.statuses.findIndex((s) => statusId(s) === floor);
      const fresh = at >= 0 ? page.statuses.slice(0, at) : page.statuses;
      out.newest ??= statusId(fresh[0]);
      out.entries.push(...fresh);
      if (at >= 0 || page.statuses.length < limit || page.older === null) return out;
      maxId = page.older;
    }
  }

  /**
   * The newest page of a timeline, as it stands now (no cursor): what a poll compares with what it
   * stored, to see edits and deletions a server without a streaming API never announces.
   * `complete` is true when the page holds the whole timeline (shorter than asked).
   */
  async recentStatuses(
    source: SourceRef,
    limit: number,
  ): Promise<{ items: IngestedItem[]; complete: boolean; trustDomain: TrustDomain }> {
    const size = Math.min(this.pageSize, Math.max(1, limit));
    const page = await this.page(this.timeline(source), { limit: size });
    const { items } = this.normalizeAll(page.statuses, new Set());
    resolveReplyParents(items);
    return { items, complete: page.statuses.length < size, trustDomain: this.trustDomain };
  }

  /** Whether the status `id` (on this instance) is gone: deleted, or no longer visible to us. */
  async statusGone(id: string): Promise<boolean> {
    try {
      await this.client.rest((api) => api.v1.statuses.$select(encodeURIComponent(id)).fetch());
      return false;
    } catch (err) {
      if (err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound) return true;
      throw err;
    }
  }

  /** One page of history below `cursor` (a `max_id`), newest first. */
  async fetchOlder(source: SourceRef, cursor: string | null, limit: number): Promise<OlderPage> {
    const page = await this.page(this.timeline(source), {
      maxId: cursor ?? undefined,
      limit: Math.min(this.pageSize, Math.max(1, limit)),
    });
    const { items, skipped } = this.normalizeAll(page.statuses, new Set());
    resolveReplyParents(items);
    // A short page is not the end (the server filters after paging); only an empty one is.
    return {
      items,
      skipped,
      nextCursor: page.statuses.length ? page.older : null,
      trustDomain: this.trustDomain,
    };
  }

  /** A list is one of the account's own (its title is the name); other kinds are checked when read. */
  async describeSource(source: SourceRef): Promise<SourceDescription> {
    if (source.kind !== SourceKind.List) return { displayName: null };
    const list = (await this.lists()).find((l) => l.id === source.externalId);
    if (!list)
      throw new ConnectorError(
        ConnectorErrorCode.NotFound,
        `the account has no list with id "${source.externalId}" on its instance`,
      );
    return { displayName: list.title || null };
  }

  /** The account's lists, to offer as sources. */
  async lists(): Promise<{ id: string; title: string }[]> {
    const res = await this.client.rest((api) => api.v1.lists.list());
    return (Array.isArray(res.data) ? res.data : [])
      .filter((l) => typeof l?.id === 'string')
      .map((l) => ({ id: l.id, title: String(l.title ?? '') }));
  }

  /**
   * Every hashtag the account follows (all pages), lower-cased. Paged here rather than with masto's
   * paginator so that each page goes through the rate budget and the retries.
   */
  async followedTags(): Promise<string[]> {
    const tags: string[] = [];
    let maxId: string | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await this.client.rest((api) => api.v1.followedTags.list({ limit: 200, maxId }));
      const page = Array.isArray(res.data) ? res.data : [];
      for (const t of page) if (typeof t?.name === 'string') tags.push(t.name.toLowerCase());
      maxId = page.length
        ? (parseLinkHeader(res.headers.get('link')).next?.searchParams.get('max_id') ?? undefined)
        : undefined;
      if (!maxId) break;
    }
    return [...new Set(tags)];
  }

  /** Where the streaming API lives (often another host); null when the instance does not say. */
  async streamingUrl(): Promise<string | null> {
    const res = await this.client.rest((api) => api.v2.instance.fetch());
    return res.data?.configuration?.urls?.streaming ?? null;
  }

  /**
   * Saves the home timeline's read marker: Mastodon clients resume reading there, on any device.
   * `lastReadId` is a status id on this instance. Setting the same marker twice is harmless.
   */
  async saveHomeMarker(lastReadId: string): Promise<void> {
    if (!lastReadId) throw new ConnectorError(ConnectorErrorCode.BadInput, 'read marker without a status id');
    await this.client.rest((api) => api.v1.markers.create({ home: { lastReadId } }));
  }

  /**
   * The account's notifications above `marker`, read like a timeline (newest first, `since_id`,
   * gaps kept in the marker), with the statuses they are about stored as this instance's word.
   */
  async fetchNotifications(marker: string | null, maxItems: number): Promise<NotificationPage> {
    const newer = await this.newerEntries(
      (api, params) => api.v1.notifications.list(params),
      marker,
      maxItems,
    );
    const items: NetworkNotification[] = [];
    const skipped: SkippedItem[] = [];
    const seen = new Set<string>();
    for (const entry of newer.entries) {
      const r = normalizeNotification(entry, this.client.origin);
      if ('ok' in r) {
        if (seen.has(r.ok.nativeId)) continue;
        seen.add(r.ok.nativeId);
        items.push(r.ok);
      } else if ('skipped' in r) skipped.push(r.skipped);
    }
    return { items, skipped, marker: newer.marker, complete: newer.complete, trustDomain: this.trustDomain };
  }

  /** Saves the `notifications` read marker: Mastodon clients show the rest as unread. */
  async saveNotificationsRead(last: { nativeId: string }): Promise<void> {
    if (!last.nativeId)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'read marker without a notification id');
    await this.client.rest((api) => api.v1.markers.create({ notifications: { lastReadId: last.nativeId } }));
  }

  /** Favourite, boost… `target` is resolved on this instance first: its nativeId may be another's. */
  private async statusAction(
    target: PostTarget,
    action: 'favourite' | 'unfavourite' | 'reblog' | 'unreblog' | 'bookmark' | 'unbookmark',
  ): Promise<MastodonStatus> {
    const id = encodeURIComponent((await this.resolveStatus(target)).id);
    const res = await this.client.rest((api) => api.v1.statuses.$select(id)[action]());
    return res.data;
  }

  private writeResult(s: MastodonStatus): WriteResult {
    if (typeof s?.id !== 'string' || typeof s.uri !== 'string') {
      throw new ConnectorError(ConnectorErrorCode.Unavailable, 'write response without a status id or uri');
    }
    return { uri: s.uri, nativeId: s.id, webUrl: safeUrl(s.url) };
  }

  /** Favourite; idempotent on Mastodon's side. Returns the favourited status. */
  async like(target: PostTarget, _options?: WriteOptions): Promise<WriteResult> {
    return this.writeResult(await this.statusAction(target, 'favourite'));
  }

  async unlike(target: PostTarget, _ref: string | null): Promise<void> {
    await this.statusAction(target, 'unfavourite');
  }

  /** Boost; returns the boost's own status (its id and uri), idempotent on Mastodon's side. */
  async repost(target: PostTarget, _options?: WriteOptions): Promise<WriteResult> {
    return this.writeResult(await this.statusAction(target, 'reblog'));
  }

  async unrepost(target: PostTarget, _ref: string | null): Promise<void> {
    await this.statusAction(target, 'unreblog');
  }

  /**
   * Posts a status or a reply. `idempotencyKey` (e.g. the job id) makes a retried job not post
   * twice: Mastodon returns the first status for a repeated key.
   */
  async createPost(draft: PostDraft, options: { idempotencyKey?: string } = {}): Promise<WriteResult> {
    const media = draft.media ?? [];
    if (!draft.text.trim() && media.length === 0)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'empty post');
    // Before any upload: a quote the instance or the author refuses is refused here.
    const quotedStatusId = draft.quoteOf ? await this.quotableStatusId(draft.quoteOf, media.length) : undefined;
    // A retried job uploads again; attachments never used in a status are removed by the instance.
    const mediaIds = media.length ? await Promise.all(media.map((m) => this.uploadMedia(m))) : undefined;
    const inReplyToId = draft.replyTo ? (await this.resolveStatus(draft.replyTo)).id : undefined;
    const params = {
      status: draft.text,
      mediaIds,
      spoilerText: draft.contentWarning || undefined,
      // Behind a content warning, media too (Mastodon infers it; other servers do not).
      sensitive: draft.contentWarning ? true : undefined,
      language: draft.language || undefined,
      inReplyToId,
      quotedStatusId,
    };
    const headers = { 'idempotency-key': options.idempotencyKey ?? randomUUID() };
    const res = await this.client.rest((api) => api.v1.statuses.create(params, { requestInit: { headers } }));
    return this.writeResult(res.data);
  }

  /**
   * The id to quote `target` by, once the instance is known to take quotes (other servers would
   * post the text alone) and the status's policy does not refuse this account. Mastodon takes no
   * media in a quote post.
   */
  private async quotableStatusId(target: PostTarget, mediaCount: number): Promise<string> {
    if (mediaCount > 0)
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'Mastodon takes no media in a quote post');
    if (!(await fetchPostLimits(this.client)).quotePosts)
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `${this.client.origin} does not take quote posts (Mastodon API version ${QUOTE_POSTS_API_VERSION}, Mastodon 4.5, and later)`,
      );
    const status = await this.resolveStatus(target);
    // Mastodon's own word for this account: `denied`, or `unknown` (treated as denied, as its docs advise).
    const verdict = (status as { quoteApproval?: { currentUser?: unknown } | null }).quoteApproval?.currentUser;
    if (verdict === 'denied' || verdict === 'unknown')
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `the author of ${target.uri} does not let this account quote it`,
      );
    return status.id;
  }

  /**
   * Uploads one attachment (with its description) and returns its id once the instance has
   * processed it: `/api/v2/media` may answer 202 and process in the background.
   */
  private async uploadMedia(media: DraftMedia): Promise<string> {
    const file = new File([new Uint8Array(media.data)], `upload.${media.mimeType.split('/')[1] ?? 'bin'}`, {
      type: media.mimeType,
    });
    // Polled here rather than by masto, so that each poll goes through the rate budget.
    const res = await this.client.rest((api) =>
      api.v2.media.create({ file, description: media.altText || undefined, skipPolling: true }),
    );
    const id = res.data?.id;
    if (typeof id !== 'string')
      throw new ConnectorError(ConnectorErrorCode.Unavailable, 'media upload answered without an id');
    for (let wait = 0; res.status === 202 && wait < MEDIA_PROCESSING_POLLS; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const state = await this.client.rest((api) => api.v1.media.$select(encodeURIComponent(id)).fetch());
      if (state.status === 200 && state.data?.url) return id;
    }
    if (res.status === 202)
      throw new ConnectorError(
        ConnectorErrorCode.Unavailable,
        `media ${id} still processing after ${MEDIA_PROCESSING_POLLS} s`,
      );
    return id;
  }

  async fetchPost(target: PostTarget): Promise<FetchedPost> {
    const status = await this.resolveStatus(target);
    const r = normalizeStatus(status, this.client.origin);
    if (!('ok' in r))
      throw new ConnectorError(ConnectorErrorCode.Unavailable, `unreadable status: ${r.skipped.reason}`);
    return { post: r.ok.post, viewer: r.ok.viewer ?? NO_VIEWER, trustDomain: this.trustDomain };
  }

  /**
   * Edits one of this account's own statuses (`PUT /api/v1/statuses/:id`): its text, content
   * warning and language. The instance replaces attachments and poll with what an edit names, so
   * the attachments it has are named again; a status with a poll is refused (its votes would go).
   * Returns the status as edited. Idempotent: the same edit again changes nothing.
   */
  async editPost(
    target: PostTarget,
    draft: Pick<PostDraft, 'text' | 'contentWarning' | 'language'>,
  ): Promise<FetchedPost> {
    const status = await this.resolveStatus(target);
    if (status.poll)
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        'a post with a poll cannot be edited through Tributary (the instance would drop the poll and its votes)',
      );
    const mediaIds = (status.mediaAttachments ?? []).flatMap((m) =>
      typeof m?.id === 'string' ? [m.id] : [],
    );
    const params = {
      status: draft.text,
      spoilerText: draft.contentWarning ?? '',
      sensitive: draft.contentWarning ? true : undefined,
      language: draft.language || undefined,
      mediaIds,
    };
    const id = encodeURIComponent(status.id);
    const res = await this.client.rest((api) => api.v1.statuses.$select(id).update(params));
    const r = normalizeStatus(res.data as MastodonStatus, this.client.origin);
    if (!('ok' in r))
      throw new ConnectorError(ConnectorErrorCode.Unavailable, `unreadable status: ${r.skipped.reason}`);
    return { post: r.ok.post, viewer: r.ok.viewer ?? NO_VIEWER, trustDomain: this.trustDomain };
  }

  /** Bookmarks the status on this account's instance (idempotent there), or takes the bookmark back. */
  async setBookmarked(target: PostTarget, bookmarked: boolean): Promise<void> {
    await this.statusAction(target, bookmarked ? 'bookmark' : 'unbookmark');
  }

  /** The status and its context (ancestors, descendants) as this account's instance sees them. */
  async fetchThread(target: PostTarget): Promise<FetchedThread> {
    const status = await this.resolveStatus(target);
    const id = encodeURIComponent(status.id);
    const context = await this.client.rest((api) => api.v1.statuses.$select(id).context.fetch());
    return normalizeContext(status, context.data, this.client.origin);
  }

  /**
   * The status behind `target` on this instance. `nativeId` is only an id on the instance that
   * stored the post, so it counts only if the status it names has the same URI; otherwise the
   * instance looks the URI up (fetching it from its origin if it has to).
   */
  private async resolveStatus(target: PostTarget): Promise<MastodonStatus & { id: string }> {
    if (target.nativeId) {
      try {
        const id = encodeURIComponent(target.nativeId);
        const res = await this.client.rest((api) => api.v1.statuses.$select(id).fetch());
        if (res.data?.uri === target.uri && typeof res.data.id === 'string')
          return { ...res.data, id: res.data.id };
      } catch (err) {
        if (!(err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound)) throw err;
      }
    }
    const res = await this.client.rest((api) =>
      api.v2.search.list({ q: target.uri, resolve: true, type: 'statuses', limit: 5 }),
    );
    const found = (Array.isArray(res.data?.statuses) ? (res.data.statuses as MastodonStatus[]) : []).find(
      (s) => s?.uri === target.uri && typeof s.id === 'string',
    );
    if (!found?.id) {
      throw new ConnectorError(
        ConnectorErrorCode.NotFound,
        `status ${target.uri} not found on ${this.client.origin} (deleted or not visible to this account)`,
      );
    }
    return { ...found, id: found.id };
  }

  /**
   * Votes in the poll of `target` for the options `choices` (indexes). Returns the poll as it now
   * stands and this account's own votes (the member's, never the shared post's). The instance
   * refuses an ended poll, a second vote or a bad choice (BAD_INPUT, its message kept).
   */
  async vote(target: PostTarget, choices: readonly number[]): Promise<{ poll: Poll; ownVotes: number[] }> {
    if (choices.length === 0 || choices.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'a vote needs one or more option indexes');
    }
    const status = await this.resolveStatus(target);
    const pollId = normalizePoll(status.poll)?.id;
    if (!pollId) throw new ConnectorError(ConnectorErrorCode.BadInput, `status ${target.uri} has no poll`);
    const id = encodeURIComponent(pollId);
    const res = await this.client.rest((api) =>
      api.v1.polls.$select(id).votes.create({ choices: [...choices] }),
    );
    const poll = normalizePoll(res.data);
    if (!poll) throw new ConnectorError(ConnectorErrorCode.Unavailable, 'the vote answer is not a poll');
    const own = (res.data as { ownVotes?: unknown }).ownVotes;
    return { poll, ownVotes: Array.isArray(own) ? own.filter((c) => Number.isInteger(c)) : [...choices] };
  }

  async fetchProfile(actor: ActorRef): Promise<Profile> {
    const account = await this.resolveAccount(actor);
    const id = account.id;
    const rel = await this.client.rest((api) => api.v1.accounts.relationships.fetch({ id: [id] }));
    const r = (Array.isArray(rel.data) ? rel.data : []).find((x) => x?.id === id);
    const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
    const host = new URL(this.client.origin).host;
    return {
      ...normalizeAuthor(account, account, host, 'account'),
      bio: htmlToRichText(String(account.note ?? ''), { mentions: [], tags: [], instanceHost: host }).text,
      bannerUrl: safeUrl(account.headerStatic) ?? safeUrl(account.header),
      webUrl: safeUrl(account.url),
      followersCount: count(account.followersCount),
      followingCount: count(account.followingCount),
      postsCount: count(account.statusesCount),
      relationship: {
        following: r?.following === true || r?.requested === true,
        followedBy: r?.followedBy === true,
        muted: r?.muting === true,
        blocked: r?.blocking === true,
        blockedBy: r?.blockedBy === true,
      },
    };
  }

  async fetchAuthorPosts(actor: ActorRef, cursor: string | null, limit: number): Promise<OlderPage> {
    const id = encodeURIComponent((await this.resolveAccount(actor)).id);
    const page = await this.page((api, params) => api.v1.accounts.$select(id).statuses.list(params), {
      maxId: cursor ?? undefined,
      limit: Math.min(this.pageSize, Math.max(1, limit)),
    });
    const { items, skipped } = this.normalizeAll(page.statuses, new Set());
    resolveReplyParents(items);
    return {
      items,
      skipped,
      nextCursor: page.statuses.length ? page.older : null,
      trustDomain: this.trustDomain,
    };
  }

  /** Follow, mute, block and their undoing: each is idempotent on Mastodon's side. */
  async relate(actor: ActorRef, change: RelationshipChange): Promise<WriteResult | null> {
    const account = await this.resolveAccount(actor);
    const id = encodeURIComponent(account.id);
    const action = {
      [RelationshipChange.Follow]: 'follow',
      [RelationshipChange.Unfollow]: 'unfollow',
      [RelationshipChange.Mute]: 'mute',
      [RelationshipChange.Unmute]: 'unmute',
      [RelationshipChange.Block]: 'block',
      [RelationshipChange.Unblock]: 'unblock',
    } as const;
    await this.client.rest((api) => api.v1.accounts.$select(id)[action[change]]());
    const host = new URL(this.client.origin).host;
    const { networkId } = normalizeAuthor(account, account, host, 'account');
    return { uri: networkId, nativeId: account.id, webUrl: safeUrl(account.url) };
  }

  /**
   * Someone's account on this instance: by account URI (looked up and, if need be, fetched by the
   * instance), or by `user@host` handle (`lookup`, then a resolving search for a remote account the
   * instance has not seen yet). A URI must come back as itself: a search answer is never taken for
   * someone else.
   */
  private async resolveAccount(actor: ActorRef): Promise<mastodon.v1.Account> {
    const host = new URL(this.client.origin).host;
    const given = actor
      .trim()
      .replace(/^acct:/, '')
      .replace(/^@/, '');
    const byUri = /^https?:\/\//.test(given);
    if (!byUri && !/^[A-Za-z0-9_.-]+(@[A-Za-z0-9.-]+(:\d+)?)?$/.test(given))
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `"${actor}" is neither a Mastodon account URI nor a user@instance handle`,
      );
    if (!byUri) {
      // A local account is `user` to its own instance.
      const acct = given.endsWith(`@${host}`) ? given.slice(0, -host.length - 1) : given;
      try {
        const res = await this.client.rest((api) => api.v1.accounts.lookup({ acct }));
        if (typeof res.data?.id === 'string') return res.data;
      } catch (err) {
        if (!(err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound)) throw err;
      }
    }
    const res = await this.client.rest((api) =>
      api.v2.search.list({ q: byUri ? given : `@${given}`, resolve: true, type: 'accounts', limit: 5 }),
    );
    const accounts = Array.isArray(res.data?.accounts) ? res.data.accounts : [];
    const found = accounts.find((a) => {
      if (typeof a?.id !== 'string') return false;
      if (byUri) return (a as { uri?: unknown }).uri === given || a.url === given;
      const acct = a.acct.includes('@') ? a.acct : `${a.acct}@${host}`;
      return acct.toLowerCase() === (given.includes('@') ? given : `${given}@${host}`).toLowerCase();
    });
    if (!found)
      throw new ConnectorError(
        ConnectorErrorCode.NotFound,
        `no account ${actor} on ${this.client.origin} (unknown, suspended or not visible to this account)`,
      );
    return found;
  }

  /** Deletes a status; a status that is already gone counts as deleted. */
  async deletePost(target: PostTarget): Promise<void> {
    try {
      const id = encodeURIComponent(target.nativeId);
      await this.client.rest((api) => api.v1.statuses.$select(id).remove());
    } catch (err) {
      if (err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound) return;
      throw err;
    }
  }
}
