import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { PrismaService, prepared } from '@tributary/db';
import type { DbClient } from '@tributary/db';
import { createDefaultPipeline } from '@tributary/timeline';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { isUuid } from '../common/ids.js';
import type { AuthenticatedUser, Role } from './auth.types.js';
import { LoginLimits } from './login-limits.js';
import { Passwords } from './passwords.js';
import { hashSecret, newSecret } from './secrets.js';
import { TokenRevocations } from './token-revocations.js';

const USERNAME = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
const MIN_PASSWORD = 10;
const DAY_MS = 24 * 3600 * 1000;
// lastUsedAt is informational; writing it on every request would turn reads into writes.
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * A verified token is remembered this long, so a client's requests do not each pay a lookup before
 * their own query (~2 ms of API CPU per timeline page: tools/bench/timeline-read.bench.ts). A
 * revocation is forgotten at once in every API process (TokenRevocations); this lifetime bounds
 * it only if that message is lost. Expiry is checked on every request.
 */
export const TOKEN_CACHE_TTL_MS = 30_000;
const TOKEN_CACHE_SIZE = 10_000;

interface VerifiedToken {
  user: AuthenticatedUser;
  expiresAt: number | null;
}

// Prisma's DateTime columns are UTC wall-clock times without a zone: read as epoch milliseconds
// and written as UTC here, so the process's time zone plays no part.
const TOKEN_SQL = prepared(`
  SELECT t.id::text AS "tokenId", (t."revokedAt" IS NOT NULL) AS revoked,
         (extract(epoch FROM t."expiresAt") * 1000)::float8 AS "expiresAt",
         (extract(epoch FROM t."lastUsedAt") * 1000)::float8 AS "lastUsedAt",
         u.id::text AS "userId", u.username, u.role::text AS role,
         t.scopes, t."oauthClientId"::text AS "oauthClientId"
  FROM "ApiToken" t JOIN "User" u ON u.id = t."userId"
  WHERE t."tokenHash" = $1`);
const TOKEN_USED_SQL = prepared(
  `UPDATE "ApiToken" SET "lastUsedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1::uuid`,
);

interface TokenRow {
  tokenId: string;
  revoked: boolean;
  /** Epoch milliseconds. */
  expiresAt: number | null;
  /** Epoch milliseconds. */
  lastUsedAt: number | null;
  userId: string;
  username: string;
  role: Role;
  scopes: string | null;
  oauthClientId: string | null;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Keyed by token hash; unknown tokens are not cached (a flood of bad ones cannot evict good ones). */
  private readonly verified = new LRUCache<string, VerifiedToken>({
    max: TOKEN_CACHE_SIZE,
    ttl: TOKEN_CACHE_TTL_MS,
  });

  constructor(
    private readonly db: PrismaService,
    @Inject(CONFIG) private readonly config: Config,
    private readonly revocations: TokenRevocations,
    private readonly passwords: Passwords,
    private readonly limits: LoginLimits,
  ) {
    revocations.onRevoked((tokenHash) => this.verified.delete(tokenHash));
  }

  /** Resolves a bearer token to its user, or null when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<AuthenticatedUser | null> {
    const tokenHash = hashSecret(token);
    const now = Date.now();
    const cached = this.verified.get(tokenHash);
    if (cached) return cached.expiresAt === null || cached.expiresAt > now ? cached.user : null;
    // One statement for token and user, on the driver: through Prisma a lookup with its lastUsedAt
    // write took ~1.5 ms more API CPU (A/B over 1,000 timeline pages, most with a lookup), and one
    // request in six needs a lookup at 200 requests/s over 1,000 users (token cache lifetime 30 s).
    const [row] = await this.db.sql.query<TokenRow>(TOKEN_SQL, [tokenHash]);
    if (!row || row.revoked || (row.expiresAt !== null && row.expiresAt <= now)) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await this.db.sql.query(TOKEN_USED_SQL, [row.tokenId]);
    }
    const user: AuthenticatedUser = {
      id: row.userId,
      username: row.username,
      role: row.role,
      tokenId: row.tokenId,
      scopes: row.scopes === null ? null : row.scopes.split(' '),
      oauthClientId: row.oauthClientId,
    };
    this.verified.set(tokenHash, { user, expiresAt: row.expiresAt });
    return user;
  }

  /** `clientIp`: the caller's address, for the per-address limit (`req.ip`, see TRUST_PROXY). */
  async signUp(inviteCode: string, username: string, password: string, tokenName: string, clientIp: string) {
    await this.limits.attempt(clientIp, null);
    const name = username.trim().toLowerCase();
    if (!USERNAME.test(name)) {
      throw new AppException(
        AppErrorCode.BadUserInput,
        'username: 3–32 characters, lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
        { field: 'username' },
      );
    }
    if (password.length < MIN_PASSWORD) {
      throw new AppException(AppErrorCode.BadUserInput, `password: at least ${MIN_PASSWORD} characters`, {
        field: 'password',
      });
    }
    // Invite and username are checked before the costly hash, and again in the transaction.
    await this.checkSignUp(this.db.client, inviteCode, name, new Date());
    const passwordHash = await this.passwords.hash(password);
    const now = new Date();
    const user = await this.db.client.$transaction(async (tx) => {
      const invite = await this.checkSignUp(tx, inviteCode, name, now);
      const created = await tx.user.create({ data: { username: name, passwordHash, role: invite.role } });
      // Conditional update: of two concurrent sign-ups with one invite, exactly one wins.
      const claimed = await tx.invite.updateMany({
        where: { id: invite.id, usedById: null },
        data: { usedById: created.id, usedAt: now },
      });
      if (claimed.count !== 1) {
        throw new AppException(AppErrorCode.BadUserInput, 'invite: already used', { field: 'invite' });
      }
      await createDefaultPipeline(tx, created.id);
      return created;
    });
    this.logger.log(`user ${user.username} signed up (${user.role})`);
    return this.issueToken(user.id, tokenName);
  }

  /** The usable invite for a sign-up as `name`; BAD_USER_INPUT or CONFLICT otherwise. */
  private async checkSignUp(db: DbClient, inviteCode: string, name: string, now: Date) {
    const invite = await db.invite.findUnique({ where: { codeHash: hashSecret(inviteCode) } });
    if (!invite || invite.usedById || invite.expiresAt <= now) {
      throw new AppException(AppErrorCode.BadUserInput, 'invite: unknown, already used or expired', {
        field: 'invite',
      });
    }
    if (await db.user.findUnique({ where: { username: name } })) {
      throw new AppException(AppErrorCode.Conflict, `username: "${name}" is taken`, { field: 'username' });
    }
    return invite;
  }

  /** `clientIp`: the caller's address, for the per-address limit (`req.ip`, see TRUST_PROXY). */
  async login(username: string, password: string, tokenName: string, clientIp: string) {
    const user = await this.checkPassword(username, password, clientIp);
    return this.issueToken(user.id, tokenName);
  }

  /**
   * The user these credentials are, under the same limits as `login` (the Mastodon API's
   * authorization page logs in with it); UNAUTHENTICATED otherwise.
   */
  async checkPassword(username: string, password: string, clientIp: string) {
    const name = username.trim().toLowerCase();
    // A name no account can have is counted against the address only: it needs no lookup or hash.
    const valid = USERNAME.test(name);
    await this.limits.attempt(clientIp, valid ? name : null);
    const user = valid ? await this.db.client.user.findUnique({ where: { username: name } }) : null;
    // Always hash, so the response time does not tell whether the username exists.
    const ok = valid && (await this.passwords.verify(password, user?.passwordHash));
    if (!user || !ok) throw new AppException(AppErrorCode.Unauthenticated, 'invalid username or password');
    if (user.suspendedAt !== null)
      throw new AppException(AppErrorCode.Forbidden, 'this account is suspended; ask an administrator');
    await this.limits.succeeded(name);
    return user;
  }

  /**
   * A new token for the user, shown once. `oauth`: the Mastodon app it is for and the scopes it
   * grants (a Mastodon app's tokens are Tributary tokens like any other: listed and revoked with them).
   */
  async issueToken(userId: string, name: string, oauth?: { clientId: string; scopes: string[] }) {
    const token = newSecret('trb');
    const row = await this.db.client.apiToken.create({
      data: {
        userId,
        ...(oauth ? { oauthClientId: oauth.clientId, scopes: oauth.scopes.join(' ') } : {}),
        name: name.slice(0, 100) || 'token',
        tokenHash: hashSecret(token),
        expiresAt: new Date(Date.now() + this.config.TOKEN_TTL_DAYS * DAY_MS),
      },
      include: { user: true },
    });
    return { token, tokenInfo: { ...row, current: false }, user: row.user };
  }

  /**
   * Whether `password` is the user's (for confirming a destructive request); costs one hash. A
   * wrong one counts as a failed login of the user's name (LOGIN_ATTEMPTS_PER_USERNAME_PER_HOUR):
   * a stolen token is not a way to guess the password without limit. RATE_LIMITED past it.
   */
  async isPasswordOf(userId: string, password: string): Promise<boolean> {
    const user = await this.db.client.user.findUnique({ where: { id: userId } });
    if (user) await this.limits.attempt(null, user.username);
    const ok = await this.passwords.verify(password, user?.passwordHash);
    if (ok && user) await this.limits.succeeded(user.username);
    return ok;
  }

  /** Revokes every token of the user, in every API process at once (suspension, deletion). */
  async revokeAllTokens(userId: string): Promise<void> {
    const tokens = await this.db.client.apiToken.findMany({ where: { userId, revokedAt: null } });
    await this.db.client.apiToken.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    for (const token of tokens) await this.revocations.publish(token.tokenHash);
  }

  me(user: AuthenticatedUser) {
    return this.db.client.user.findUniqueOrThrow({ where: { id: user.id } });
  }

  listTokens(user: AuthenticatedUser) {
    return this.db.client.apiToken
      .findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } })
      .then((rows) => rows.map((row) => ({ ...row, current: row.id === user.tokenId })));
  }

  async revokeToken(user: AuthenticatedUser, tokenId: string) {
    // Scoped by owner: another user's token id is indistinguishable from an unknown one.
    if (!isUuid(tokenId)) throw new AppException(AppErrorCode.NotFound, 'token not found');
    const revoked = await this.db.client.apiToken.updateMany({
      where: { id: tokenId, userId: user.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) {
      const own = await this.db.client.apiToken.findFirst({ where: { id: tokenId, userId: user.id } });
      if (!own) throw new AppException(AppErrorCode.NotFound, 'token not found');
    }
    const row = await this.db.client.apiToken.findFirstOrThrow({ where: { id: tokenId, userId: user.id } });
    await this.revocations.publish(row.tokenHash);
    return { ...row, current: row.id === user.tokenId };
  }

  /**
   * Revokes a token by its value, when it was issued to the Mastodon app `oauthClientId` (RFC 7009:
   * an app revokes its own tokens; any other token is left alone, and the answer is the same).
   */
  async revokeAppToken(token: string, oauthClientId: string): Promise<void> {
    const tokenHash = hashSecret(token);
    const revoked = await this.db.client.apiToken.updateMany({
      where: { tokenHash, oauthClientId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count > 0) await this.revocations.publish(tokenHash);
  }

  async createInvite(creator: AuthenticatedUser | null, role: Role) {
    const code = newSecret('inv');
    const invite = await this.db.client.invite.create({
      data: {
        codeHash: hashSecret(code),
        role,
        createdById: creator?.id ?? null,
        expiresAt: new Date(Date.now() + this.config.INVITE_TTL_DAYS * DAY_MS),
      },
    });
    return { code, invite };
  }

  listInvites() {
    return this.db.client.invite.findMany({ orderBy: { createdAt: 'desc' } });
  }

  /**
   * First start of an instance: with no users, print a one-time admin invite so the operator can
   * create the first account. A fresh one replaces the last on every start until someone signs up.
   */
  async bootstrapAdminInvite(): Promise<string | null> {
    if ((await this.db.client.user.count()) > 0) return null;
    // Only the most recently printed bootstrap invite is valid.
    await this.db.client.invite.deleteMany({ where: { createdById: null, role: 'ADMIN', usedById: null } });
    const { code } = await this.createInvite(null, 'ADMIN');
    return code;
  }
}
