// Which Bluesky event stream an instance consumes, from its configuration and the PDSes of its
// linked accounts (INTEROP.md §1). A PDS's own firehose carries only its own repos: right for a
// single-PDS network (the reference network, a small self-hosted one), useless on the public
// network, where the accounts members follow live on many PDSes and one Jetstream (or the relay)
// carries them all.
import type { Config } from '@tributary/config';

/** Bluesky's public Jetstream hosts, in order of preference (failover goes down the list). */
export const PUBLIC_JETSTREAMS = [
  'wss://jetstream2.us-east.bsky.network/subscribe',
  'wss://jetstream1.us-east.bsky.network/subscribe',
  'wss://jetstream1.us-west.bsky.network/subscribe',
  'wss://jetstream2.us-west.bsky.network/subscribe',
] as const;
/** Bluesky's relay. */
export const PUBLIC_RELAY = 'wss://bsky.network';

export type StreamChoice =
  { kind: 'jetstream'; urls: string[] } | { kind: 'relay'; url: string } | { kind: 'pds' };

type StreamConfig = Pick<Config, 'BLUESKY_STREAM' | 'BLUESKY_JETSTREAM_URL' | 'BLUESKY_RELAY_URL'>;

const jetstream = (config: StreamConfig): StreamChoice => ({
  kind: 'jetstream',
  urls: config.BLUESKY_JETSTREAM_URL.length > 0 ? [...config.BLUESKY_JETSTREAM_URL] : [...PUBLIC_JETSTREAMS],
});
const relay = (config: StreamConfig): StreamChoice => ({
  kind: 'relay',
  url: config.BLUESKY_RELAY_URL ?? PUBLIC_RELAY,
});

/** The choice when the configuration makes it alone; null when it depends on the linked accounts. */
export function configuredStream(config: StreamConfig): StreamChoice | null {
  switch (config.BLUESKY_STREAM) {
    case 'jetstream':
      return jetstream(config);
    case 'relay':
      return relay(config);
    case 'pds':
      return { kind: 'pds' };
    case 'auto':
      if (config.BLUESKY_JETSTREAM_URL.length > 0) return jetstream(config);
      if (config.BLUESKY_RELAY_URL !== undefined) return relay(config);
      return null;
  }
}

/**
 * The stream for these linked accounts' PDSes: Jetstream's public hosts as soon as one of them is
 * on the public network, else (no account yet, or all on private hosts) each PDS's firehose.
 */
export function chooseStream(config: StreamConfig, pdsUrls: readonly string[]): StreamChoice {
  return configuredStream(config) ?? (pdsUrls.some(onPublicNetwork) ? jetstream(config) : { kind: 'pds' });
}

const PRIVATE_SUFFIXES = [
  '.local',
  '.localhost',
  '.internal',
  '.test',
  '.example',
  '.invalid',
  '.home.arpa',
  '.lan',
];

/**
 * True for a PDS that federates with the public network: Bluesky's own (bsky.social and its
 * `*.host.bsky.network`) and any other on a public DNS name over https (what a self-hosted PDS
 * is by default: it asks the relay to crawl it). Loopback, IP literals and private names are not.
 */
export function onPublicNetwork(pdsUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(pdsUrl);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  if (host === 'bsky.social' || host.endsWith('.bsky.network')) return true;
  if (url.protocol !== 'https:' || !host.includes('.')) return false;
  if (/^[\d.]+$/.test(host) || host.startsWith('[')) return false;
  return !PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
