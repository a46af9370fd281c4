// "Mute a topic everywhere": the mute stages of a member's pipeline applied to their notifications,
// by the same engine, so a notification hidden by a mute word or a muted author says why exactly as
// a timeline entry does.
import { AUTHORED_NOTIFICATION_KINDS } from '@tributary/core';
import type { Author, NotificationKind, Post } from '@tributary/core';
import { compileStageSubset } from './stage-subset.js';
import type { Decision } from './types.js';

/** The stages that apply to notifications: what the member muted, nothing that ranks. */
export const NOTIFICATION_STAGES: readonly string[] = ['mute-words', 'mute-authors'];

/** What a notification is, as far as muting goes. */
export interface NotificationSubject {
  nativeId: string;
  kind: NotificationKind;
  createdAt: string;
  actor: Author;
  /** The post it is about, if any (mute words apply only when the actor wrote it). */
  post: Post | Omit<Post, 'raw'> | null;
}

export interface NotificationVerdict {
  hidden: boolean;
  hiddenReason: string | null;
  /** As on a timeline entry; `index` is the stage's position in the member's pipeline spec. */
  decisions: Decision[];
}

const VISIBLE: NotificationVerdict = Object.freeze({ hidden: false, hiddenReason: null, decisions: [] });

/** Judges notifications by the mute stages of one pipeline spec (a member's default pipeline). */
export interface NotificationMutes {
  judge(items: readonly NotificationSubject[], now?: Date): Promise<NotificationVerdict[]>;
}

/**
 * The mute stages of `specInput` (a stored, valid pipeline spec), compiled once. A notification
 * whose actor wrote its post (mention, reply, quote, edit) is judged on that post; any other (a
 * like, a follow) on its actor alone, so a muted author's like is hidden and a like of the member's
 * own post about a muted topic is not.
 */
export function compileNotificationMutes(specInput: unknown): NotificationMutes {
  const stages = compileStageSubset(specInput, NOTIFICATION_STAGES);
  if (stages.empty) return { judge: async (items) => items.map(() => VISIBLE) };
  return {
    async judge(items, now = new Date()) {
      const candidates = items.map((item) => ({
        post: subjectPost(item),
        reason: null,
        seenIn: [],
      }));
      const results = await stages.run(candidates, { now });
      return results.map((r) => ({ hidden: r.hidden, hiddenReason: r.hiddenReason, decisions: r.decisions }));
    },
  };
}

/** The post a notification is judged on: the actor's own post, else an empty one by the actor. */
function subjectPost(item: NotificationSubject): Post {
  if (item.post && AUTHORED_NOTIFICATION_KINDS.includes(item.kind))
    return { raw: null, ...item.post } as Post;
  return {
    network: item.actor.network,
    uri: `notification:${item.nativeId}`,
    nativeId: item.nativeId,
    webUrl: null,
    author: item.actor,
    text: '',
    richText: { segments: [] },
    languages: [],
    createdAt: item.createdAt,
    indexedAt: item.createdAt,
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
    raw: null,
  };
}
