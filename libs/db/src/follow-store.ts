// The Bluesky follow graph the stream leader keeps, persisted: a restart or a new leader resumes
// with it at once (no repo read per member, no window in which their followed posts are missed).
import { withDbErrors } from './db-error.js';
import type { DbClient, PrismaClient } from './prisma-client.js';

export interface StoredFollowGraph {
  /** Member DID -> when its follows were last read from its repo. */
  loadedAt: Map<string, Date>;
  /** Member DID -> follow record key -> followed DID. */
  follows: Map<string, Map<string, string>>;
  /** Member DID -> block record key -> blocked DID. */
  blocks: Map<string, Map<string, string>>;
}

export type FollowChange =
  | { type: 'follow'; member: string; rkey: string; subject: string }
  | { type: 'unfollow'; member: string; rkey: string }
  | { type: 'block'; member: string; rkey: string; subject: string }
  | { type: 'unblock'; member: string; rkey: string };

export async function loadFollowGraph(prisma: DbClient): Promise<StoredFollowGraph> {
  const [members, rows, blockRows] = await withDbErrors(() =>
    Promise.all([
      prisma.blueskyMember.findMany(),
      prisma.blueskyFollow.findMany(),
      prisma.blueskyBlock.findMany(),
    ]),
  );
  const follows = new Map<string, Map<string, string>>(members.map((m) => [m.did, new Map()]));
  const blocks = new Map<string, Map<string, string>>(members.map((m) => [m.did, new Map()]));
  for (const r of rows) follows.get(r.memberDid)?.set(r.rkey, r.subjectDid);
  for (const r of blockRows) blocks.get(r.memberDid)?.set(r.rkey, r.subjectDid);
  return { loadedAt: new Map(members.map((m) => [m.did, m.followsLoadedAt])), follows, blocks };
}

/** A member's follows and blocks as just read from its repo, replacing what was stored. */
export async function replaceFollows(
  prisma: PrismaClient,
  member: string,
  records: ReadonlyMap<string, string>,
  loadedAt: Date,
  blocks: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const rows = [...records].map(([rkey, subjectDid]) => ({ memberDid: member, rkey, subjectDid }));
  const blockRows = [...blocks].map(([rkey, subjectDid]) => ({ memberDid: member, rkey, subjectDid }));
  await withDbErrors(() =>
    prisma.$transaction([
      prisma.blueskyFollow.deleteMany({ where: { memberDid: member } }),
      prisma.blueskyFollow.createMany({ data: rows }),
      prisma.blueskyBlock.deleteMany({ where: { memberDid: member } }),
      prisma.blueskyBlock.createMany({ data: blockRows }),
      prisma.blueskyMember.upsert({
        where: { did: member },
        create: { did: member, followsLoadedAt: loadedAt },
        update: { followsLoadedAt: loadedAt },
      }),
    ]),
  );
}

/** Follow and block events of members, in stream order (idempotent: a replayed event changes nothing). */
export async function applyFollowChanges(prisma: DbClient, changes: readonly FollowChange[]): Promise<void> {
  if (changes.length === 0) return;
  await withDbErrors(async () => {
    for (const c of changes) {
      const key = { memberDid_rkey: { memberDid: c.member, rkey: c.rkey } };
      if (c.type === 'follow')
        await prisma.blueskyFollow.upsert({
          where: key,
          create: { memberDid: c.member, rkey: c.rkey, subjectDid: c.subject },
          update: { subjectDid: c.subject },
        });
      else if (c.type === 'unfollow')
        await prisma.blueskyFollow.deleteMany({ where: { memberDid: c.member, rkey: c.rkey } });
      else if (c.type === 'block')
        await prisma.blueskyBlock.upsert({
          where: key,
          create: { memberDid: c.member, rkey: c.rkey, subjectDid: c.subject },
          update: { subjectDid: c.subject },
        });
      else await prisma.blueskyBlock.deleteMany({ where: { memberDid: c.member, rkey: c.rkey } });
    }
  });
}

/** Accounts no longer linked by anyone: their graph goes. */
export async function forgetFollowGraph(prisma: PrismaClient, members: readonly string[]): Promise<void> {
  if (members.length === 0) return;
  await withDbErrors(() =>
    prisma.$transaction([
      prisma.blueskyFollow.deleteMany({ where: { memberDid: { in: [...members] } } }),
      prisma.blueskyBlock.deleteMany({ where: { memberDid: { in: [...members] } } }),
      prisma.blueskyMember.deleteMany({ where: { did: { in: [...members] } } }),
    ]),
  );
}
