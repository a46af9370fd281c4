// The feed generator's identity: `did:web:<host>` of PUBLIC_URL, whose document (/.well-known/did.json)
// names this instance as the `#bsky_fg` service the AppView forwards getFeedSkeleton to.
import { HttpException } from '@nestjs/common';

export const FEED_SERVICE_ID = 'bsky_fg';

/** `did:web:<host>` for PUBLIC_URL (a port is percent-encoded, as did:web requires); null when unset. */
export function serviceDidOf(publicUrl: string | undefined): string | null {
  if (!publicUrl) return null;
  return `did:web:${new URL(publicUrl).host.replace(':', '%3A')}`;
}

/** The DID document did:web resolvers fetch from https://<host>/.well-known/did.json. */
export function didDocument(did: string, publicUrl: string) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    service: [
      { id: `#${FEED_SERVICE_ID}`, type: 'BskyFeedGenerator', serviceEndpoint: new URL(publicUrl).origin },
    ],
  };
}

/** An XRPC error: the body atproto clients and the AppView read (`{ error, message }`). */
export class XrpcException extends HttpException {
  constructor(status: number, error: string, message: string) {
    super({ error, message }, status);
  }
}
