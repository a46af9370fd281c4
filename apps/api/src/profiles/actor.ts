// Which network a person named by a member is on, from the form of the name alone.
import { Network } from '@tributary/core';
import { AppErrorCode, AppException } from '../common/app.exception.js';

const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]+$/;
const DOMAIN = /^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const MASTODON_HANDLE = /^@?[A-Za-z0-9_.-]+@[a-zA-Z0-9.-]+(:\d+)?$/;

/**
 * A DID or a domain handle (`alice.bsky.social`) is on Bluesky; an account URI or `user@instance`
 * (with or without a leading `@`) is on Mastodon. Anything else is refused, naming `field`.
 */
export function actorNetwork(actor: string, field: string): Network {
  const given = actor.trim();
  if (DID.test(given) || DOMAIN.test(given)) return Network.Bluesky;
  if (MASTODON_HANDLE.test(given)) return Network.Mastodon;
  if (/^https?:\/\//.test(given) && URL.canParse(given)) return Network.Mastodon;
  throw new AppException(
    AppErrorCode.BadUserInput,
    `${field}: "${given.slice(0, 100)}" is neither a Bluesky DID or handle (alice.bsky.social) nor a Mastodon account URI or handle (alice@example.social)`,
    { field },
  );
}
