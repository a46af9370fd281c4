import { BlueskyConnector, BlueskySession } from '@tributary/connector-bluesky';
import type { BlueskySessionData, BlueskySessionStore } from '@tributary/connector-bluesky';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import type { PrismaService } from '@tributary/db';
import { LockTimeoutError } from '@tributary/queue';
import type { RedisLock } from '@tributary/queue';
import { LRUCache } from 'lru-cache';
import { openCredentials, sealCredentials } from './credentials.js';

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
  onExpired: (accountId: string, reason: string) => Promise<void>;
}

/**
 * This process's Bluesky connectors, one per linked account, shared by all its jobs: one session
 * (no login, resume or refresh per job), one labeler set, one write budget. Between processes the
 * sealed session in `LinkedAccount.credentials` is the truth: a refresh runs under the account's
 * Redis lock, reads it first and stores what it got before letting go (see BlueskySession).
 */
export class BlueskySessions {
  private readonly live = new LRUCache<string, Promise<BlueskyConnector>>({
    max: MAX_ACCOUNTS,
    ttl: IDLE_MS,
    updateAgeOnGet: true,
  });

  constructor(private readonly deps: BlueskySessionsDeps) {}

  /** The account's connector; `stored` is its session as the caller read it from the account row. */
  async connector(accountId: string, stored: BlueskySessionData): Promise<BlueskyConnector> {
    let entry = this.live.get(accountId);
    if (!entry) {
      const created = BlueskySession.restore({
        session: stored,
        hostPolicy: this.deps.hostPolicy,
        store: this.store(accountId),
        onSessionExpired: (reason) => this.deps.onExpired(accountId, reason),
      }).then((session) => new BlueskyConnector(session, { trustedHosts: this.deps.trustedHosts }));
      created.catch(() => {
        if (this.live.get(accountId) === created) this.live.delete(accountId);
      });
      this.live.set(accountId, created);
      entry = created;
    }
    const connector = await entry;
    // Tokens refreshed by another process, or a new link after NEEDS_REAUTH.
    connector.session.adopt(stored);
    return connector;
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
        return credentials.network === 'BLUESKY' ? credentials.session : null;
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
