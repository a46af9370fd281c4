import { Injectable } from '@nestjs/common';
import type { Network } from '@tributary/core';
import { PrismaService } from '@tributary/db';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import type { ProfileModel } from '../profiles/profile.model.js';
import { ProfilesService } from '../profiles/profiles.service.js';
import { escapeHtml, profileUrl } from './entities/html.js';
import { toAccount } from './entities/mastodon-entities.js';
import type { EntityContext } from './entities/mastodon-entities.js';
import { parseAccountKey } from './ids/id-keys.js';
import { MastodonIds } from './ids/mastodon-ids.service.js';
import type { IdMap } from './ids/mastodon-ids.service.js';

type Json = Record<string, unknown>;

/** The member's own account: their Tributary identity, one account over all their linked ones. */
const memberKey = (userId: string) => `member ${userId}`;

/** Accounts: the member's own, and the authors of posts they can read. */
@Injectable()
export class MastodonAccounts {
  constructor(
    private readonly db: PrismaService,
    private readonly ids: MastodonIds,
    private readonly profiles: ProfilesService,
  ) {}

  /** The member as an Account (what `verify_credentials` says, plus `source`). */
  async own(user: AuthenticatedUser, ctx: EntityContext): Promise<Json> {
    const row = await this.db.client.user.findUniqueOrThrow({
      where: { id: user.id },
      select: { createdAt: true },
    });
    const id = await this.ids.id({ kind: 'ACCOUNT', key: memberKey(user.id), at: row.createdAt.getTime() });
    const avatar = `${ctx.baseUrl}/avatars/original/missing.png`;
    const created = new Date(row.createdAt);
    created.setUTCHours(0, 0, 0, 0);
    return {
      id,
      username: user.username,
      acct: user.username,
      display_name: user.username,
      locked: false,
      bot: false,
      discoverable: false,
      group: false,
      indexable: false,
      created_at: created.toISOString(),
      note: '',
      url: `${ctx.baseUrl}/@${user.username}`,
      uri: `${ctx.baseUrl}/users/${user.username}`,
      avatar,
      avatar_static: avatar,
      header: `${ctx.baseUrl}/headers/original/missing.png`,
      header_static: `${ctx.baseUrl}/headers/original/missing.png`,
      followers_count: 0,
      following_count: 0,
      statuses_count: 0,
      last_status_at: null,
      emojis: [],
      fields: [],
    };
  }

  /** `verify_credentials`: the own account with its posting defaults. */
  async credentials(user: AuthenticatedUser, ctx: EntityContext): Promise<Json> {
    const account = await this.own(user, ctx);
    return {
      ...account,
      source: {
        privacy: 'public',
        sensitive: false,
        language: null,
        note: '',
        fields: [],
        follow_requests_count: 0,
        indexable: false,
        discoverable: false,
      },
      // Mastodon's role of every user ("everyone", id -99): no moderation permissions here.
      role: { id: '-99', name: '', color: '', permissions: '0', highlighted: false },
    };
  }

  /**
   * An account by id: the member's own, an author as a trust domain the member reads from
   * describes them (their posts reached the member), else as their network shows them to the
   * member's linked account there (someone a search found); an id never handed out is not found.
   */
  async byId(user: AuthenticatedUser, accountId: string, ctx: EntityContext): Promise<Json> {
    const named = await this.ids.resolve(accountId);
    if (named?.kind !== 'ACCOUNT') throw notFound();
    if (named.key === memberKey(user.id)) return this.own(user, ctx);
    const account = parseAccountKey(named.key);
    if (!account) throw notFound();
    // An author whose posts reached one of the member's sources: the copy their own source delivered.
    const [author] = await this.db.client.$queryRawUnsafe<
      {
        network: 'BLUESKY' | 'MASTODON';
        networkId: string;
        handle: string;
        displayName: string | null;
        avatarUrl: string | null;
        bot: boolean;
      }[]
    >(
      `SELECT a.network::text AS network, a."networkId", a.handle, a."displayName", a."avatarUrl", a.bot
       FROM "Author" a
       WHERE a.network = $1::"Network" AND a."networkId" = $2 AND EXISTS (
         SELECT 1 FROM "Post" p JOIN "SourcePost" sp ON sp."postId" = p.id
         JOIN "Source" s ON s.id = sp."sourceId" JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
         WHERE p."authorId" = a.id AND la."userId" = $3::uuid)
       LIMIT 1`,
      account.network,
      account.networkId,
      user.id,
    );
    const ids = await this.ids.ids([{ kind: 'ACCOUNT', key: named.key, at: Date.now() }]);
    if (author) return toAccount(author, ids, ctx);
    // Someone the member found (a search): as their network shows them to the member's account.
    const profile = await this.profiles.profile(user.id, account.networkId, 'id', null).catch(() => null);
    if (!profile || profile.network !== account.network) throw notFound();
    return toProfileAccount(profile, ids, ctx);
  }
}

const notFound = () => new AppException(AppErrorCode.NotFound, 'Record not found');

/** Someone as their network shows them, as an Account: their bio and counts where it tells. */
export function toProfileAccount(profile: ProfileModel, ids: IdMap, ctx: EntityContext): Json {
  const author = { ...profile, network: profile.network as Network };
  return {
    ...toAccount(author, ids, ctx),
    note: profile.bio ? `<p>${escapeHtml(profile.bio).replace(/\n/g, '<br>')}</p>` : '',
    url: profile.webUrl ?? profileUrl(author),
    followers_count: profile.followersCount ?? 0,
    following_count: profile.followingCount ?? 0,
    statuses_count: profile.postsCount ?? 0,
  };
}
