import { Injectable } from '@nestjs/common';
import { withPersonalLabels } from '@tributary/core';
import type { Network, PersonalLabels, Post } from '@tributary/core';
import { PrismaService, postDataSql } from '@tributary/db';

/** A stored post with what it takes to address it on its network. */
export interface StoredPost {
  id: bigint;
  network: Network;
  uri: string;
  nativeId: string;
  /**
   * The post as the user sees it: with the personal labels their own accounts delivered, and
   * `deletedAt` when it was deleted at origin.
   */
  data: Omit<Post, 'raw'>;
}

/** A referenced post as a reply shows it: who wrote it and what it says. */
export interface RefContext {
  authorHandle: string | null;
  authorDisplayName: string | null;
  text: string | null;
}

/**
 * The personal labels the user's own accounts delivered for the post `post` (an SQL alias of
 * "Post"), as a jsonb array of PersonalLabels or null: from their sources, threads and fetches.
 * `user` is the SQL parameter holding the user's id.
 */
export function personalLabelsSql(post: string, user: string): string {
  return `(SELECT jsonb_agg(l.labels) FROM (
            SELECT sp.labels FROM "SourcePost" sp
            JOIN "Source" s ON s.id = sp."sourceId"
            JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
            WHERE sp."postId" = ${post}.id AND la."userId" = ${user}::uuid AND sp.labels IS NOT NULL
            UNION ALL
            SELECT tc.labels -> ${post}.id::text FROM "ThreadCache" tc
            JOIN "LinkedAccount" la ON la.id = tc."linkedAccountId"
            WHERE tc."postIds" @> ARRAY[${post}.id] AND la."userId" = ${user}::uuid
              AND tc.labels -> ${post}.id::text IS NOT NULL
            UNION ALL
            SELECT fp.labels FROM "FetchedPost" fp
            JOIN "LinkedAccount" la ON la.id = fp."linkedAccountId"
            WHERE fp."postId" = ${post}.id AND la."userId" = ${user}::uuid AND fp.labels IS NOT NULL
          ) l)`;
}

/**
 * Whether the user may read the stored post `post` (an SQL alias of "Post"): it reached them through
 * one of their sources, timelines, threads, notifications, fetches or bookmarks. Each branch is an
 * index lookup: SourcePost by postId, TimelineEntry by (pipelineId, postId), ThreadCache by the GIN
 * index on postIds, Notification by postId, Bookmark by its key, FetchedPost by postId. `user` is
 * the SQL parameter holding the user's id.
 */
export function visibleSql(post: string, user: string): string {
  const p = post;
  const u = `${user}::uuid`;
  return `(EXISTS (SELECT 1 FROM "SourcePost" sp
                 JOIN "Source" s ON s.id = sp."sourceId"
                 JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
                 WHERE sp."postId" = ${p}.id AND la."userId" = ${u})
         OR EXISTS (SELECT 1 FROM "Pipeline" pl
                    JOIN "TimelineEntry" te ON te."pipelineId" = pl.id AND te."postId" = ${p}.id
                    WHERE pl."userId" = ${u})
         OR EXISTS (SELECT 1 FROM "ThreadCache" tc
                    JOIN "LinkedAccount" la ON la.id = tc."linkedAccountId"
                    WHERE tc."postIds" @> ARRAY[${p}.id] AND la."userId" = ${u})
         OR EXISTS (SELECT 1 FROM "Notification" n WHERE n."postId" = ${p}.id AND n."userId" = ${u})
         OR EXISTS (SELECT 1 FROM "Bookmark" b WHERE b."userId" = ${u} AND b.network = ${p}.network
                    AND b.uri = ${p}.uri AND b."postId" = ${p}.id)
         OR EXISTS (SELECT 1 FROM "FetchedPost" fp
                    JOIN "LinkedAccount" la ON la.id = fp."linkedAccountId"
                    WHERE fp."postId" = ${p}.id AND la."userId" = ${u}))`;
}

/**
 * Which stored posts a user may read: those that reached them through one of their sources, one of
 * their timelines, a thread fetched through one of their accounts, one of their notifications, a
 * fetch through one of their accounts (a profile's posts, a search), or their bookmarks (a post they
 * read once stays theirs to open after its source is gone). Anything else is "not found", whoever
 * else stored it.
 */
@Injectable()
export class PostAccessService {
  constructor(private readonly db: PrismaService) {}

  async visiblePost(userId: string, postId: bigint): Promise<StoredPost | null> {
    // The personal labels come from the user's own sources, threads and fetches only.
    const rows = await this.db.client.$queryRawUnsafe<(StoredPost & { labels: PersonalLabels[] | null })[]>(
      `SELECT p.id, p.network::text AS network, p.uri, p."nativeId", ${postDataSql('p')} AS data,
         ${personalLabelsSql('p', '$2')} AS labels
       FROM "Post" p
       WHERE p.id = $1::bigint AND ${visibleSql('p', '$2')}`,
      postId,
      userId,
    );
    const row = rows[0];
    if (!row) return null;
    const { labels, ...post } = row;
    return { ...post, data: withPersonalLabels(post.data, ...(labels ?? [])) };
  }

  /**
   * What the user can read of the posts `refs` name (a reply's parent and root): their author and
   * text, from a stored copy they may read (any trust domain's), keyed by `network uri`. A post not
   * stored, not theirs to read or deleted at origin is left out.
   */
  async refContexts(
    userId: string,
    refs: readonly { network: string; uri: string }[],
  ): Promise<Map<string, RefContext>> {
    if (refs.length === 0) return new Map();
    const rows = await this.db.sql.query<RefContext & { network: string; uri: string }>(
      `SELECT DISTINCT ON (p.network, p.uri) p.network::text AS network, p.uri,
              p.data -> 'author' ->> 'handle' AS "authorHandle",
              p.data -> 'author' ->> 'displayName' AS "authorDisplayName", p.data ->> 'text' AS text
       FROM unnest($2::text[], $3::text[]) AS r(network, uri)
       JOIN "Post" p ON p.network = r.network::"Network" AND p.uri = r.uri
       WHERE p."deletedAt" IS NULL AND ${visibleSql('p', '$1')}
       ORDER BY p.network, p.uri, p.id`,
      [userId, refs.map((r) => r.network), refs.map((r) => r.uri)],
    );
    return new Map(rows.map(({ network, uri, ...context }) => [`${network} ${uri}`, context]));
  }

  /**
   * Posts by id as stored (shared, `deletedAt` included), for a thread already known to be the
   * caller's (ids the cache recorded).
   */
  async postsByIds(ids: readonly bigint[]): Promise<Map<bigint, Omit<Post, 'raw'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.client.$queryRawUnsafe<{ id: bigint; data: Omit<Post, 'raw'> }[]>(
      `SELECT p.id, ${postDataSql('p')} AS data FROM "Post" p WHERE p.id = ANY($1::bigint[])`,
      ids,
    );
    return new Map(rows.map((r) => [r.id, r.data]));
  }

  /** Which of these posts were deleted at origin, with when (ISO-8601). */
  async deletedAt(ids: readonly bigint[]): Promise<Map<bigint, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.client.$queryRawUnsafe<{ id: bigint; data: { deletedAt: string } }[]>(
      `SELECT p.id, ${postDataSql('p')} AS data FROM "Post" p
       WHERE p.id = ANY($1::bigint[]) AND p."deletedAt" IS NOT NULL`,
      ids,
    );
    return new Map(rows.map((r) => [r.id, r.data.deletedAt]));
  }
}
