// What a member's account did to posts (liked, reposted, bookmarked on its server), as that server
// last said: one row per account and post URI (PostViewerState), never on the shared Post.
import type { Network, PostViewer } from '@tributary/core';
import { withDbErrors } from './db-error.js';
import type { DbClient } from './prisma-client.js';

export interface ViewerAccount {
  id: string;
  userId: string;
  network: Network;
}

/**
 * Records the account's server's word on each post, asked for at `observedAt`. A row keeps the
 * newest answer: a slow fetch that began before a later one (or before an action was
 * reconciled) never overwrites it. Idempotent.
 */
export async function recordViewerStates(
  prisma: DbClient,
  account: ViewerAccount,
  observations: readonly { uri: string; viewer: PostViewer }[],
  observedAt: Date,
): Promise<void> {
  const byUri = new Map(observations.map((o) => [o.uri, o.viewer]));
  if (byUri.size === 0) return;
  const uris = [...byUri.keys()];
  const viewers = [...byUri.values()];
  await withDbErrors(() =>
    prisma.$executeRawUnsafe(
      `INSERT INTO "PostViewerState" AS s
         ("linkedAccountId", "userId", network, uri, liked, "likeUri", reposted, "repostUri", bookmarked, "observedAt")
       SELECT $1::uuid, $2::uuid, $3::"Network", v.uri, v.liked, v."likeUri", v.reposted, v."repostUri", v.bookmarked, $4
       FROM unnest($5::text[], $6::boolean[], $7::text[], $8::boolean[], $9::text[], $10::boolean[])
         AS v(uri, liked, "likeUri", reposted, "repostUri", bookmarked)
       ON CONFLICT ("linkedAccountId", uri) DO UPDATE SET
         liked = EXCLUDED.liked, "likeUri" = EXCLUDED."likeUri", reposted = EXCLUDED.reposted,
         "repostUri" = EXCLUDED."repostUri", bookmarked = EXCLUDED.bookmarked, "observedAt" = EXCLUDED."observedAt"
       WHERE s."observedAt" <= EXCLUDED."observedAt"`,
      account.id,
      account.userId,
      account.network,
      observedAt,
      uris,
      viewers.map((v) => v.liked),
      viewers.map((v) => v.likeUri),
      viewers.map((v) => v.reposted),
      viewers.map((v) => v.repostUri),
      viewers.map((v) => v.bookmarked),
    ),
  );
}
