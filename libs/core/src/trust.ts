// Trust between members (README "Security"): any member may link a server they run themselves, so a
// post is stored as the word of the server that delivered it, never as the word of its author's server.

/**
 * Whose word a stored post or author is; posts and authors are stored once per trust domain, so
 * what one server says never changes another's copy, and nobody reads another domain's copy:
 * - `NETWORK_TRUST_DOMAIN` (''): the network's own authority, shared by every member: Bluesky's
 *   AppView reached through a service the operator trusts (its default service, Bluesky's own PDSes);
 * - otherwise the origin (`https://host[:port]`) of the server that delivered it: a Mastodon
 *   instance (its own statuses are only ever delivered by it, so they are shared by its members
 *   alike) or a PDS a member named.
 */
export type TrustDomain = string;

export const NETWORK_TRUST_DOMAIN: TrustDomain = '';

/**
 * True when `origin`'s host is one of `hosts`: `host` (on its scheme's default port), `host:port`,
 * or `*.suffix` for any subdomain of `suffix` on the default port (`*.host.bsky.network`).
 */
export function hostIsListed(origin: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = url.host.toLowerCase().replace(/\.(?=:|$)/, '');
  const hostname = url.hostname.replace(/\.$/, '').toLowerCase();
  return hosts.some((entry) => {
    const h = entry.trim().toLowerCase();
    if (h.startsWith('*.')) return url.port === '' && hostname.endsWith(h.slice(1));
    return h === host;
  });
}
