// Mastodon's `Notification` entity (masto's camelCase shape, from REST or the stream) as a
// NetworkNotification: the kinds Tributary shows, the actor, and the status it is about.
import { MalformedRecordError, NotificationKind } from '@tributary/core';
import type { NetworkNotification, SkippedItem } from '@tributary/core';
import { wireShape } from './masto-shape.js';
import { normalizeAuthor, normalizeStatus } from './normalize-status.js';

/** Mastodon's types Tributary shows; the others (admin reports, sign-ups…) are left out. */
const KINDS: Record<string, NotificationKind> = {
  mention: NotificationKind.Mention,
  quote: NotificationKind.Quote,
  favourite: NotificationKind.Like,
  reblog: NotificationKind.Repost,
  follow: NotificationKind.Follow,
  follow_request: NotificationKind.FollowRequest,
  poll: NotificationKind.PollEnded,
  update: NotificationKind.Edit,
  status: NotificationKind.Post,
};

export type NormalizedNotification =
  { ok: NetworkNotification } | { skipped: SkippedItem } | { ignored: string };

/**
 * One notification. A mention that replies to a status is a REPLY (Mastodon names both
 * `mention`). Unknown or admin types are `ignored` (not malformed); a notification without a
 * readable actor, id or time is `skipped` with the reason.
 */
export function normalizeNotification(value: unknown, instanceOrigin: string): NormalizedNotification {
  const n = value as {
    id?: unknown;
    type?: unknown;
    createdAt?: unknown;
    account?: unknown;
    status?: unknown;
  } | null;
  try {
    if (typeof n !== 'object' || n === null) throw new MalformedRecordError('not an object', value);
    const type = typeof n.type === 'string' ? n.type : '';
    let kind = KINDS[type];
    if (!kind) return { ignored: type };
    if (typeof n.id !== 'string' || n.id === '') throw new MalformedRecordError('missing `id`', value);
    const at = typeof n.createdAt === 'string' ? Date.parse(n.createdAt) : NaN;
    if (Number.isNaN(at)) throw new MalformedRecordError('missing or bad `created_at`', value);
    const host = new URL(instanceOrigin).host;
    const actor = normalizeAuthor(value, n.account, host, 'account');
    let post = null;
    if (n.status !== null && n.status !== undefined) {
      const status = normalizeStatus(n.status, instanceOrigin);
      if ('skipped' in status) return status;
      post = status.ok.post;
    }
    if (kind === NotificationKind.Mention && post?.replyParent) kind = NotificationKind.Reply;
    return {
      ok: {
        nativeId: n.id,
        kind,
        createdAt: new Date(at).toISOString(),
        actor,
        post,
        subjectUri: post?.uri ?? null,
      },
    };
  } catch (err) {
    const reason = err instanceof MalformedRecordError ? err.reason : (err as Error).message;
    return { skipped: { reason: `notification: ${reason}`, record: wireShape(value) } };
  }
}
