import { Injectable } from '@nestjs/common';
import { PrismaService, authorAttachments, releaseRepostAttachments } from '@tributary/db';
import type { RepostAttachment } from '@tributary/db';
import { EventPublisher, JobQueue } from '@tributary/queue';
import { NO_LONGER_FOLLOWED, publishOriginChanges, releaseEntries } from '@tributary/timeline';
import type { FollowEffect } from './follow-graph.js';

const authorOf = (uri: string): string => uri.slice('at://'.length).split('/')[0] ?? '';

/**
 * What a member's follow or unfollow does to its HOME sources, the way the AppView's timeline
 * changes with it. An unfollow lets go of what the account brought: its own posts and the posts it
 * reposted (a repost of a post the member still gets from its author stays, without the reason;
 * a post another followed account reposted stays with that reason); their entries are hidden as
 * "no longer followed", kept in the audit until a rebuild, which starts from the sources, and live
 * readers are told (the Mastodon streaming API's `delete`). A follow
 * brings the account's newest posts and reposts (`fanout-follow`, one getAuthorFeed). Applied
 * after the graph changed; idempotent.
 */
@Injectable()
export class FollowEffectsService {
  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
  ) {}

  /**
   * `homes`: each effect's member's HOME source ids; `receives(member, author)`: the member's HOME
   * gets that author's posts now (follows them, or is them).
   */
  async apply(
    effects: readonly FollowEffect[],
    homes: (member: string) => string[],
    receives: (member: string, author: string) => boolean,
  ): Promise<{ released: number; follows: number }> {
    let released = 0;
    let follows = 0;
    for (const { member, subject, following } of effects) {
      const sourceIds = homes(member);
      if (sourceIds.length === 0) continue;
      // Undone meanwhile (an unfollow right after the follow, or the other way round): nothing to do.
      if (receives(member, subject) !== following) continue;
      if (following) {
        await this.jobs.enqueue('fanout-follow', { member, actor: subject, sourceIds });
        follows++;
        continue;
      }
      const held = await authorAttachments(this.db.client, sourceIds, subject);
      const keep: RepostAttachment[] = [];
      const remove: RepostAttachment[] = [];
      for (const a of held) {
        const stays = a.repostUri !== null && receives(member, authorOf(a.postUri));
        (stays ? keep : remove).push(a);
      }
      await releaseRepostAttachments(this.db.client, keep, remove);
      const changed = await releaseEntries(this.db.sql, held, NO_LONGER_FOLLOWED);
      await publishOriginChanges(this.events, 'removed', changed);
      released += changed.length;
    }
    return { released, follows };
  }
}
