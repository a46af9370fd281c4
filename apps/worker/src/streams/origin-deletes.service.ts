import { Injectable } from '@nestjs/common';
import { Network } from '@tributary/core';
import {
  PrismaService,
  addTombstones,
  markDeletedAtOrigin,
  releaseRepostAttachments,
  repostAttachments,
} from '@tributary/db';
import type { RepostAttachment } from '@tributary/db';
import { DELETED_AT_ORIGIN } from '@tributary/pipeline';
import { EventPublisher } from '@tributary/queue';
import { hideDeletedPosts, publishOriginChanges, releaseEntries } from '@tributary/timeline';

/** A post or repost record its author deleted, as the stream reported it. */
export interface OriginDelete {
  collection: 'app.bsky.feed.post' | 'app.bsky.feed.repost';
  uri: string;
}

const authorOf = (uri: string): string => uri.slice('at://'.length).split('/')[0] ?? '';

/**
 * Deletes at origin, applied for the whole instance: a deleted post's entries are hidden in every
 * timeline ("deleted at origin", kept in the audit); a deleted repost leaves the sources it brought
 * a post into (its entries hidden the same way), except where the member gets the post from its
 * author anyway. Tombstones come first, so a fan-out racing the delete does not bring one back.
 * Live readers of the pipelines are told which entries went (the Mastodon streaming API's `delete`).
 * Idempotent: a replayed delete changes nothing.
 */
@Injectable()
export class OriginDeletesService {
  constructor(
    private readonly db: PrismaService,
    private readonly events: EventPublisher,
  ) {}

  /** `receives(member, author)`: the member's HOME gets that author's posts (follows them or is them). */
  async apply(
    deletes: readonly OriginDelete[],
    receives: (member: string, author: string) => boolean,
  ): Promise<{ hidden: number; released: number }> {
    if (deletes.length === 0) return { hidden: 0, released: 0 };
    const posts = deletes.filter((d) => d.collection === 'app.bsky.feed.post').map((d) => d.uri);
    const reposts = deletes.filter((d) => d.collection === 'app.bsky.feed.repost').map((d) => d.uri);
    await addTombstones(this.db.client, { network: Network.Bluesky, uris: [...posts, ...reposts] });
    const hidden = await hideDeletedPosts(
      this.db.sql,
      await markDeletedAtOrigin(this.db.client, { network: Network.Bluesky, uris: posts }),
    );
    const attachments = await repostAttachments(this.db.client, reposts);
    const keep: RepostAttachment[] = [];
    const remove: RepostAttachment[] = [];
    for (const a of attachments) (receives(a.memberDid, authorOf(a.postUri)) ? keep : remove).push(a);
    await releaseRepostAttachments(this.db.client, keep, remove);
    const released = await releaseEntries(this.db.sql, attachments, DELETED_AT_ORIGIN);
    await publishOriginChanges(this.events, 'removed', [...hidden, ...released]);
    return { hidden: hidden.length, released: released.length };
  }
}
