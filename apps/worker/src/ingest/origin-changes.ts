// Edits and deletions at the origin. A streaming server announces them (`status.update`, `delete`);
// for a server without one, each poll re-reads the newest page and compares it with what the source
// stored in that window.
import type { MastodonConnector } from '@tributary/connector-mastodon';
import { Network } from '@tributary/core';
import type { Post, TrustDomain } from '@tributary/core';
import { addTombstones, markDeletedAtOrigin, storePosts } from '@tributary/db';
import type { PrismaService, Source } from '@tributary/db';
import type { EventPublisher, JobQueue } from '@tributary/queue';
import { hideDeletedPosts, publishOriginChanges, visibleEntriesOf } from '@tributary/timeline';

/** The re-checked window: one page, a distinct size so it is told apart from a sync's pages. */
export const RECHECK_PAGE = 30;
/** Stored posts missing from the window that are confirmed one request each: a bound per poll. */
const MAX_CONFIRMS = 10;

/**
 * Marks Mastodon statuses of `trustDomain` deleted at origin and hides their timeline entries (kept
 * in the audit), telling live readers. Returns how many entries were hidden now. The tombstones
 * come first, for statuses no sync has stored yet (IngestService checks them after storing).
 */
export async function applyDeletions(
  db: PrismaService,
  events: EventPublisher,
  trustDomain: TrustDomain,
  nativeIds: readonly string[],
): Promise<number> {
  const deletion = { network: Network.Mastodon, trustDomain, nativeIds } as const;
  await addTombstones(db.client, deletion);
  const postIds = await markDeletedAtOrigin(db.client, deletion);
  const hidden = await hideDeletedPosts(db.sql, postIds);
  await publishOriginChanges(events, 'removed', hidden);
  return hidden.length;
}

/**
 * Stores statuses edited at origin over what was stored of them, runs `userId`'s pipelines over
 * them again, and tells live readers of every pipeline that shows them.
 */
export async function storeEdits(
  db: PrismaService,
  jobs: JobQueue,
  events: EventPublisher,
  userId: string,
  trustDomain: TrustDomain,
  edited: readonly Post[],
): Promise<void> {
  if (edited.length === 0) return;
  const ids = [...(await storePosts(db.client, edited, trustDomain)).values()];
  if (ids.length === 0) return;
  await jobs.enqueue('run-pipelines', { userId, postIds: ids.map(String) });
  await publishOriginChanges(events, 'edited', await visibleEntriesOf(db.sql, ids));
}

/**
 * Compares the newest page of `source` with the posts it stored in that window: a status edited
 * since (`edited_at` changed) is stored over the old one, one missing and confirmed gone (404) is
 * marked deleted at origin. Boosts are left out of the deletion check: a withdrawn boost removes a
 * status from the timeline without deleting it.
 */
export async function recheckRecent(
  db: PrismaService,
  jobs: JobQueue,
  events: EventPublisher,
  connector: MastodonConnector,
  source: Source,
  userId: string,
): Promise<{ edited: number; deleted: number }> {
  const page = await connector.recentStatuses(
    { kind: source.kind, externalId: source.externalId },
    RECHECK_PAGE,
  );
  const trustDomain = page.trustDomain;
  const present = page.items.map((i) => i.post.nativeId);

  const stored = await db.client.post.findMany({
    where: { network: Network.Mastodon, trustDomain, nativeId: { in: present } },
    select: { nativeId: true, raw: true },
  });
  const storedEdit = new Map(stored.map((p) => [p.nativeId, editedAt(p.raw)]));
  const edited: Post[] = page.items
    .map((i) => i.post)
    .filter((p) => storedEdit.has(p.nativeId) && editedAt(p.raw) !== storedEdit.get(p.nativeId));
  await storeEdits(db, jobs, events, userId, trustDomain, edited);

  // The window's lower edge: the oldest status of the page that is not a boost (boosts place old
  // statuses high). A page holding the whole timeline has no lower edge.
  const own = page.items.filter((i) => i.reason === null).map((i) => Date.parse(i.post.createdAt));
  if (!page.complete && own.length === 0) return { edited: edited.length, deleted: 0 };
  const since = page.complete ? new Date(0) : new Date(Math.min(...own));
  const missing = await db.client.$queryRawUnsafe<{ nativeId: string }[]>(
    `SELECT p."nativeId" FROM "SourcePost" sp JOIN "Post" p ON p.id = sp."postId"
      WHERE sp."sourceId" = $1::uuid AND sp.reason IS NULL AND p.network = 'MASTODON'
        AND p."trustDomain" = $2 AND p."createdAt" >= $3 AND p."deletedAt" IS NULL
        AND NOT (p."nativeId" = ANY($4::text[]))
      ORDER BY p."createdAt" DESC LIMIT ${MAX_CONFIRMS}`,
    source.id,
    trustDomain,
    since,
    present,
  );
  // Missing from the page is not proof (an unfollow drops statuses from home): the server confirms.
  const gone: string[] = [];
  for (const { nativeId } of missing) if (await connector.statusGone(nativeId)) gone.push(nativeId);
  await applyDeletions(db, events, trustDomain, gone);
  return { edited: edited.length, deleted: gone.length };
}

/** When the status was last edited, from its stored record (the server's own keys, `edited_at`). */
function editedAt(raw: unknown): string | null {
  const value = (raw as { edited_at?: unknown } | null)?.edited_at;
  return typeof value === 'string' ? value : null;
}
