// app.bsky.feed.getPostThread's answer (a tree of #threadViewPost, with #notFoundPost and
// #blockedPost where a post is gone or hidden) -> the port's flat `FetchedThread`.
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { FetchedReply, FetchedThread, Post, SkippedItem } from '@tributary/core';
import { normalizePostView } from './normalize-post.js';

type Obj = Record<string, unknown>;

const THREAD_VIEW = 'app.bsky.feed.defs#threadViewPost';

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Flattens a thread view: the focal post, its ancestors root first, and its replies depth-first
 * (each with its parent's URI). Unusable posts are skipped with a reason; a reply below one is left
 * out too, since nothing could show where it hangs.
 */
export function normalizeThread(thread: unknown, uri: string): Omit<FetchedThread, 'trustDomain'> {
  if (!isObject(thread) || thread.$type !== THREAD_VIEW) {
    const why =
      isObject(thread) && thread.$type === 'app.bsky.feed.defs#blockedPost' ? 'blocked' : 'not found';
    throw new ConnectorError(
      ConnectorErrorCode.NotFound,
      `Post ${uri} ${why} on Bluesky (deleted or not visible to this account)`,
    );
  }
  const skipped: SkippedItem[] = [];
  const focal = normalizePostView(thread.post);
  if (!focal.ok) {
    throw new ConnectorError(
      ConnectorErrorCode.Unavailable,
      `Bluesky sent an unusable post for ${uri}: ${focal.skipped.reason}`,
    );
  }

  const ancestors: Post[] = [];
  // Parents nest upwards; walk them and reverse so the root comes first.
  for (let p: unknown = thread.parent; isObject(p); p = p.parent) {
    if (p.$type !== THREAD_VIEW) break; // a deleted or blocked ancestor ends what can be shown
    const r = normalizePostView(p.post);
    if (r.ok) ancestors.push(r.post);
    else skipped.push(r.skipped);
  }
  ancestors.reverse();

  const replies: FetchedReply[] = [];
  const visit = (children: unknown, parentUri: string, depth: number): void => {
    if (!Array.isArray(children)) return;
    for (const child of children) {
      if (!isObject(child) || child.$type !== THREAD_VIEW) continue;
      const r = normalizePostView(child.post);
      if (!r.ok) {
        skipped.push(r.skipped);
        continue;
      }
      replies.push({ post: r.post, parentUri, depth });
      visit(child.replies, r.post.uri, depth + 1);
    }
  };
  visit(thread.replies, focal.post.uri, 1);
  return { post: focal.post, ancestors, replies, skipped };
}
