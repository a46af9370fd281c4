// Verifies the service JWTs a PDS mints for its user when a client asks another atproto service on
// their behalf (a feed generator's getFeedSkeleton): signed by the user's #atproto key, which their
// DID document names. Resolved documents are cached; a bad signature is retried once with a fresh
// document, in case the key was rotated (verifyJwt of @atproto/xrpc-server does both).
import { IdResolver, MemoryCache } from '@atproto/identity';
import type { Fetch } from '@atproto/identity';
import { verifyJwt } from '@atproto/xrpc-server';
import { sharedGuardedDispatcher } from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';

const STALE_TTL_MS = 60 * 60_000;
const MAX_TTL_MS = 24 * 60 * 60_000;
const RESOLVE_TIMEOUT_MS = 3_000;

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
   * Asked with the (not yet verified) issuer before anything is resolved: false ends verification
   * with `null`, so only DIDs the caller knows are ever resolved over the network.
   */
  knownIssuer: (did: string) => Promise<boolean>;
}

/** Verifies service JWTs against their issuers' DID documents (cached per process). */
export class ServiceAuthVerifier {
  private readonly resolver: IdResolver;

  constructor(options: ServiceAuthOptions) {
    const dispatcher = sharedGuardedDispatcher(options.hostPolicy ?? {});
    const fetch = ((input: string | URL | Request, init?: RequestInit) =>
      globalThis.fetch(input, { ...init, dispatcher } as RequestInit)) as unknown as Fetch;
    this.resolver = new IdResolver({
      plcUrl: options.plcUrl,
      didCache: new MemoryCache(STALE_TTL_MS, MAX_TTL_MS),
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
          return this.resolver.did.resolveAtprotoKey(iss, forceRefresh);
        },
      );
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
