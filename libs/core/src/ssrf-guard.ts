// The guard on every connection to a server a user named: a Mastodon instance, a Bluesky PDS or
// entryway. A member of a shared instance must not make it reach the machine's own or its private
// network's services (Redis, the cloud metadata address, an admin panel) by naming them as "their
// server".
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { ConnectorError, ConnectorErrorCode } from './errors.js';
// undici 7, the major Node 24's own fetch is built on: the dispatcher and handler API are the ones
// that fetch drives (`requestInit.dispatcher`).
import { Agent, buildConnector } from 'undici';

export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface InstanceUrlPolicy {
  /** Hosts (`host` or `host:port`) exempt from the address checks: tests and private deployments. */
  allowHosts?: readonly string[];
  /** Allow `http:` for allowed hosts only (never for the open internet). */
  allowHttp?: boolean;
  /** DNS resolution, replaceable in tests; defaults to the system resolver (all addresses). */
  lookup?: LookupFn;
}

// Every range that is not the public internet: RFC 1918, loopback, link-local (incl. the cloud
// metadata address 169.254.169.254), CGNAT, benchmarking, documentation, multicast, reserved;
// IPv6 loopback, ULA (incl. AWS's fd00:ec2::254), link-local, NAT64, 6to4 and Teredo (they embed
// IPv4 addresses), documentation, multicast.
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['::ffff:0:0:0', 96], // IPv4-translated
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, `::ffff:7f00:1`, …). */
function mappedIpv4(ip: string): string | null {
  let canonical: string;
  try {
    // The URL parser prints IPv6 in one canonical compressed form, whatever notation came in.
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return null;
  const hi = parseInt(m[1] as string, 16);
  const lo = parseInt(m[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for any address that is not a public unicast address. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = mappedIpv4(bare);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an IP at all: refuse rather than guess
}

function refuse(message: string): never {
  throw new ConnectorError(ConnectorErrorCode.BadInput, message);
}

function isAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  return allowHosts.some((h) => {
    const a = h.toLowerCase();
    return (
      a === url.host.toLowerCase() || a === host || a === `[${host}]` || a === host.replace(/^\[|\]$/g, '')
    );
  });
}

/**
 * Parses and checks a Mastodon instance URL and returns its origin (`https://host[:port]`).
 * Refuses (ConnectorError BAD_INPUT) anything but https, URLs with credentials, and hosts that are
 * or resolve to a private, loopback, link-local, CGNAT or metadata address — unless the host is on
 * the allow-list. IP literals in any notation (decimal, octal, hex, IPv4-mapped IPv6) are
 * normalized by the WHATWG URL parser before the check.
 */
export async function assertSafeInstanceUrl(input: string, policy: InstanceUrlPolicy = {}): Promise<string> {
  const raw = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return refuse(`not a URL: ${raw.slice(0, 100)}`);
  }
  if (url.username || url.password) refuse('instance URL must not carry credentials');
  const allowed = isAllowed(url, policy.allowHosts ?? []);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed && policy.allowHttp)) {
    refuse(`instance URL must use https: ${url.protocol}`);
  }
  if (allowed) return url.origin;

  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (
    host === '' ||
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.internal') ||
    host.endsWith('.local')
  ) {
    refuse(`instance host is not public: ${host}`);
  }
  if (isIP(host.replace(/^\[|\]$/g, ''))) {
    if (isPrivateAddress(host)) refuse(`instance address is not public: ${host}`);
    return url.origin;
  }
  await resolvePublic(host, policy);
  return url.origin;
}

/** Resolves a name and refuses it unless every address is public. */
async function resolvePublic(
  host: string,
  policy: InstanceUrlPolicy,
): Promise<{ address: string; family: number }[]> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (policy.lookup ?? ((h) => dnsLookup(h, { all: true, verbatim: true })))(host);
  } catch (err) {
    throw new ConnectorError(ConnectorErrorCode.BadInput, `instance host does not resolve: ${host}`, null, {
      cause: err,
    });
  }
  if (addresses.length === 0) refuse(`instance host does not resolve: ${host}`);
  // Every address must be public: a name with one private address could be pinned to it.
  for (const { address } of addresses) {
    if (isPrivateAddress(address))
      refuse(`instance host ${host} resolves to a non-public address: ${address}`);
  }
  return addresses;
}

/**
 * The socket's own DNS lookup, checked again: the address connected to is the address that was
 * checked, so a name that re-resolves to an internal address between check and connect (DNS
 * rebinding) is refused too.
 */
function checkedLookup(policy: InstanceUrlPolicy, allowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const resolve = allowed
      ? (policy.lookup ?? ((h: string) => dnsLookup(h, { all: true, verbatim: true })))(hostname)
      : resolvePublic(hostname, policy);
    resolve.then(
      (addresses) => {
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        const list = wanted.length ? wanted : addresses;
        if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, list);
        else callback(null, (list[0] as LookupAddress).address, (list[0] as LookupAddress).family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** The checked DNS lookup for connections to `url` (also for the streaming WebSocket). */
export function checkedLookupFor(url: URL, policy: InstanceUrlPolicy): LookupFunction {
  return checkedLookup(policy, isAllowed(url, policy.allowHosts ?? []));
}

/**
 * The transport under masto: an undici dispatcher for Node's `fetch` whose every new connection,
 * the first one and each redirect hop to another origin alike, is checked with
 * `assertSafeInstanceUrl` and then connects through the checked lookup, so the socket reaches only
 * an address that passed the check. A refusal fails the request with the ConnectorError as cause.
 */
export function guardedDispatcher(policy: InstanceUrlPolicy): Agent {
  const connectors = new Map<boolean, buildConnector.connector>();
  const connectorFor = (allowed: boolean): buildConnector.connector => {
    let connector = connectors.get(allowed);
    if (!connector) {
      connector = buildConnector({ lookup: checkedLookup(policy, allowed) });
      connectors.set(allowed, connector);
    }
    return connector;
  };
  return new Agent({
    connect: (options, callback) => {
      // undici hands over an IPv6 literal without its brackets; a URL needs them.
      const host = isIP(options.hostname) === 6 ? `[${options.hostname}]` : options.hostname;
      const origin = `${options.protocol}//${host}${options.port ? `:${options.port}` : ''}`;
      assertSafeInstanceUrl(origin, policy).then(
        () => connectorFor(isAllowed(new URL(origin), policy.allowHosts ?? []))(options, callback),
        (err: Error) => callback(err, null),
      );
    },
  });
}

const sharedDispatchers = new Map<string, Agent>();

/**
 * One guarded dispatcher per policy, so that connectors created per job still reuse the server's
 * keep-alive connections. A policy with its own resolver (tests) gets its own.
 */
export function sharedGuardedDispatcher(policy: InstanceUrlPolicy): Agent {
  const own = { allowHosts: policy.allowHosts, allowHttp: policy.allowHttp, lookup: policy.lookup };
  if (own.lookup) return guardedDispatcher(own);
  const key = JSON.stringify([own.allowHttp === true, own.allowHosts ?? []]);
  let agent = sharedDispatchers.get(key);
  if (!agent) {
    agent = guardedDispatcher(own);
    sharedDispatchers.set(key, agent);
  }
  return agent;
}
