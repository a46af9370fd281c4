// Who an author is, in every form a filter list may name them, across networks where the link is
// known: a Bridgy Fed account and the account it bridges (dedupe.ts reads the same handles), and
// identities a member declares (the stage's `identities`, as for dedupe-crossposts).
import type { Author } from '@tributary/core';

const BRIDGY_AP_SUFFIX = '.ap.brid.gy';
const BRIDGY_BSKY_SUFFIX = '@bsky.brid.gy';
/** Bridgy Fed's ActivityPub actor for a Bluesky account: `https://bsky.brid.gy/ap/did:plc:…`. */
const BRIDGY_ACTOR = /^https:\/\/bsky\.brid\.gy\/ap\/(did:[a-z]+:[a-z0-9._:%-]+)$/;

/** An author's names and domains, lowercased, bridged forms included. */
export interface AuthorKeys {
  /** DID or actor URI, handle, and the bridged account's forms. */
  accounts: string[];
  /** Hosts whose domain rules cover the author (each is checked with its parent domains). */
  hosts: string[];
}

function hostOfUrl(url: string): string | null {
  const m = /^https?:\/\/([^/:?#]+)/.exec(url);
  return m ? m[1]! : null;
}

export function authorKeys(author: Author): AuthorKeys {
  const id = author.networkId.toLowerCase();
  const handle = author.handle.toLowerCase();
  const accounts = id === handle ? [id] : [id, handle];
  const hosts: string[] = [];
  if (author.network === 'MASTODON') {
    const at = handle.lastIndexOf('@');
    if (at >= 0) hosts.push(handle.slice(at + 1));
    const server = hostOfUrl(id);
    if (server !== null && server !== hosts[0]) hosts.push(server);
    // A Bluesky account bridged into the fediverse: @alice.bsky.social@bsky.brid.gy.
    if (handle.endsWith(BRIDGY_BSKY_SUFFIX)) {
      const origin = handle.slice(0, -BRIDGY_BSKY_SUFFIX.length);
      accounts.push(origin);
      hosts.push(origin);
    }
    const actor = BRIDGY_ACTOR.exec(id);
    if (actor) accounts.push(actor[1]!);
  } else {
    hosts.push(handle);
    // A fediverse account bridged into Bluesky: alice.mastodon.social.ap.brid.gy.
    if (handle.endsWith(BRIDGY_AP_SUFFIX)) {
      const rest = handle.slice(0, -BRIDGY_AP_SUFFIX.length);
      const dot = rest.indexOf('.');
      if (dot > 0) {
        accounts.push(`${rest.slice(0, dot)}@${rest.slice(dot + 1)}`);
        hosts.push(rest.slice(dot + 1));
      }
    }
  }
  return { accounts, hosts };
}

/** Whether an author's handle is a Bridgy Fed bridge's (their origin account is then known too). */
export function isBridged(author: Author): boolean {
  return author.handle.endsWith('brid.gy');
}

/**
 * Accounts a member declared to be one person (each group: DIDs, addresses, handles, actor URIs):
 * a key of a group stands for every other key of it.
 */
export class DeclaredIdentities {
  private readonly groups = new Map<string, string[]>();

  constructor(groups: readonly (readonly string[])[]) {
    for (const group of groups) {
      const keys = group.map((k) => k.trim().replace(/^@/, '').toLowerCase());
      for (const key of keys) this.groups.set(key, keys);
    }
  }

  get empty(): boolean {
    return this.groups.size === 0;
  }

  /** `keys` with the declared identities of each added. */
  expand(keys: AuthorKeys): AuthorKeys {
    if (this.groups.size === 0) return keys;
    const accounts = new Set(keys.accounts);
    for (const key of keys.accounts) for (const other of this.groups.get(key) ?? []) accounts.add(other);
    if (accounts.size === keys.accounts.length) return keys;
    const hosts = new Set(keys.hosts);
    for (const a of accounts) {
      const at = a.lastIndexOf('@');
      if (at >= 0) hosts.add(a.slice(at + 1));
      else if (!a.includes(':')) hosts.add(a);
    }
    return { accounts: [...accounts], hosts: [...hosts] };
  }
}
