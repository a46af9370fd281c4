// Verifies the service JWTs a PDS mints for its user when a client asks another atproto service on
// their behalf (a feed generator's getFeedSkeleton): signed by the user's #atproto key, which their
// DID document names. verifyJwt of @atproto/xrpc-server checks the claims and, on a bad signature,
// asks once more with a freshly resolved document (the key may have been rotated).
// Three caches keep the request path off the network and the curves: verified tokens (a signature
// is checked once per token), DID documents (IdResolver's), and when each DID was last refreshed
// (a stream of forged tokens must not become a stream of directory fetches).
import { IdResolver, ensureAtprotoKey } from '@atproto/identity';
import type { DidDocument, Fetch } from '@atproto/identity';
import { verifyJwt } from '@atproto/xrpc-server';
import { LRUCache } from 'lru-cache';
import { sharedGuardedDispatcher } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import { BoundedDidCache } from './did-cache.js';
import { verifyJwtSignature } from './jwt-signature.js';

const STALE_TTL_MS = 60 * 60_000;
const MAX_TTL_MS = 24 * 60 * 60_000;
const RESOLVE_TIMEOUT_MS = 3_000;
/** A DID's document is fetched again after a bad signature at most this often. */
const REFRESH_INTERVAL_MS = 60_000;
/** Verified tokens kept (each until its `exp`): ~1 KB each. */
const MAX_VERIFIED = 20_000;
const MAX_DIDS = 20_000;

/** A service JWT that does not verify: answered 401 `AuthenticationRequired`. */
export class ServiceAuthError extends Error {
  override readonly name = 'ServiceAuthError';
  constructor(
    message: string,
    /** verifyJwt's reason (`JwtExpired`, `BadJwtAudience`, `BadJwtSignature`…) or ours. */
    readonly reason: string,
  ) {
    super(message);
  }
}

export interface ServiceAuthOptions {
  /** PLC directory resolving `did:plc:` (https://plc.directory on the real network). */
  plcUrl: string;
  /** Which servers DID resolution may reach (assertSafeInstanceUrl's policy). */
  hostPolicy?: InstanceUrlPolicy;
}

export interface ExpectedServiceJwt {
  /** Our DID; `aud` may be it or `<did>#<serviceId>` (the service entry the client addressed). */
  serviceDid: string;
  serviceId: string;
  /** The method the token must be for (`lxm`), e.g. `app.bsky.feed.getFeedSkeleton`. */
  method: string;
  /**
   * Asked with the (not yet verified) issuer before its document is resolved: false ends
   * verification with `null`, so only DIDs the caller knows are ever resolved over the network.
   * A gate, not the caller's authorization: a token verified before is answered from the cache
   * without asking again.
   */
  knownIssuer: (did: string) => Promise<boolean>;
}

/** Verifies service JWTs against their issuers' DID documents (cached per process). */
export class ServiceAuthVerifier {
  private readonly resolver: IdResolver;
  /** The issuer of each token verified, by `<method> <serviceDid> <jwt>`, until the token expires. */
  private readonly verified = new LRUCache<string, string>({ max: MAX_VERIFIED, ttl: MAX_TTL_MS });
  private readonly refreshedAt = new LRUCache<string, number>({ max: MAX_DIDS });
  /** Each cached document's #atproto key: reading it decodes and re-encodes a curve point. */
  private readonly keyOf = new WeakMap<DidDocument, string>();

  constructor(options: ServiceAuthOptions) {
    const dispatcher = sharedGuardedDispatcher(options.hostPolicy ?? {});
    const fetch = ((input: string | URL | Request, init?: RequestInit) =>
      globalThis.fetch(input, { ...init, dispatcher } as RequestInit)) as unknown as Fetch;
    this.resolver = new IdResolver({
      plcUrl: options.plcUrl,
      didCache: new BoundedDidCache({ staleTtlMs: STALE_TTL_MS, maxTtlMs: MAX_TTL_MS, max: MAX_DIDS }),
      timeout: RESOLVE_TIMEOUT_MS,
      fetch,
    });
  }

  /**
   * The issuer's DID when `authorization` (`Bearer <jwt>`) is a valid service JWT for `expected`;
   * null when its issuer is not one `knownIssuer` accepts. Throws ServiceAuthError otherwise.
   */
  async verify(authorization: string, expected: ExpectedServiceJwt): Promise<string | null> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new ServiceAuthError('expected "Bearer <service JWT>"', 'BadAuthorization');
    const jwt = match[1]!;
    const cacheKey = `${expected.method} ${expected.serviceDid} ${jwt}`;
    const cached = this.verified.get(cacheKey);
    if (cached !== undefined) return cached;

    const audience = claimedAudience(jwt);
    const accepted = [expected.serviceDid, `${expected.serviceDid}#${expected.serviceId}`];
    let unknownIssuer = false;
    try {
      const payload = await verifyJwt(
        jwt,
        // verifyJwt compares with one audience; both forms are ours.
        audience !== null && accepted.includes(audience) ? audience : expected.serviceDid,
        expected.method,
        async (iss, forceRefresh) => {
          // A user's token names the user; `did#service` issuers are services, not viewers.
          if (iss.includes('#') || !(await expected.knownIssuer(iss))) {
            unknownIssuer = true;
            throw new ServiceAuthError('unknown issuer', 'UnknownIssuer');
          }
          return this.signingKey(iss, forceRefresh);
        },
        verifyJwtSignature,
      );
      const ttl = payload.exp * 1000 - Date.now();
      if (ttl > 0) this.verified.set(cacheKey, payload.iss, { ttl: Math.min(ttl, MAX_TTL_MS) });
      return payload.iss;
    } catch (error) {
      if (unknownIssuer) return null;
      if (error instanceof ServiceAuthError) throw error;
      const reason = (error as { customErrorName?: unknown }).customErrorName;
      throw new ServiceAuthError(
        error instanceof Error ? error.message : 'invalid service JWT',
        typeof reason === 'string' ? reason : 'BadJwt',
      );
    }
  }

  /**
   * The issuer's #atproto key from its (cached) document. `refresh` (verifyJwt's retry after a bad
   * signature) fetches the document again unless that was done for this DID within the last
   * minute: a rotation is seen on the first token signed with the new key.
   */
  private async signingKey(did: string, refresh: boolean): Promise<string> {
    const now = Date.now();
    const fetch = refresh && now - (this.refreshedAt.get(did) ?? 0) >= REFRESH_INTERVAL_MS;
    if (fetch) this.refreshedAt.set(did, now);
    const doc = await this.resolver.did.ensureResolve(did, fetch);
    let key = this.keyOf.get(doc);
    if (key === undefined) {
      key = ensureAtprotoKey(doc);
      this.keyOf.set(doc, key);
    }
    return key;
  }
}

/** The `aud` claim, read without verification (to pick which accepted form to check it against). */
function claimedAudience(jwt: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      aud?: unknown;
    };
    return typeof payload.aud === 'string' ? payload.aud : null;
  } catch {
    return null;
  }
}
