// A status and its `GET /api/v1/statuses/:id/context` (flat `ancestors` and `descendants`) -> the
// port's `FetchedThread`, with each reply's depth worked out from its `inReplyToId`
// (statuses in masto's camelCase shape).
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { FetchedReply, FetchedThread, Post, SkippedItem } from '@tributary/core';
import { normalizeStatus, resolveReplyParents } from './normalize-status.js';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Mastodon lists descendants depth-first already; a reply whose parent is not in the thread (muted,
 * filtered, unusable) cannot be placed and is skipped with the reason.
 */
export function normalizeContext(
  status: unknown,
  context: unknown,
  instanceOrigin: string,
  now = new Date(),
): FetchedThread {
  const focal = normalizeStatus(status, instanceOrigin, { now });
  if (!('ok' in focal)) {
    throw new ConnectorError(
      ConnectorErrorCode.Unavailable,
      `the instance sent an unusable status: ${focal.skipped.reason}`,
    );
  }
  if (!isObject(context) || !Array.isArray(context['ancestors']) || !Array.isArray(context['descendants'])) {
    throw new ConnectorError(
      ConnectorErrorCode.Unavailable,
      'status context response has no ancestors/descendants arrays',
    );
  }
  const skipped: SkippedItem[] = [];
  const ancestors: Post[] = [];
  for (const s of context['ancestors']) {
    const r = normalizeStatus(s, instanceOrigin, { now });
    if ('ok' in r) ancestors.push(r.ok.post);
    else skipped.push(r.skipped);
  }

  // status id -> [uri, depth]; the focal status is depth 0.
  const placed = new Map<string, [string, number]>([[String((status as Obj)['id']), [focal.ok.post.uri, 0]]]);
  const replies: FetchedReply[] = [];
  for (const s of context['descendants']) {
    const r = normalizeStatus(s, instanceOrigin, { now });
    if (!('ok' in r)) {
      skipped.push(r.skipped);
      continue;
    }
    const parent = placed.get(String((s as Obj)['inReplyToId']));
    if (!parent) {
      skipped.push({ reason: 'reply to a status that is not in the thread', record: s });
      continue;
    }
    placed.set(String((s as Obj)['id']), [r.ok.post.uri, parent[1] + 1]);
    replies.push({ post: r.ok.post, parentUri: parent[0], depth: parent[1] + 1 });
  }
  const all = [focal.ok.post, ...ancestors, ...replies.map((r) => r.post)];
  resolveReplyParents(all.map((post) => ({ post, reason: null })));
  // The instance's word, like everything it serves (MastodonConnector.trustDomain).
  return { post: focal.ok.post, ancestors, replies, skipped, trustDomain: new URL(instanceOrigin).origin };
}
