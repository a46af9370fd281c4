// What the member did to posts (like, repost) and how it went. The worker performs actions
// asynchronously: a mutation answers PENDING and `actionUpdated` reports DONE or FAILED. The state
// after a reload is read back from the member's recent actions (the API keeps them).
import { useEffect, useState } from 'preact/hooks';
import type { ActionFieldsFragment, ActionKind } from '../gql/graphql';
import { request } from './client';
import { subscribe } from './live';
import { ActionUpdated, Like, RecentActions, Repost, Unlike, Unrepost } from './operations';

export interface PostActionState {
  liked: boolean;
  reposted: boolean;
  /** Likes and reposts added or taken back in this session (the counts are the network's, at ingest). */
  likeDelta: number;
  repostDelta: number;
  /** The network has not confirmed the last action yet. */
  pending: boolean;
  /** Why the last action failed. */
  error: string | null;
}

const EMPTY: PostActionState = {
  liked: false,
  reposted: false,
  likeDelta: 0,
  repostDelta: 0,
  pending: false,
  error: null,
};
const states = new Map<string, PostActionState>();
const listeners = new Set<() => void>();
let loaded: Promise<void> | null = null;

function update(postId: string, change: Partial<PostActionState>): void {
  states.set(postId, { ...(states.get(postId) ?? EMPTY), ...change });
  for (const listener of listeners) listener();
}

/** An action's effect on the post's state; a failed one undoes what was shown optimistically. */
function applyAction(action: ActionFieldsFragment, fresh: boolean): void {
  if (!action.postId) return;
  const state = states.get(action.postId) ?? EMPTY;
  const failed = action.status === 'FAILED';
  const effect: Partial<Record<ActionKind, Partial<PostActionState>>> = {
    LIKE: { liked: !failed },
    UNLIKE: { liked: failed },
    REPOST: { reposted: !failed },
    UNREPOST: { reposted: failed },
  };
  const change = effect[action.kind];
  const outcome = {
    pending: action.status === 'PENDING',
    error: failed ? `${action.kind.toLowerCase()} failed: ${action.error ?? 'unknown error'}` : null,
  };
  if (!change) return update(action.postId, outcome);
  const next: Partial<PostActionState> = { ...change, ...outcome };
  if (fresh && failed) {
    // Take back the count this session added when it was sent.
    if (action.kind === 'LIKE' || action.kind === 'UNLIKE')
      next.likeDelta = state.likeDelta + (action.kind === 'LIKE' ? -1 : 1);
    else next.repostDelta = state.repostDelta + (action.kind === 'REPOST' ? -1 : 1);
  }
  update(action.postId, next);
}

function load(): Promise<void> {
  loaded ??= request(RecentActions)
    .then(({ actions }) => {
      // Newest first: apply oldest first so the latest action decides.
      for (const action of [...actions].reverse()) applyAction(action, false);
      subscribe(ActionUpdated, {}, ({ actionUpdated }) => applyAction(actionUpdated, true));
    })
    .catch(() => {
      loaded = null;
    });
  return loaded;
}

/** Forget everything (logging out). */
export function resetViewerActions(): void {
  states.clear();
  loaded = null;
}

export function usePostActions(postId: string): PostActionState {
  const [state, setState] = useState(states.get(postId) ?? EMPTY);
  useEffect(() => {
    const listener = () => setState(states.get(postId) ?? EMPTY);
    listeners.add(listener);
    listener();
    void load();
    return () => void listeners.delete(listener);
  }, [postId]);
  return state;
}

/** Likes or takes back the like (repost the same), showing the result at once. */
export async function toggle(kind: 'like' | 'repost', postId: string): Promise<void> {
  const state = states.get(postId) ?? EMPTY;
  const on = kind === 'like' ? !state.liked : !state.reposted;
  const delta = on ? 1 : -1;
  update(postId, {
    ...(kind === 'like'
      ? { liked: on, likeDelta: state.likeDelta + delta }
      : { reposted: on, repostDelta: state.repostDelta + delta }),
    pending: true,
    error: null,
  });
  try {
    const action =
      kind === 'like'
        ? on
          ? (await request(Like, { post: postId })).like
          : (await request(Unlike, { post: postId })).unlike
        : on
          ? (await request(Repost, { post: postId })).repost
          : (await request(Unrepost, { post: postId })).unrepost;
    applyAction(action, true);
  } catch (error) {
    update(postId, {
      ...(kind === 'like'
        ? { liked: !on, likeDelta: state.likeDelta }
        : { reposted: !on, repostDelta: state.repostDelta }),
      pending: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
