import { BlueskyConnector, BlueskySession } from '@tributary/connector-bluesky';
import type { BlueskySessionData, BlueskySessionStore } from '@tributary/connector-bluesky';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import type { PrismaService } from '@tributary/db';
import { LockTimeoutError } from '@tributary/queue';
import type { RedisLock } from '@tributary/queue';
import { LRUCache } from 'lru-cache';
import type { BlueskyOAuthLinks } from './bluesky-oauth-links.js';
import { openCredentials, sealCredentials } from './credentials.js';
import type { BlueskyCredentials, BlueskyOAuthCredentials } from './credentials.js';

/** An account unused this long leaves the process's cache (its session stays stored). */
const IDLE_MS = 60 * 60_000;
const MAX_ACCOUNTS = 10_000;

export interface BlueskySessionsDeps {
  db: PrismaService;
  key: Buffer;
  lock: RedisLock;
  hostPolicy: InstanceUrlPolicy;
  /** Hosts whose answers are the network's shared trust domain (see BlueskyConnectorOptions). */
  trustedHosts: readonly string[];
  oauth: BlueskyOAuthLinks;
  onExpired: (accountId: string, reason: string) => Promise<void>;
}

/**
 * This process's Bluesky connectors, one per linked account, shared by all its jobs: one session
 * (no login, resume or refresh per job), one labeler set, one write budget. Between processes the
 * stored session is the truth: a refresh runs under the account's Redis lock, reads it first and
 * stores what it got before letting go. For an app password that is the sealed session in
 * `LinkedAccount.credentials` (see BlueskySession); for OAuth, the member's BlueskyOAuthSession row,
 * which the OAuth client reads at every call (see BlueskyOAuthLinks).
 */
export class BlueskySessions {
  private readonly live = new LRUCache<string, Promise<BlueskyConnector>>({
    max: MAX_ACCOUNTS,
    ttl: IDLE_MS,
    updateAgeOnGet: true,
  });

  constructor(private readonly deps: BlueskySessionsDeps) {}

  /** The account's connector, from its credentials as the caller read them from the account row. */
  connector(
    account: { id: string; userId: string },
    credentials: BlueskyCredentials | BlueskyOAuthCredentials,
  ): Promise<BlueskyConnector> {
    return 'oauth' in credentials
      ? this.oauthConnector(account, credentials.oauth)
      : this.passwordConnector(account.id, credentials.session);
  }

  /**
   * One per link: a new link of the account (after NEEDS_REAUTH) has a new DPoP key, which the
   * connector of the earlier one does not sign with.
   */
  private oauthConnector(
    account: { id: string; userId: string },
    link: BlueskyOAuthCredentials['oauth'],
  ): Promise<BlueskyConnector> {
    return this.cached(`${account.id}:oauth:${link.linkId}`, async () => {
      const session = await this.deps.oauth.session(account.userId, link, (reason) =>
        this.deps.onExpired(account.id, reason),
      );
      return new BlueskyConnector(session, { trustedHosts: this.deps.trustedHosts });
    });
  }

  /** `stored` is the session as the caller read it from the account row. */
  private async passwordConnector(accountId: string, stored: BlueskySessionData): Promise<BlueskyConnector> {
    const connector = await this.cached(accountId, async () => {
      const session = await BlueskySession.restore({
        session: stored,
        hostPolicy: this.deps.hostPolicy,
        store: this.store(accountId),
        onSessionExpired: (reason) => this.deps.onExpired(accountId, reason),
      });
      return new BlueskyConnector(session, { trustedHosts: this.deps.trustedHosts });
    });
    // Tokens refreshed by another process, or a new link after NEEDS_REAUTH.
    if (connector.session instanceof BlueskySession) connector.session.adopt(stored);
    return connector;
  }

  /** The cached connector under `key`, or a new one; one that failed to start is not kept. */
  private cached(key: string, create: () => Promise<BlueskyConnector>): Promise<BlueskyConnector> {
    let entry = this.live.get(key);
    if (!entry) {
      const created = create();
      created.catch(() => {
        if (this.live.get(key) === created) this.live.delete(key);
      });
      this.live.set(key, created);
      entry = created;
    }
    return entry;
  }

  private store(accountId: string): BlueskySessionStore {
    const { db, key, lock } = this.deps;
    // The sealed value `load` read: `save` replaces only that, never a link made meanwhile.
    let loaded: string | null = null;
    return {
      load: async () => {
        const row = await db.client.linkedAccount.findUnique({
          where: { id: accountId },
          select: { credentials: true },
        });
        loaded = row?.credentials ?? null;
        if (!row) return null;
        const credentials = openCredentials(row.credentials, key);
        return credentials.network === 'BLUESKY' && 'session' in credentials ? credentials.session : null;
      },
      save: async (session) => {
        await db.client.linkedAccount.updateMany({
          where: { id: accountId, ...(loaded !== null ? { credentials: loaded } : {}) },
          data: { credentials: sealCredentials({ network: 'BLUESKY', session }, key) },
        });
      },
      lock: async (fn) => {
        try {
          return await lock.run(`bluesky-session:${accountId}`, fn);
        } catch (error) {
          if (!(error instanceof LockTimeoutError)) throw error;
          throw new ConnectorError(
            ConnectorErrorCode.Unavailable,
            'the Bluesky session is being refreshed by another process; try again',
            null,
            { cause: error },
          );
        }
      },
    };
  }
}
