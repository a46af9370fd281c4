import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import { BlueskySession } from '@tributary/connector-bluesky';
import {
  MastodonConnector,
  MastodonStream,
  authorizeUrl,
  createPkce,
  exchangeCode,
  MASTODON_SCOPES,
  registerApp,
  revokeToken,
  verifyCredentials,
} from '@tributary/connector-mastodon';
import type { MastodonApp, MastodonStreamOptions } from '@tributary/connector-mastodon';
import {
  AccountStatus,
  ConnectorError,
  ConnectorErrorCode,
  Network,
  SourceKind,
  assertSafeInstanceUrl,
} from '@tributary/core';
import type { NetworkConnector } from '@tributary/core';
import { PrismaService, open, seal } from '@tributary/db';
import type { LinkedAccount, Source } from '@tributary/db';
import { EventPublisher, JobQueue, RedisLock } from '@tributary/queue';
import { BlueskyOAuthLinks } from './bluesky-oauth-links.js';
import { BlueskySessions } from './bluesky-sessions.js';
import { credentialsKey, openCredentials, sealCredentials } from './credentials.js';
import type { AccountCredentials } from './credentials.js';

/** What revoking a linked account's credentials at its network came to. */
export type RevokeOutcome = 'revoked' | 'not-ours' | 'failed';

/** How long unlinking waits for a network to revoke credentials before going on without it. */
const REVOKE_TIMEOUT_MS = 10_000;

/** How long a started OAuth link waits for its code. */
const PENDING_LINK_TTL_MS = 15 * 60_000;

/**
 * Linked accounts: linking, credentials (sealed at rest), status, and the connector bound to an
 * account's session. The only place that turns stored credentials into a live connector.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);
  private readonly key: Buffer;
  private readonly bluesky: BlueskySessions;
  private readonly blueskyOAuth: BlueskyOAuthLinks;

  constructor(
    private readonly db: PrismaService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
    lock: RedisLock,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.key = credentialsKey(config);
    this.blueskyOAuth = new BlueskyOAuthLinks({
      db,
      key: this.key,
      lock,
      options: this.blueskyOAuthOptions(),
    });
    this.bluesky = new BlueskySessions({
      db,
      key: this.key,
      lock,
      hostPolicy: this.blueskyPolicy,
      trustedHosts: this.blueskyTrustedHosts,
      oauth: this.blueskyOAuth,
      onExpired: (accountId, reason) => this.markNeedsReauth(accountId, reason),
    });
  }

  /** Mastodon instance policy: the private-address guard, with the configured exemptions. */
  get mastodonPolicy() {
    return { allowHosts: this.config.MASTODON_ALLOWED_HOSTS, allowHttp: this.config.MASTODON_ALLOW_HTTP };
  }

  /**
   * Bluesky service policy: the same guard, with its own exemptions. The operator's default service
   * is theirs to choose: always reachable, over http too when configured so (a PDS on their network).
   */
  get blueskyPolicy() {
    const fallback = new URL(this.config.BLUESKY_DEFAULT_SERVICE);
    return {
      allowHosts: [...this.config.BLUESKY_ALLOWED_HOSTS, fallback.host],
      allowHttp: this.config.BLUESKY_ALLOW_HTTP || fallback.protocol === 'http:',
    };
  }

  /**
   * The Bluesky services whose answers are the network's word (shared by every member): the
   * operator's default service and BLUESKY_TRUSTED_HOSTS. A member's own PDS is not among them.
   */
  get blueskyTrustedHosts(): string[] {
    return [new URL(this.config.BLUESKY_DEFAULT_SERVICE).host, ...this.config.BLUESKY_TRUSTED_HOSTS];
  }

  /** Logs in with an app password, stores the session sealed and starts ingesting the home timeline. */
  async linkBluesky(
    userId: string,
    input: { service?: string | null; identifier: string; appPassword: string },
  ) {
    const session = await BlueskySession.login({
      service: input.service || this.config.BLUESKY_DEFAULT_SERVICE,
      hostPolicy: this.blueskyPolicy,
      identifier: input.identifier,
      password: input.appPassword,
    });
    const data = session.data;
    if (!data) throw new ConnectorError(ConnectorErrorCode.Unavailable, 'Bluesky login returned no session');
    return this.saveLinked(userId, {
      network: Network.Bluesky,
      networkAccountId: data.did,
      handle: data.handle,
      serviceUrl: data.service,
      credentials: { network: 'BLUESKY', session: data },
    });
  }

  /**
   * The Bluesky OAuth client's settings, or why there is none: the callback must reach this
   * instance, at PUBLIC_URL or (development) at the loopback address of its port.
   */
  private blueskyOAuthOptions() {
    const { PUBLIC_URL, PORT, BLUESKY_OAUTH_KEY } = this.config;
    const publicUrl = PUBLIC_URL ?? (PORT > 0 ? `http://127.0.0.1:${PORT}` : null);
    if (!publicUrl) return 'Bluesky sign-in needs PUBLIC_URL (where members reach Tributary) when PORT is 0';
    if (!BLUESKY_OAUTH_KEY) return 'BLUESKY_OAUTH_KEY was not resolved at start-up';
    return {
      publicUrl,
      privateJwk: BLUESKY_OAUTH_KEY,
      plcUrl: this.config.BLUESKY_PLC_URL,
      ...(this.config.BLUESKY_HANDLE_RESOLVER ? { handleResolver: this.config.BLUESKY_HANDLE_RESOLVER } : {}),
      hostPolicy: this.blueskyPolicy,
    };
  }

  /**
   * Step one of "sign in with Bluesky": the authorization URL on the member's own server, found
   * from their handle, DID, or PDS/entryway URL. The started link (PKCE verifier, DPoP key) is kept
   * sealed for 15 minutes, bound to this member.
   */
  async startBlueskyLink(userId: string, identifier: string): Promise<{ authorizeUrl: string }> {
    return { authorizeUrl: await this.blueskyOAuth.start(userId, identifier) };
  }

  /**
   * Step two: `callback` is where the server sent the browser back (the URL, or its query string).
   * The code is exchanged once, and only by the member who started the link; then the account is
   * linked (again: a NEEDS_REAUTH account becomes active) and starts ingesting.
   */
  async completeBlueskyLink(userId: string, callback: string) {
    const text = callback.trim();
    const query = (text.includes('?') ? text.slice(text.indexOf('?') + 1) : text).split('#')[0] ?? '';
    const grant = await this.blueskyOAuth.complete(userId, new URLSearchParams(query));
    return this.saveLinked(userId, {
      network: Network.Bluesky,
      networkAccountId: grant.did,
      handle: grant.handle,
      serviceUrl: grant.pdsUrl,
      credentials: { network: 'BLUESKY', oauth: { did: grant.did, linkId: grant.linkId } },
    });
  }

  /**
   * What a confidential client publishes at PUBLIC_URL (client metadata, JWKS); null for a
   * loopback client, which has nothing to publish.
   */
  async blueskyOAuthPublication(): Promise<{ metadata: object; jwks: object } | null> {
    const oauth = await this.blueskyOAuth.oauth().catch(() => null);
    return oauth?.confidential ? { metadata: oauth.clientMetadata, jwks: oauth.jwks } : null;
  }

  /**
   * Revokes a linked account's credentials at its network, best effort, when it is unlinked or its
   * member deleted: a Bluesky OAuth grant at the member's server, an app-password session ended there
   * (deleteSession), a Mastodon token our app obtained (POST /oauth/revoke). A token the member
   * pasted belongs to another app and is theirs to revoke. A server that fails or does not answer
   * within REVOKE_TIMEOUT_MS is logged and left: removing the account here goes on regardless.
   */
  async revokeCredentials(
    account: Pick<LinkedAccount, 'userId' | 'networkAccountId' | 'serviceUrl' | 'credentials'>,
  ): Promise<RevokeOutcome> {
    const label = `credentials of ${account.networkAccountId}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${REVOKE_TIMEOUT_MS} ms`)),
        REVOKE_TIMEOUT_MS,
      );
    });
    try {
      const outcome = await Promise.race([this.revokeUpstream(account), timeout]);
      if (outcome === 'not-ours') this.logger.log(`${label}: a pasted token, not revocable by Tributary`);
      return outcome;
    } catch (error) {
      this.logger.warn(`${label} not revoked upstream: ${(error as Error).message}`);
      return 'failed';
    } finally {
      clearTimeout(timer);
      // Whatever the server said, the grant is forgotten here.
      await this.db.client.blueskyOAuthSession
        .deleteMany({ where: { userId: account.userId, did: account.networkAccountId } })
        .catch(() => undefined);
    }
  }

  private async revokeUpstream(
    account: Pick<LinkedAccount, 'userId' | 'networkAccountId' | 'serviceUrl' | 'credentials'>,
  ): Promise<RevokeOutcome> {
    const credentials = openCredentials(account.credentials, this.key);
    if (credentials.network === 'BLUESKY') {
      if ('oauth' in credentials) await this.blueskyOAuth.revoke(account.userId, credentials.oauth.did);
      else await BlueskySession.signOut({ session: credentials.session, hostPolicy: this.blueskyPolicy });
      return 'revoked';
    }
    const app = credentials.clientId
      ? await this.db.client.mastodonApp.findUnique({ where: { instance: account.serviceUrl } })
      : null;
    // The app that obtained the token was registered again since (new scopes): its secret is gone.
    if (!app || app.clientId !== credentials.clientId) return 'not-ours';
    await revokeToken(
      {
        instanceOrigin: account.serviceUrl,
        clientId: app.clientId,
        clientSecret: open(app.clientSecret, this.key),
        redirectUri: app.redirectUri,
        scopes: app.scopes,
      },
      credentials.accessToken,
      this.mastodonPolicy,
    );
    return 'revoked';
  }

  /**
   * Links a Mastodon account with an access token (checked against the instance): one pasted by the
   * member, or one our app `clientId` obtained through OAuth (which can revoke it later).
   */
  async linkMastodonToken(
    userId: string,
    input: { instance: string; accessToken: string; clientId?: string },
  ) {
    const origin = await assertSafeInstanceUrl(input.instance, this.mastodonPolicy);
    const who = await verifyCredentials(origin, input.accessToken, this.mastodonPolicy);
    return this.saveLinked(userId, {
      network: Network.Mastodon,
      networkAccountId: who.uri,
      handle: who.handle,
      serviceUrl: origin,
      credentials: {
        network: 'MASTODON',
        accessToken: input.accessToken.trim(),
        ...(input.clientId ? { clientId: input.clientId } : {}),
      },
    });
  }

  /**
   * Step one of Mastodon's OAuth flow: the URL to send the user to. The app registration is created
   * once per instance and reused. The attempt is kept under its `state` with the PKCE verifier
   * (sealed) and the user who started it, so only that user can complete it, once, within
   * PENDING_LINK_TTL_MS.
   */
  async startMastodonLink(
    userId: string,
    instance: string,
  ): Promise<{ authorizeUrl: string; state: string }> {
    const app = await this.mastodonApp(instance);
    const state = randomBytes(24).toString('base64url');
    const pkce = createPkce();
    // Expired attempts are dropped here rather than by a job: they are only ever read here.
    await this.db.client.mastodonPendingLink.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await this.db.client.mastodonPendingLink.create({
      data: {
        state,
        userId,
        instance: app.instanceOrigin,
        verifier: seal(pkce.verifier, this.key),
        expiresAt: new Date(Date.now() + PENDING_LINK_TTL_MS),
      },
    });
    return { authorizeUrl: authorizeUrl(app, state, { codeChallenge: pkce.challenge }), state };
  }

  /**
   * Step two: trades the code the instance gave the user (with the attempt's PKCE verifier) for a
   * token and links the account. The attempt is consumed first, so a replayed callback fails.
   */
  async completeMastodonLink(userId: string, input: { state: string; code: string }) {
    const pending = await this.db.client.mastodonPendingLink.findUnique({ where: { state: input.state } });
    const consumed = pending
      ? await this.db.client.mastodonPendingLink.deleteMany({ where: { state: input.state, userId } })
      : { count: 0 };
    if (!pending || consumed.count !== 1 || pending.expiresAt.getTime() < Date.now()) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        'unknown or expired Mastodon link attempt; start again',
      );
    }
    const app = await this.mastodonApp(pending.instance);
    const { accessToken } = await exchangeCode(app, input.code, {
      ...this.mastodonPolicy,
      codeVerifier: open(pending.verifier, this.key),
    });
    return this.linkMastodonToken(userId, {
      instance: app.instanceOrigin,
      accessToken,
      clientId: app.clientId,
    });
  }

  private async mastodonApp(instance: string): Promise<MastodonApp> {
    const origin = await assertSafeInstanceUrl(instance, this.mastodonPolicy);
    const stored = await this.db.client.mastodonApp.findUnique({ where: { instance: origin } });
    // An app registered with fewer scopes cannot be asked for more: it is registered again.
    if (stored && stored.scopes === MASTODON_SCOPES) {
      return {
        instanceOrigin: origin,
        clientId: stored.clientId,
        clientSecret: open(stored.clientSecret, this.key),
        redirectUri: stored.redirectUri,
        scopes: stored.scopes,
      };
    }
    const redirectUri = this.config.PUBLIC_URL
      ? new URL('/oauth/mastodon/callback', this.config.PUBLIC_URL).href
      : 'urn:ietf:wg:oauth:2.0:oob'; // the instance shows the code for the user to paste
    const app = await registerApp(
      origin,
      { clientName: 'Tributary', redirectUri, website: this.config.PUBLIC_URL ?? null },
      this.mastodonPolicy,
    );
    const row = {
      instance: origin,
      clientId: app.clientId,
      clientSecret: seal(app.clientSecret, this.key),
      redirectUri: app.redirectUri,
      scopes: app.scopes,
    };
    // Two concurrent first links to one instance: the first stored registration wins.
    const saved = await this.db.client.mastodonApp.upsert({
      where: { instance: origin },
      create: row,
      update: stored ? row : {},
    });
    return { ...app, clientId: saved.clientId, clientSecret: open(saved.clientSecret, this.key) };
  }

  /**
   * Creates or re-links (new credentials, status back to active) an account, makes sure it has a
   * home source, and queues the home timeline's backfill and first sync.
   */
  async saveLinked(
    userId: string,
    input: {
      network: Network;
      networkAccountId: string;
      handle: string;
      serviceUrl: string;
      credentials: AccountCredentials;
    },
  ): Promise<LinkedAccount & { sources: Source[] }> {
    const credentials = sealCredentials(input.credentials, this.key);
    const account = await this.db.client.linkedAccount.upsert({
      where: {
        userId_network_networkAccountId: {
          userId,
          network: input.network,
          networkAccountId: input.networkAccountId,
        },
      },
      create: { ...input, userId, credentials },
      update: {
        handle: input.handle,
        serviceUrl: input.serviceUrl,
        credentials,
        status: AccountStatus.Active,
        statusReason: null,
        statusChangedAt: new Date(),
      },
    });
    const home = await this.addSource(userId, account.id, SourceKind.Home, '');
    await this.jobs.enqueue('sync-notifications', { accountId: account.id });
    this.logger.log(`linked ${input.network} account ${input.handle}`);
    return { ...account, sources: [home] };
  }

  /** Adds a source to one of the user's accounts (idempotent) and queues its backfill and sync. */
  async addSource(
    userId: string,
    accountId: string,
    kind: SourceKind,
    externalId: string,
    displayName?: string,
  ) {
    const account = await this.db.client.linkedAccount.findFirst({ where: { id: accountId, userId } });
    if (!account) throw new ConnectorError(ConnectorErrorCode.NotFound, 'linked account not found');
    const source = await this.db.client.source.upsert({
      where: { linkedAccountId_kind_externalId: { linkedAccountId: accountId, kind, externalId } },
      create: {
        linkedAccountId: accountId,
        kind,
        externalId,
        displayName: displayName ?? null,
        backfillTarget: this.config.BACKFILL_DEPTH,
      },
      update: {},
    });
    await this.jobs.enqueue('sync-source', { sourceId: source.id });
    if (source.backfillState === 'IDLE' && this.config.BACKFILL_DEPTH > 0) {
      await this.jobs.enqueue('backfill-source', { sourceId: source.id });
    }
    return source;
  }

  /**
   * A connector bound to the account's stored session. A Bluesky one is shared by every job of
   * this process and refreshes its tokens only near their expiry, once for all processes, storing
   * them back sealed (BlueskySessions).
   */
  async connectorFor(account: LinkedAccount): Promise<NetworkConnector> {
    if (account.status === AccountStatus.NeedsReauth) {
      throw new ConnectorError(
        ConnectorErrorCode.Auth,
        account.statusReason ?? 'the account needs to be linked again',
      );
    }
    let credentials: AccountCredentials;
    try {
      credentials = openCredentials(account.credentials, this.key);
    } catch (error) {
      // A changed ENCRYPTION_KEY: nothing to retry, the user must link again.
      await this.markNeedsReauth(
        account.id,
        'stored credentials cannot be decrypted (was ENCRYPTION_KEY changed?)',
      );
      throw new ConnectorError(ConnectorErrorCode.Auth, 'stored credentials cannot be decrypted', null, {
        cause: error,
      });
    }
    if (credentials.network === 'BLUESKY') return this.bluesky.connector(account, credentials);
    return new MastodonConnector({
      ...this.mastodonPolicy,
      instanceOrigin: account.serviceUrl,
      accessToken: credentials.accessToken,
    });
  }

  /**
   * The streaming API for a Mastodon account (not started), bound to its stored token and the
   * instance's announced streaming host (checked by the same policy). The caller supplies the
   * handlers; the token never leaves this service.
   */
  async mastodonStream(
    account: LinkedAccount,
    handlers: Omit<
      MastodonStreamOptions,
      'streamingUrl' | 'instanceOrigin' | 'accessToken' | 'allowHosts' | 'allowHttp'
    >,
  ): Promise<MastodonStream> {
    const connector = await this.connectorFor(account);
    if (!(connector instanceof MastodonConnector)) {
      throw new ConnectorError(
        ConnectorErrorCode.BadInput,
        `account ${account.id} is not a Mastodon account`,
      );
    }
    const credentials = openCredentials(account.credentials, this.key);
    if (credentials.network !== 'MASTODON')
      throw new ConnectorError(ConnectorErrorCode.BadInput, 'not Mastodon credentials');
    return new MastodonStream({
      ...handlers,
      ...this.mastodonPolicy,
      instanceOrigin: account.serviceUrl,
      accessToken: credentials.accessToken,
      streamingUrl: (await connector.streamingUrl()) ?? account.serviceUrl,
    });
  }

  /** The network refused the credentials: jobs stop until the user links the account again. */
  async markNeedsReauth(accountId: string, reason: string): Promise<void> {
    await this.setStatus(accountId, AccountStatus.NeedsReauth, reason);
  }

  async setStatus(accountId: string, status: AccountStatus, reason: string | null): Promise<void> {
    const changed = await this.db.client.linkedAccount.updateManyAndReturn({
      where: { id: accountId, NOT: { status, statusReason: reason } },
      data: { status, statusReason: reason, statusChangedAt: new Date() },
      select: { userId: true },
    });
    if (changed.length === 0) return;
    this.logger.warn(`account ${accountId} is now ${status}${reason ? `: ${reason}` : ''}`);
    await this.events
      .publish({ type: 'account-status', userId: changed[0]!.userId, accountId })
      .catch((error: unknown) =>
        this.logger.warn(`account status event not published: ${(error as Error).message}`),
      );
  }
}
