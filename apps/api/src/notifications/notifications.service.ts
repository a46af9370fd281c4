import { Injectable } from '@nestjs/common';
import type { Author, NotificationKind, Post } from '@tributary/core';
import { PrismaService, postDataSql } from '@tributary/db';
import { JobQueue } from '@tributary/queue';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import type { DecisionModel } from '../posts/decision.model.js';
import { parsePostId } from '../posts/post-id.js';
import { toPostModel } from '../posts/post.model.js';
import type {
  NotificationConnectionModel,
  NotificationGroupConnectionModel,
  NotificationModel,
} from './notification.model.js';

export const MAX_NOTIFICATIONS_PAGE = 100;

/** A place in the list: a notification's time and id. */
export interface Position {
  at: Date;
  id: string;
}

interface NotificationRow {
  id: string;
  linkedAccountId: string;
  network: string;
  kind: NotificationKind;
  actor: Author;
  postId: string | null;
  subjectUri: string | null;
  groupKey: string;
  createdAt: Date;
  read: boolean;
  hidden: boolean;
  hiddenReason: string | null;
  decisions: DecisionModel[];
  data: Omit<Post, 'raw'> | null;
}

interface GroupRow {
  groupKey: string;
  kind: NotificationKind;
  count: string;
  actors: Author[];
  postId: string | null;
  latestAt: Date;
  latestId: string;
  read: boolean;
  data: Omit<Post, 'raw'> | null;
}

/** The member's marker, as a row every statement can join ($1 the member). */
const MARKER = `m AS (SELECT "lastReadAt", "lastReadId" FROM "NotificationMarker" WHERE "userId" = $1::uuid)`;
const READ = `EXISTS (SELECT 1 FROM m WHERE (n."createdAt", n.id) <= (m."lastReadAt", m."lastReadId"))`;

/**
 * The member's notifications, merged from every linked account: keyset pages newest first, groups,
 * the unread count and the read marker. Every statement is scoped by the member's id, so another
 * member's notification is simply not there.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
  ) {}

  async page(
    userId: string,
    request: {
      first: number;
      after: string | null;
      includeHidden: boolean;
      kinds: NotificationKind[] | null;
    },
  ): Promise<NotificationConnectionModel> {
    const first = checkFirst(request.first);
    const after = request.after ? readCursor(request.after, 'after', 'item') : null;
    const params: unknown[] = [userId, request.includeHidden, first + 1, request.kinds ?? null];
    if (after) params.push(after.at, after.id);
    const rows = await this.db.sql.query<NotificationRow>(
      `WITH ${MARKER}
       SELECT ${NOTIFICATION_COLUMNS}
       FROM "Notification" n LEFT JOIN "Post" p ON p.id = n."postId"
       WHERE n."userId" = $1::uuid AND ($2::boolean OR NOT n.hidden) AND NOT n.dismissed
         AND ($4::text[] IS NULL OR n.kind::text = ANY($4::text[]))
         ${after ? `AND (n."createdAt", n.id) < ($5::timestamptz AT TIME ZONE 'UTC', $6::bigint)` : ''}
       ORDER BY n."createdAt" DESC, n.id DESC LIMIT $3::int`,
      params,
    );
    const edges = rows.slice(0, first).map((row) => ({
      cursor: writeCursor(row.createdAt, row.id),
      node: toNotification(row),
    }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /**
   * Visible notifications between two positions (time and id, exclusive), newest first: the
   * `limit` newest, or with `fromBottom` the `limit` just above `above` (Mastodon's `min_id`).
   */
  async window(
    userId: string,
    request: { limit: number; below: Position | null; above: Position | null; fromBottom: boolean },
  ): Promise<(NotificationModel & { postData: Omit<Post, 'raw'> | null })[]> {
    const params: unknown[] = [userId, request.limit];
    const bound = (side: '<' | '>', at: Position | null) => {
      if (!at) return '';
      params.push(at.at, at.id);
      return `AND (n."createdAt", n.id) ${side} ($${params.length - 1}::timestamptz AT TIME ZONE 'UTC', $${params.length}::bigint)`;
    };
    const direction = request.fromBottom ? 'ASC' : 'DESC';
    const rows = await this.db.sql.query<NotificationRow>(
      `WITH ${MARKER}
       SELECT ${NOTIFICATION_COLUMNS}
       FROM "Notification" n LEFT JOIN "Post" p ON p.id = n."postId"
       WHERE n."userId" = $1::uuid AND NOT n.hidden AND NOT n.dismissed ${bound('<', request.below)} ${bound('>', request.above)}
       ORDER BY n."createdAt" ${direction}, n.id ${direction} LIMIT $2::int`,
      params,
    );
    const page = rows.map(withPostData);
    return request.fromBottom ? page.reverse() : page;
  }

  /** Where one of the member's notifications stands in the list; null when it is not theirs. */
  async position(userId: string, id: string): Promise<Position | null> {
    if (parsePostId(id) === null) return null;
    const [row] = await this.db.sql.query<{ at: Date; id: string }>(
      `SELECT "createdAt" AT TIME ZONE 'UTC' AS at, id::text AS id FROM "Notification"
       WHERE "userId" = $1::uuid AND id = $2::bigint`,
      [userId, id],
    );
    return row ? { at: row.at, id: row.id } : null;
  }

  /** The member's notifications among `ids` (live delivery: events carry ids only), newest first. */
  async byIds(
    userId: string,
    ids: readonly string[],
    includeHidden: boolean,
  ): Promise<(NotificationModel & { postData: Omit<Post, 'raw'> | null })[]> {
    const valid = ids.filter((id) => parsePostId(id) !== null);
    if (valid.length === 0) return [];
    const rows = await this.db.sql.query<NotificationRow>(
      `WITH ${MARKER}
       SELECT ${NOTIFICATION_COLUMNS}
       FROM "Notification" n LEFT JOIN "Post" p ON p.id = n."postId"
       WHERE n."userId" = $1::uuid AND n.id = ANY($2::bigint[]) AND ($3::boolean OR NOT n.hidden)
         AND NOT n.dismissed
       ORDER BY n."createdAt" DESC, n.id DESC`,
      [userId, valid, includeHidden],
    );
    return rows.map(withPostData);
  }

  /**
   * Visible notifications as groups (same kind and subject, see the worker's groupKey), the group
   * with the newest notification first, keyset-paged by (newest time, key).
   */
  async groups(
    userId: string,
    request: { first: number; after: string | null },
  ): Promise<NotificationGroupConnectionModel> {
    const first = checkFirst(request.first);
    const after = request.after ? readCursor(request.after, 'after', 'group') : null;
    const params: unknown[] = [userId, first + 1];
    if (after) params.push(after.at, after.key);
    const rows = await this.db.sql.query<GroupRow>(
      `WITH ${MARKER},
       g AS (
         SELECT n."groupKey", min(n.kind::text) AS kind, count(*)::text AS count,
                max(n."createdAt") AT TIME ZONE 'UTC' AS "latestAt",
                (array_agg(n.id ORDER BY n."createdAt" DESC, n.id DESC))[1]::text AS "latestId",
                (array_agg(n."postId" ORDER BY n."createdAt" DESC, n.id DESC))[1] AS "postId",
                (jsonb_agg(n.actor ORDER BY n."createdAt" DESC, n.id DESC)) AS actors,
                bool_and(${READ}) AS read
         FROM "Notification" n
         WHERE n."userId" = $1::uuid AND NOT n.hidden AND NOT n.dismissed
         GROUP BY n."groupKey")
       SELECT g."groupKey", g.kind, g.count, g."latestAt", g."latestId", g.actors, g.read,
              g."postId"::text AS "postId", ${postDataSql('p')} AS data
       FROM g LEFT JOIN "Post" p ON p.id = g."postId"
       ${after ? `WHERE (g."latestAt", g."groupKey") < ($3::timestamptz, $4::text)` : ''}
       ORDER BY g."latestAt" DESC, g."groupKey" DESC LIMIT $2::int`,
      params,
    );
    const edges = rows.slice(0, first).map((row) => ({
      cursor: writeCursor(row.latestAt, null, row.groupKey),
      node: {
        key: row.groupKey,
        kind: row.kind,
        count: Number(row.count),
        actors: distinctActors(row.actors).slice(0, 5),
        post: row.postId && row.data ? toPostModel(row.postId, row.data) : null,
        latestAt: row.latestAt,
        latestId: row.latestId,
        read: row.read,
      },
    }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Visible notifications after the member's read marker (all of them without one). */
  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.db.sql.query<{ n: string }>(
      `WITH ${MARKER}
       SELECT count(*)::text AS n FROM "Notification" n
       WHERE n."userId" = $1::uuid AND NOT n.hidden AND NOT n.dismissed AND NOT ${READ}`,
      [userId],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Moves the member's read marker to one of their notifications (everything at or before it in
   * the list counts as read) and has the worker save it on their networks. Returns the unread count.
   */
  async markRead(userId: string, upTo: string): Promise<number> {
    const id = parsePostId(upTo);
    const found = id
      ? await this.db.client.notification.findFirst({
          where: { id, userId },
          select: { id: true, createdAt: true },
        })
      : null;
    if (!found) throw new AppException(AppErrorCode.NotFound, 'notification not found');
    await this.db.client.notificationMarker.upsert({
      where: { userId },
      create: { userId, lastReadAt: found.createdAt, lastReadId: found.id },
      update: { lastReadAt: found.createdAt, lastReadId: found.id },
    });
    await this.jobs.enqueue('save-notifications-marker', { userId });
    return this.unreadCount(userId);
  }

  /**
   * Dismisses one of the member's notifications: it leaves every list of theirs (the row stays, so
   * the network's copy is not delivered again). Returns whether it was theirs and still there.
   */
  async dismiss(userId: string, id: string): Promise<boolean> {
    const parsed = parsePostId(id);
    if (parsed === null) return false;
    const { count } = await this.db.client.notification.updateMany({
      where: { id: parsed, userId, dismissed: false },
      data: { dismissed: true },
    });
    return count > 0;
  }

  /**
   * Clears the member's notifications: all of them read (the marker moves to the newest, and on to
   * their networks), then dismissed. One that arrives meanwhile is newer and stays.
   */
  async clear(userId: string): Promise<void> {
    const newest = await this.db.client.notification.findFirst({
      where: { userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true, createdAt: true },
    });
    if (!newest) return;
    await this.markRead(userId, newest.id.toString());
    await this.db.client.notification.updateMany({
      where: {
        userId,
        dismissed: false,
        OR: [
          { createdAt: { lt: newest.createdAt } },
          { createdAt: newest.createdAt, id: { lte: newest.id } },
        ],
      },
      data: { dismissed: true },
    });
  }
}

const NOTIFICATION_COLUMNS = `n.id::text AS id, n."linkedAccountId"::text AS "linkedAccountId", n.network::text AS network,
  n.kind::text AS kind, n.actor, n."postId"::text AS "postId", n."subjectUri", n."groupKey",
  n."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
  ${READ} AS read, n.hidden, n."hiddenReason", n.decisions, ${postDataSql('p')} AS data`;

function toNotification(row: NotificationRow): NotificationModel {
  return {
    id: row.id,
    kind: row.kind,
    network: row.network as NotificationModel['network'],
    linkedAccountId: row.linkedAccountId,
    actor: row.actor,
    post: row.postId && row.data ? toPostModel(row.postId, row.data) : null,
    subjectUri: row.subjectUri,
    groupKey: row.groupKey,
    createdAt: row.createdAt,
    read: row.read,
    hidden: row.hidden,
    hiddenReason: row.hiddenReason,
    decisions: row.decisions,
  };
}

/** The notification with its stored post: the Mastodon API maps that to a Status itself. */
function withPostData(row: NotificationRow): NotificationModel & { postData: Omit<Post, 'raw'> | null } {
  return { ...toNotification(row), postData: row.postId ? row.data : null };
}

function distinctActors(actors: Author[]): Author[] {
  const seen = new Set<string>();
  return actors.filter((a) => {
    const key = `${a.network}:${a.networkId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_NOTIFICATIONS_PAGE)
    throw new AppException(
      AppErrorCode.BadUserInput,
      `first: expected an integer from 1 to ${MAX_NOTIFICATIONS_PAGE}`,
      { field: 'first' },
    );
  return first;
}

/** A position in the list: the time and id of a notification, or the time and key of a group. */
function writeCursor(at: Date, id: string | null, key?: string): string {
  return Buffer.from(JSON.stringify({ t: at.toISOString(), ...(id ? { i: id } : { k: key }) })).toString(
    'base64url',
  );
}

/** Times travel as ISO strings: PostgreSQL reads them as instants (the columns hold UTC). */
function readCursor(
  cursor: string,
  field: string,
  of: 'item' | 'group',
): { at: string; id: string; key: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t?: unknown;
      i?: unknown;
      k?: unknown;
    };
    const at = typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) ? new Date(c.t).toISOString() : null;
    const id = typeof c.i === 'string' && parsePostId(c.i) !== null ? c.i : null;
    const key = typeof c.k === 'string' ? c.k : null;
    if (at && (of === 'item' ? id !== null : key !== null)) return { at, id: id ?? '0', key: key ?? '' };
  } catch {
    // reported below
  }
  throw new AppException(AppErrorCode.BadUserInput, `${field}: not a cursor of this list`, { field });
}
