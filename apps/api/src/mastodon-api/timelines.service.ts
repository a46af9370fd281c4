import { Injectable } from '@nestjs/common';
import { InvalidCursorError, encodeCursor, readCursor } from '@tributary/timeline';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { TimelineReader } from '../timeline/timeline-reader.service.js';
import type {
  OrderPosition,
  PostBound,
  TimelineOrder,
  WindowEntry,
} from '../timeline/timeline-reader.service.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import { parsePostKey, reblogPostKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import { snowflakeTime } from './ids/snowflake.js';
import { linkHeader, pageLimit, param } from './pagination.js';
import type { PageParams } from './pagination.js';
import { StatusPresenter } from './status-presenter.service.js';
import { inMastodonWords } from './viewer-state.js';

export interface StatusPage {
  statuses: Record<string, unknown>[];
  /** The `Link` header; null for an empty page. */
  link: string | null;
}

/** A page of statuses as JSON (a JSON array, UTF-8), with its `Link` header (null for an empty page). */
export interface StatusPageJson {
  json: Buffer;
  link: string | null;
}

/** A bound the timeline does not hold (a status id of another list): unusable. */
const UNKNOWN = 'unknown';
const MAX_ENTRY_ID = 2n ** 63n - 1n;

/**
 * Home and lists, read from the same timeline entries as GraphQL's `timeline`: home is the default
 * pipeline in time order (apps re-sort home by time or id anyway), each pipeline a list in its
 * ranked order, paged with an opaque cursor that travels as `max_id`/`min_id` (a status id works too).
 */
@Injectable()
export class MastodonTimelines {
  constructor(
    private readonly reader: TimelineReader,
    private readonly ids: MastodonIds,
    private readonly presenter: StatusPresenter,
  ) {}

  home(
    user: AuthenticatedUser,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<StatusPageJson> {
    return this.page(user, null, 'time', params, url, ctx);
  }

  list(user: AuthenticatedUser, pipelineId: string, params: PageParams, url: string, ctx: EntityContext) {
    return this.page(user, pipelineId, 'rank', params, url, ctx);
  }

  private async page(
    user: AuthenticatedUser,
    pipeline: string | null,
    order: TimelineOrder,
    params: PageParams,
    url: string,
    ctx: EntityContext,
  ): Promise<StatusPageJson> {
    const limit = pageLimit(params.limit);
    const maxId = param(params.max_id);
    const minId = param(params.min_id);
    const sinceId = param(params.since_id);
    // Bounds are read in the page's own statement (a status's place in this pipeline), which reads
    // only the member's pipelines: one statement, as a page without bounds.
    const max = await this.bound(pipeline, order, maxId, 'below');
    const min = await this.bound(pipeline, order, minId ?? sinceId, 'above');
    if (max === UNKNOWN) {
      // Nothing is below a place this timeline does not have; NOT_FOUND all the same for a pipeline
      // that is not the member's.
      await this.reader.ownedPipeline(user.id, pipeline);
      return { json: Buffer.from('[]'), link: null };
    }
    const above = min === UNKNOWN ? null : min;
    const { pipelineId, entries } = await this.reader.window(user.id, pipeline, {
      order,
      limit,
      below: max,
      above,
      from: minId !== null && above !== null ? 'bottom' : 'top',
    });
    const { json, ids } = await this.presenter.statusesJson(
      entries.map((e) => ({ ...e, viewer: inMastodonWords(e.viewer) })),
      ctx,
    );
    const name = (e: WindowEntry, i: number) =>
      order === 'rank' ? encodeCursor({ pipelineId, rankKey: e.rankKey, entryId: BigInt(e.id) }) : ids[i]!;
    const link = linkHeader(
      url,
      limit,
      entries[0] && name(entries[0], 0),
      entries.at(-1) && name(entries.at(-1)!, entries.length - 1),
    );
    return { json, link };
  }

  /**
   * A `max_id`/`since_id`/`min_id` as a bound in this timeline, found without a statement: a cursor
   * of it (lists), or the post a status id names (its place looked up by the page's statement); in
   * time order any id of ours also bounds by its time when its post is not there.
   */
  private async bound(
    pipelineId: string | null,
    order: TimelineOrder,
    value: string | null,
    side: 'below' | 'above',
  ): Promise<OrderPosition | PostBound | null | typeof UNKNOWN> {
    if (value === null) return null;
    if (order === 'rank' && !/^\d+$/.test(value)) {
      try {
        const position = readCursor(value);
        return position.pipelineId === pipelineId
          ? { key: position.rankKey, entryId: position.entryId }
          : UNKNOWN;
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        return UNKNOWN;
      }
    }
    const named = await this.ids.resolve(value);
    const postKey =
      named?.kind === 'POST' ? named.key : named?.kind === 'REBLOG' ? reblogPostKey(named.key) : null;
    const post = postKey ? parsePostKey(postKey) : null;
    const at = order === 'time' ? snowflakeTime(value) : null;
    const fallback = at === null ? null : { key: at, entryId: side === 'below' ? 0n : MAX_ENTRY_ID };
    if (post) return { post, fallback };
    return fallback ?? (side === 'below' ? UNKNOWN : null);
  }
}
