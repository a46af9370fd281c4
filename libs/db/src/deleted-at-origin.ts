// Posts their network says are gone. The row is kept (the audit shows it, hidden, "deleted at
// origin"): `deletedAt` goes into its data, which the pipelines read, so every rebuild hides it too.
import type { Network, TrustDomain } from '@tributary/core';
import { withDbErrors } from './db-error.js';
import type { PrismaClient } from './prisma-client.js';

/** Whose timelines hold the posts just marked: re-run each user's pipelines over their ids. */
export interface DeletedPosts {
  userId: string;
  postIds: bigint[];
}

/**
 * Marks the posts `nativeIds` of `trustDomain` deleted at origin (only that server's rows: its ids
 * mean nothing elsewhere, and it speaks for its own copy only). Posts already marked are left as
 * they are. Returns, per member who stored them, the posts marked now.
 */
export async function markDeletedAtOrigin(
  prisma: PrismaClient,
  network: Network,
  trustDomain: TrustDomain,
  nativeIds: readonly string[],
  at: Date = new Date(),
): Promise<DeletedPosts[]> {
  if (nativeIds.length === 0) return [];
  const rows = await withDbErrors(() =>
    prisma.$queryRawUnsafe<{ userId: string; postIds: string[] }[]>(
      `WITH marked AS (
         UPDATE "Post" SET data = data || jsonb_build_object('deletedAt', $4::text), "updatedAt" = now()
          WHERE network = $1::"Network" AND "trustDomain" = $2 AND "nativeId" = ANY($3::text[])
            AND NOT (data ? 'deletedAt')
          RETURNING id)
       SELECT a."userId"::text AS "userId", array_agg(DISTINCT m.id::text) AS "postIds"
         FROM marked m
         JOIN "SourcePost" sp ON sp."postId" = m.id
         JOIN "Source" s ON s.id = sp."sourceId"
         JOIN "LinkedAccount" a ON a.id = s."linkedAccountId"
        GROUP BY a."userId"`,
      network,
      trustDomain,
      [...nativeIds],
      at.toISOString(),
    ),
  );
  return rows.map((r) => ({ userId: r.userId, postIds: r.postIds.map((id) => BigInt(id)) }));
}
