import { randomUUID } from 'node:crypto';
import { ConnectorError, ConnectorErrorCode, Network, SourceKind } from '@tributary/core';
import type {
  DraftMedia,
  FetchedThread,
  IngestedItem,
  NetworkConnector,
  NewerItems,
  OlderPage,
  PostDraft,
  PostTarget,
  SkippedItem,
  SourceRef,
  WriteOptions,
  WriteResult,
} from '@tributary/core';
import { parseLinkHeader } from './link-header.js';
import type { MastodonHttpOptions } from './mastodon-http.js';
import { MastodonHttp } from './mastodon-http.js';
import type { MastodonList, MastodonStatus, MastodonTag } from './mastodon-types.js';
import { normalizeContext } from './normalize-context.js';
import { normalizeStatus, safeUrl } from './normalize-status.js';

export interface MastodonConnectorOptions extends Omit<MastodonHttpOptions, 'accessToken'> {
  accessToken: string;
  /** Statuses per request; Mastodon serves at most 40. */
  pageSize?: number;
}

/** Seconds to wait for an upload the instance processes in the background. */
const MEDIA_PROCESSING_POLLS = 30;
/** Mastodon's cap on timeline page size. */
const MAX_PAGE = 40;

interface Page {
  statuses: unknown[];
  /** Cursor to the next newer page (`min_id` of the `prev` link). */
  newer: string | null;
  /** Cursor to the next older page (`max_id` of the `next` link). */
  older: string | null;
}

function statusId(s: unknown): string | null {
  const id = (s as MastodonStatus | null)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/**
 * One linked Mastodon account (instance + access token) behind the `NetworkConnector` port.
 * Timelines are paged with `min_id`/`max_id` and the `Link` header; ids are never compared, only
 * passed back to the server, because they are opaque strings.
 */
export class MastodonConnector implements NetworkConnector {
  readonly network = Network.Mastodon;
  readonly http: MastodonHttp;
  private readonly pageSize: number;

  constructor(options: MastodonConnectorOptions) {
    this.http = new MastodonHttp(options);
    this.pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? MAX_PAGE));
  }

  get instanceOrigin(): string {
    return this.http.origin;
  }

  private timelinePath(source: SourceRef): string {
    switch (source.kind) {
      case SourceKind.Home:
        return '/api/v1/timelines/home';
      case SourceKind.List:
        if (!source.externalId)
          throw new ConnectorError(ConnectorErrorCode.BadInput, 'list source without a list id');
        return `/api/v1/timelines/list/${encodeURIComponent(source.externalId)}`;
      case SourceKind.Hashtag: {
        const tag = source.externalId.replace(/^#/, '');
        if (!tag) throw new ConnectorError(ConnectorErrorCode.BadInput, 'hashtag source without a tag');
        return `/api/v1/timelines/tag/${encodeURIComponent(tag)}`;
      }
      default:
        throw new ConnectorError(ConnectorErrorCode.BadInput, `Mastodon has no ${source.kind} source`);
    }
  }

  private async page(source: SourceRef, query: Record<string, string | number | undefined>): Promise<Page> {
    const res = await this.http.request<unknown>('GET', this.timelinePath(source), { query });
    if (!Array.isArray(res.data)) {
      throw new ConnectorError(ConnectorErrorCode.Unavailable, 'timeline response is not an array');
    }
    const links = parseLinkHeader(res.headers.get('link'));
    const first = statusId(res.data[0]);
    const last = statusId(res.data[res.data.length - 1]);
    return {
      statuses: res.data,
      newer: links.prev?.searchParams.get('min_id') ?? links.prev?.searchParams.get('since_id') ?? first,
      older: links.next?.searchParams.get('max_id') ?? last,
    };
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
      const r = normalizeStatus(s, this.http.origin, { now });
      if ('ok' in r) items.push(r.ok);
      else skipped.push(r.skipped);
    }
    return { items, skipped };
  }

  /**
   * Pages forward from `marker` with `min_id` until an empty page or `maxItems`. Unlike a
   * newest-first fetch this leaves no gap: when `complete` is false, calling again with the
   * returned marker continues exactly where this call stopped. With no marker it returns the
   * newest page and its marker; history before it is `fetchOlder`'s job.
   */
  async fetchNewer(source: SourceRef, marker: string | null, maxItems: number): Promise<NewerItems> {
    const seen = new Set<string>();
    if (marker === null) {
      const page = await this.page(source, { limit: Math.min(this.pageSize, Math.max(1, maxItems)) });
      const { items, skipped } = this.normalizeAll(page.statuses, seen);
      return { items, skipped, marker: page.statuses.length ? page.newer : null, complete: true };
    }
    const pages: { items: IngestedItem[]; skipped: SkippedItem[] }[] = [];
    let cursor = marker;
    let fetched = 0;
    let complete = false;
    while (fetched < maxItems) {
      const page = await this.page(source, {
        min_id: cursor,
        limit: Math.min(this.pageSize, maxItems - fetched),
      });
      if (page.statuses.length === 0 || page.newer === null) {
        complete = true;
        break;
      }
      fetched += page.statuses.length;
      pages.push(this.normalizeAll(page.statuses, seen));
      cursor = page.newer;
    }
    // Each page is newest-first and later pages are newer: reverse the page order for newest-first.
    pages.reverse();
    return {
      items: pages.flatMap((p) => p.items),
      skipped: pages.flatMap((p) => p.skipped),
      marker: cursor,
      complete,
    };
  }

  /** One page of history below `cursor` (a `max_id`), newest first. */
  async fetchOlder(source: SourceRef, cursor: string | null, limit: number): Promise<OlderPage> {
    const page = await this.page(source, {
      max_id: cursor ?? undefined,
      limit: Math.min(this.pageSize, Math.max(1, limit)),
    });
    const { items, skipped } = this.normalizeAll(page.statuses, new Set());
    // A short page is not the end (the server filters after paging); only an empty one is.
    return { items, skipped, nextCursor: page.statuses.length ? page.older : null };
  }

  /** The account's lists, to offer as sources. */
  async lists(): Promise<{ id: string; title: string }[]> {
    const res = await this.http.request<MastodonList[]>('GET', '/api/v1/lists');
    return (Array.isArray(res.data) ? res.data : [])
      .filter((l) => typeof l?.id === 'string')
      .map((l) => ({ id: l.id, title: String(l.title ?? '') }));
  }

  /** Every hashtag the account follows (all pages), lower-cased. */
  async followedTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: string | URL | null = '/api/v1/followed_tags';
    let query: Record<string, number> | undefined = { limit: 200 };
    for (let i = 0; next && i < 50; i++) {
      const res: { data: MastodonTag[]; headers: Headers } = await this.http.request<MastodonTag[]>(
        'GET',
        next,
        { query },
      );
      for (const t of Array.isArray(res.data) ? res.data : [])
        if (typeof t?.name === 'string') tags.push(t.name.toLowerCase());
      next = res.data.length ? parseLinkHeader(res.headers.get('link')).next : null;
      query = undefined;
    }
    return [...new Set(tags)];
  }

  /** Where the streaming API lives (often another host); null when the instance does not say. */
  async streamingUrl(): Promise<string | null> {
    const res = await this.http.request<{ configuration?: { urls?: { streaming?: string | null } } }>(
      'GET',
      '/api/v2/instance',
    );
    return res.data?.configuration?.urls?.streaming ?? null;
  }

  /**
   * Saves the home timeline's read marker: Mastodon clients resume reading there, on any device.
   * `lastReadId` is a status id on this instance. Setting the same marker twice is harmless.
   */
  async saveHomeMarker(lastReadId: string): Promise<void> {
    if (!lastReadId) throw new ConnectorError(ConnectorErrorCode.BadInput, 'read marker without a status id');
    await this.http.request('POST', '/api/v1/markers', { body: { home: { last_read_id: lastReadId } } });
  }

  /** Favourite, boost… `target` is resolved on this instance first: its nativeId may be another's. */
  private async statusAction(target: PostTarget, action: string): Promise<MastodonStatus> {
    const status = await this.resolveStatus(target);
    const res = await this.http.request<MastodonStatus>(
      'POST',
      `/api/v1/statuses/${encodeURIComponent(status.id)}/${action}`,
    );
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
    if (!draft.text.trim() && media.length === 0) throw new ConnectorError(ConnectorErrorCode.BadInput, 'empty post');
    const body: Record<string, unknown> = { status: draft.text };
    // A retried job uploads again; attachments never used in a status are removed by the instance.
    if (media.length) body['media_ids'] = await Promise.all(media.map((m) => this.uploadMedia(m)));
    if (draft.contentWarning) body['spoiler_text'] = draft.contentWarning;
    if (draft.language) body['language'] = draft.language;
    if (draft.replyTo) body['in_reply_to_id'] = (await this.resolveStatus(draft.replyTo)).id;
    const res = await this.http.request<MastodonStatus>('POST', '/api/v1/statuses', {
      body,
      headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
    });
    return this.writeResult(res.data);
  }

  /**
   * Uploads one attachment (with its description) and returns its id once the instance has
   * processed it: `/api/v2/media` may answer 202 and process in the background.
   */
  private async uploadMedia(media: DraftMedia): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(media.data)], { type: media.mimeType }), `upload.${media.mimeType.split('/')[1] ?? 'bin'}`);
    if (media.altText) form.append('description', media.altText);
    const res = await this.http.request<{ id?: unknown; url?: unknown }>('POST', '/api/v2/media', { form });
    const id = res.data?.id;
    if (typeof id !== 'string') throw new ConnectorError(ConnectorErrorCode.Unavailable, 'media upload answered without an id');
    for (let wait = 0; res.status === 202 && wait < MEDIA_PROCESSING_POLLS; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const state = await this.http.request<{ url?: unknown }>('GET', `/api/v1/media/${encodeURIComponent(id)}`);
      if (state.status === 200 && state.data?.url) return id;
    }
    if (res.status === 202) throw new ConnectorError(ConnectorErrorCode.Unavailable, `media ${id} still processing after ${MEDIA_PROCESSING_POLLS} s`);
    return id;
  }

  /** The status and its context (ancestors, descendants) as this account's instance sees them. */
  async fetchThread(target: PostTarget): Promise<FetchedThread> {
    const status = await this.resolveStatus(target);
    const context = await this.http.request<unknown>(
      'GET',
      `/api/v1/statuses/${encodeURIComponent(status.id)}/context`,
    );
    return normalizeContext(status, context.data, this.http.origin);
  }

  /**
   * The status behind `target` on this instance. `nativeId` is only an id on the instance that
   * stored the post, so it counts only if the status it names has the same URI; otherwise the
   * instance looks the URI up (fetching it from its origin if it has to).
   */
  private async resolveStatus(target: PostTarget): Promise<MastodonStatus & { id: string }> {
    if (target.nativeId) {
      try {
        const res = await this.http.request<MastodonStatus>(
          'GET',
          `/api/v1/statuses/${encodeURIComponent(target.nativeId)}`,
        );
        if (res.data?.uri === target.uri && typeof res.data.id === 'string') return { ...res.data, id: res.data.id };
      } catch (err) {
        if (!(err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound)) throw err;
      }
    }
    const res = await this.http.request<{ statuses?: unknown }>('GET', '/api/v2/search', {
      query: { q: target.uri, resolve: 'true', type: 'statuses', limit: 5 },
    });
    const found = (Array.isArray(res.data?.statuses) ? (res.data.statuses as MastodonStatus[]) : []).find(
      (s) => s?.uri === target.uri && typeof s.id === 'string',
    );
    if (!found?.id) {
      throw new ConnectorError(
        ConnectorErrorCode.NotFound,
        `status ${target.uri} not found on ${this.http.origin} (deleted or not visible to this account)`,
      );
    }
    return { ...found, id: found.id };
  }

  /** Deletes a status; a status that is already gone counts as deleted. */
  async deletePost(target: PostTarget): Promise<void> {
    try {
      await this.http.request('DELETE', `/api/v1/statuses/${encodeURIComponent(target.nativeId)}`);
    } catch (err) {
      if (err instanceof ConnectorError && err.code === ConnectorErrorCode.NotFound) return;
      throw err;
    }
  }
}
