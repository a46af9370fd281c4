import { randomUUID } from 'node:crypto';
import { BlueskyOAuth } from '@tributary/connector-bluesky';
import type {
  BlueskyOAuthClient,
  BlueskyOAuthGrant,
  BlueskyOAuthOptions,
  BlueskyOAuthSession,
  BlueskyOAuthStores,
  BlueskyOAuthStoredSession,
  BlueskyOAuthStoredState,
} from '@tributary/connector-bluesky';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import { open, seal } from '@tributary/db';
import type { PrismaService } from '@tributary/db';
import { LockTimeoutError } from '@tributary/queue';
import type { RedisLock } from '@tributary/queue';

/** How long a started link waits for its callback (as for Mastodon). */
const STATE_TTL_MS = 15 * 60_000;

export interface BlueskyOAuthLinksDeps {
  db: PrismaService;
  key: Buffer;
  lock: RedisLock;
  /** The client's settings; a string says why OAuth cannot be offered (no usable public URL). */
  options: BlueskyOAuthOptions | string;
}

/**
 * Bluesky accounts linked with atproto OAuth: started links and sessions in PostgreSQL (sealed),
 * per member. Each member gets their own client on their own stores, so a `state` another member
 * started is unknown to it, and two members linking one Bluesky account hold separate grants.
 * Refreshes run under the Redis lock of the member's session, in every process (API and workers).
 */
export class BlueskyOAuthLinks {
  private identity: Promise<BlueskyOAuth> | null = null;
  /** Lock holders of this process, so its own callers queue here instead of polling Redis. */
  private readonly local = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: BlueskyOAuthLinksDeps) {}

  /** Tributary's client identity, made on first use: a PUBLIC_URL it cannot use fails there, clearly. */
  oauth(): Promise<BlueskyOAuth> {
    const { options } = this.deps;
    if (typeof options === 'string')
      return Promise.reject(new ConnectorError(ConnectorErrorCode.BadInput, options));
    this.identity ??= BlueskyOAuth.create(options);
    return this.identity;
  }

  /** The authorization URL on the server of `input` (handle, DID, PDS or entryway URL). */
  async start(userId: string, input: string): Promise<string> {
    // Expired attempts are dropped here rather than by a job: they are only ever read here.
    await this.deps.db.client.blueskyOAuthState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    return (await this.client(userId, randomUUID())).authorize(input);
  }

  /**
   * Completes a link from the callback's parameters. The grant's session is stored under a new
   * link id, which the account's credentials then name.
   */
  async complete(userId: string, params: URLSearchParams): Promise<BlueskyOAuthGrant & { linkId: string }> {
    const linkId = randomUUID();
    const grant = await (await this.client(userId, linkId, true)).callback(params);
    return { ...grant, linkId };
  }

  /** The member's session of `did` from link `linkId`, for the connector. */
  async session(
    userId: string,
    link: { did: string; linkId: string },
    onSessionExpired: (reason: string) => Promise<void>,
  ): Promise<BlueskyOAuthSession> {
    return (await this.client(userId, link.linkId)).session(link.did, { onSessionExpired });
  }

  /** Revokes the member's grant for `did` at its server and forgets it (unlinking). */
  async revoke(userId: string, did: string): Promise<void> {
    const stored = await this.deps.db.client.blueskyOAuthSession.findUnique({
      where: { userId_did: { userId, did } },
      select: { linkId: true },
    });
    if (!stored) return;
    await (await this.client(userId, stored.linkId)).revoke(did);
  }

  private async client(userId: string, linkId: string, linking = false): Promise<BlueskyOAuthClient> {
    return (await this.oauth()).client(this.stores(userId, linkId, linking));
  }

  /**
   * One member's stores. Sessions this client deletes are only those of link `linkId`; only a
   * `linking` client (completing a link) stores a session under a new link id.
   */
  private stores(userId: string, linkId: string, linking: boolean): BlueskyOAuthStores {
    const { db, key } = this.deps;
    const sealed = (value: unknown) => seal(JSON.stringify(value), key);
    const opened = <T>(data: string) => JSON.parse(open(data, key)) as T;
    return {
      state: {
        set: async (state, value) => {
          await db.client.blueskyOAuthState.create({
            data: { state, userId, data: sealed(value), expiresAt: new Date(Date.now() + STATE_TTL_MS) },
          });
        },
        // Another member's state is not found: their link cannot be completed (or spent) by this one.
        get: async (state) => {
          const row = await db.client.blueskyOAuthState.findFirst({
            where: { state, userId, expiresAt: { gt: new Date() } },
          });
          return row ? opened<BlueskyOAuthStoredState>(row.data) : undefined;
        },
        del: async (state) => {
          await db.client.blueskyOAuthState.deleteMany({ where: { state, userId } });
        },
      },
      session: {
        get: async (did) => {
          const row = await db.client.blueskyOAuthSession.findUnique({
            where: { userId_did: { userId, did } },
          });
          return row ? opened<BlueskyOAuthStoredSession>(row.data) : undefined;
        },
        set: async (did, value) => {
          const data = sealed(value);
          if (linking) {
            await db.client.blueskyOAuthSession.upsert({
              where: { userId_did: { userId, did } },
              create: { userId, did, linkId, data },
              update: { linkId, data },
            });
            return;
          }
          // A refresh: the tokens it read under the lock, refreshed, belong to the stored link,
          // whose id stays (even when this connector was made for an earlier link); a session
          // deleted meanwhile (unlinked) is not brought back.
          await db.client.blueskyOAuthSession.updateMany({ where: { userId, did }, data: { data } });
        },
        // A connector of an earlier link (the member linked again meanwhile) signs with that
        // link's DPoP key; the new link's session must survive its failures.
        del: async (did) => {
          await db.client.blueskyOAuthSession.deleteMany({ where: { userId, did, linkId } });
        },
      },
      lock: (name, fn) => {
        const mine = `bluesky-oauth:${userId}:${name}`;
        return this.queue(mine, () => this.crossProcess(mine, fn));
      },
    };
  }

  private async crossProcess<T>(name: string, fn: () => T | PromiseLike<T>): Promise<T> {
    try {
      return await this.deps.lock.run(name, fn);
    } catch (error) {
      if (!(error instanceof LockTimeoutError)) throw error;
      throw new ConnectorError(
        ConnectorErrorCode.Unavailable,
        'the Bluesky session is being refreshed by another process; try again',
        null,
        { cause: error },
      );
    }
  }

  /** Runs `fn` after this process's earlier holders of `name`. */
  private queue<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.local.get(name) ?? Promise.resolve()).then(fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.local.set(name, settled);
    void settled.then(() => {
      if (this.local.get(name) === settled) this.local.delete(name);
    });
    return run;
  }
}
