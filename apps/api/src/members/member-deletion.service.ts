import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@tributary/accounts';
import { PrismaService } from '@tributary/db';
import { AuthService } from '../auth/auth.service.js';

/**
 * Deletes a member and every row that is theirs. Most go with the User row (foreign keys cascade:
 * tokens, linked accounts with their sources, thread caches and actions, pipelines with their
 * versions, entries, published feeds and feedback, uploaded plugins); the rest are named here:
 * rows that point at the member without a foreign key. Shared rows stay: posts and authors are
 * the networks' (other members read them), invites the member created and the Mastodon apps
 * registered with the instance are the instance's. Linked accounts' credentials are revoked at
 * their networks first, where Tributary can (AccountsService.revokeCredentials).
 * apps/server/test/members.int-spec.ts checks every model of the schema, so a new table is not
 * forgotten.
 */
@Injectable()
export class MemberDeletion {
  private readonly logger = new Logger(MemberDeletion.name);

  constructor(
    private readonly db: PrismaService,
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
  ) {}

  /** Returns false when there is no such member. */
  async delete(userId: string): Promise<boolean> {
    const user = await this.db.client.user.findUnique({
      where: { id: userId },
      include: {
        accounts: {
          select: {
            id: true,
            userId: true,
            network: true,
            networkAccountId: true,
            serviceUrl: true,
            credentials: true,
          },
        },
        pipelines: { select: { id: true } },
        actions: { select: { id: true } },
      },
    });
    if (!user) return false;
    // First, so no API process answers a cached token of a member being deleted.
    await this.auth.revokeAllTokens(userId);
    // Before the rows go: a Bluesky OAuth grant is revoked through its stored session. Each waits
    // at most REVOKE_TIMEOUT_MS, side by side; an unreachable network does not keep the data.
    await Promise.all(user.accounts.map((account) => this.accounts.revokeCredentials(account)));
    const accountIds = user.accounts.map((a) => a.id);
    const dids = user.accounts.filter((a) => a.network === 'BLUESKY').map((a) => a.networkAccountId);
    await this.db.client.$transaction(async (tx) => {
      await tx.mastodonPendingLink.deleteMany({ where: { userId } });
      await tx.oAuthCode.deleteMany({ where: { userId } });
      const media = await tx.mastodonMedia.findMany({ where: { userId }, select: { id: true } });
      await tx.mastodonMedia.deleteMany({ where: { userId } });
      // The Mastodon client API's ids of their pipelines (lists), uploads and unpublished posts;
      // ids of posts and accounts are the networks', shared by every member.
      await tx.mastodonId.deleteMany({
        where: {
          OR: [
            { kind: 'LIST', key: { in: user.pipelines.map((p) => p.id) } },
            { kind: 'MEDIA', key: { in: media.map((m) => `upload ${m.id}`) } },
            { kind: 'POST', key: { in: user.actions.map((a) => `action ${a.id}`) } },
          ],
        },
      });
      await tx.skippedRecord.deleteMany({ where: { linkedAccountId: { in: accountIds } } });
      // The stream leader's copy of their follows, unless another member links the same account.
      const shared = await tx.linkedAccount.findMany({
        where: { networkAccountId: { in: dids }, userId: { not: userId } },
        select: { networkAccountId: true },
      });
      const forget = dids.filter((did) => !shared.some((s) => s.networkAccountId === did));
      await tx.blueskyFollow.deleteMany({ where: { memberDid: { in: forget } } });
      await tx.blueskyBlock.deleteMany({ where: { memberDid: { in: forget } } });
      await tx.blueskyMember.deleteMany({ where: { did: { in: forget } } });
      // Their own sign-up record: the invite they used.
      await tx.invite.deleteMany({ where: { usedById: userId } });
      await tx.user.delete({ where: { id: userId } });
    });
    this.logger.log(`member ${user.username} (${userId}) deleted with all their data`);
    return true;
  }
}
