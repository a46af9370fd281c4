// The Bluesky follow graph the stream leader keeps, persisted: a restart or a new leader resumes
// with it at once (no repo read per member, no window in which their followed posts are missed).
import { withDbErrors } from './db-error.js';
import type { DbClient, PrismaClient } from './prisma-client.js';

export interface StoredFollowGraph {
  /** Member DID -> when its follows were last read from its repo. */
  loadedAt: Map<string, Date>;
  /** Member DID -> follow record key -> followed DID. */
  follows: Map<string, Map<string, string>>;
}

export type FollowChange =
  | { type: 'follow'; member: string; rkey: string; subject: string }
  | { type: 'unfollow'; member: string; rkey: string };

export async function loadFollowGraph(prisma: DbClient): Promise<StoredFollowGraph> {
  const [members, rows] = await withDbErrors(() =>
    Promise.all([prisma.blueskyMember.findMany(), prisma.blueskyFollow.findMany()]),
  );
  const follows = new Map<string, Map<string, string>>(members.map((m) => [m.did, new Map()]));
  for (const r of rows) follows.get(r.memberDid)?.set(r.rkey, r.subjectDid);
  return { loadedAt: new Map(members.map((m) => [m.did, m.followsLoadedAt])), follows };
}

/** A member's follows as just read from its repo, replacing what was stored. */
export async function replaceFollows(
  prisma: PrismaClient,
  member: string,
  records: ReadonlyMap<string, string>,
  loadedAt: Date,
): Promise<void> {
  const rows = [...records].map(([rkey, subjectDid]) => ({ memberDid: member, rkey, subjectDid }));
  await withDbErrors(() =>
    prisma.$transaction([
      prisma.blueskyFollow.deleteMany({ where: { memberDid: member } }),
      prisma.blueskyFollow.createMany({ data: rows }),
      prisma.blueskyMember.upsert({
        where: { did: member },
        create: { did: member, followsLoadedAt: loadedAt },
        update: { followsLoadedAt: loadedAt },
      }),
    ]),
  );
}

/** Follow events of members, in stream order (idempotent: a replayed event changes nothing). */
export async function applyFollowChanges(prisma: DbClient, changes: readonly FollowChange[]): Promise<void> {
  if (changes.length === 0) return;
  await withDbErrors(async () => {
    for (const c of changes) {
      if (c.type === 'follow')
        await prisma.blueskyFollow.upsert({
          where: { memberDid_rkey: { memberDid: c.member, rkey: c.rkey } },
          create: { memberDid: c.member, rkey: c.rkey, subjectDid: c.subject },
          update: { subjectDid: c.subject },
        });
      else await prisma.blueskyFollow.deleteMany({ where: { memberDid: c.member, rkey: c.rkey } });
    }
  });
}

/** Accounts no longer linked by anyone: their graph goes. */
export async function forgetFollowGraph(prisma: PrismaClient, members: readonly string[]): Promise<void> {
  if (members.length === 0) return;
  await withDbErrors(() =>
    prisma.$transaction([
      prisma.blueskyFollow.deleteMany({ where: { memberDid: { in: [...members] } } }),
      prisma.blueskyMember.deleteMany({ where: { did: { in: [...members] } } }),
    ]),
  );
}
