import type { BlueskySessionData } from '@tributary/connector-bluesky';
import type { Config } from '@tributary/config';
import { open, seal } from '@tributary/db';

/**
 * What is stored (sealed) in `LinkedAccount.credentials`, per network. A Bluesky account linked
 * with OAuth names its grant: the member's BlueskyOAuthSession of that DID, made by link `linkId`,
 * holds the tokens.
 */
export type BlueskyCredentials = { network: 'BLUESKY'; session: BlueskySessionData };
export type BlueskyOAuthCredentials = { network: 'BLUESKY'; oauth: { did: string; linkId: string } };
/** `clientId`: the app of ours that obtained the token (OAuth link), which can revoke it; absent for a pasted token. */
export type MastodonCredentials = { network: 'MASTODON'; accessToken: string; clientId?: string };
export type AccountCredentials = BlueskyCredentials | BlueskyOAuthCredentials | MastodonCredentials;

/** The AES-256-GCM key; the launcher resolves it (env or DATA_DIR/secret.key) before start-up. */
export function credentialsKey(config: Pick<Config, 'ENCRYPTION_KEY'>): Buffer {
  if (!config.ENCRYPTION_KEY) throw new Error('ENCRYPTION_KEY was not resolved at start-up');
  return Buffer.from(config.ENCRYPTION_KEY, 'base64');
}

export function sealCredentials(credentials: AccountCredentials, key: Buffer): string {
  return seal(JSON.stringify(credentials), key);
}

export function openCredentials(sealed: string, key: Buffer): AccountCredentials {
  return JSON.parse(open(sealed, key)) as AccountCredentials;
}
