import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL (${protocols.join(' or ')})` },
  );

/**
 * Every setting Tributary reads, with its default. This is the one place that knows the
 * environment's variable names; the README's configuration table mirrors it.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000), // 0: any free port (tests)
  /**
   * Several API processes (ROLE=api) may listen on the same PORT and the kernel spreads connections
   * among them (SO_REUSEPORT, Linux): the API scales across cores without a proxy in front. Off by
   * default, so a second instance started by mistake fails with "address in use" instead.
   */
  HTTP_REUSE_PORT: bool.default(false),
  /** PostgreSQL connection string; without it an embedded PGlite database lives in DATA_DIR. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Start a private redis-server under DATA_DIR when none answers at REDIS_URL (single-machine default). */
  REDIS_EMBEDDED: bool.default(true),
  /**
   * 32 bytes, base64, for AES-256-GCM encryption of network credentials. Without it a key is
   * generated once into DATA_DIR/secret.key (fine for one machine; set it explicitly when scaling out).
   */
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, { message: 'expected 32 bytes, base64-encoded' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** Which roles this process runs: the API, the queue worker, or both (the default, single process). */
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /** Prefix of every BullMQ key in Redis, so several instances (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('tributary'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long a job's lock lasts before another worker may take it over (BullMQ default 30 s). */
  QUEUE_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often workers look for jobs whose worker died (BullMQ default 30 s). */
  QUEUE_STALLED_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** A pipeline rebuild covers the posts seen in this many days… */
  REBUILD_HISTORY_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** …but at most this many of the newest. */
  REBUILD_HISTORY_POSTS: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /**
   * A rebuild job works this long (at least one batch of 500 posts), then goes back to the queue
   * behind other members' jobs: one member's long rebuilds hold a worker slot a slice at a time.
   */
  REBUILD_SLICE_MS: z.coerce.number().int().min(100).max(3_600_000).default(2000),
  /** How often each worker process checks that the repeating jobs' schedulers are still in Redis. */
  SCHEDULE_CHECK_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  GRAPHQL_INTROSPECTION: bool.default(true),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(5000),
  /** Most fields one operation may select, counting each fragment as often as it is spread. */
  GRAPHQL_MAX_FIELDS: z.coerce.number().int().min(10).default(1000),
  /** Most root fields (aliases included) one operation may select: each is at least one database read. */
  GRAPHQL_MAX_ROOT_FIELDS: z.coerce.number().int().min(1).default(20),
  /** Largest HTTP request body (and graphql-ws message) accepted, in MiB: createPost carries images. */
  HTTP_BODY_MAX_MB: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client's address (the
   * key of the per-address limits). `false` (default): none, the connection's address is the client's;
   * `true`: every proxy; a number: that many hops; or addresses, subnets and names (`loopback`,
   * `uniquelocal`), comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string[] => {
      if (v === 'true' || v === 'false') return v === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    })
    .default(false),
  /** Sign-up and login attempts one client address may make per hour (each costs a password hash). */
  AUTH_ATTEMPTS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(100),
  /** Failed logins per hour for one username (a successful login clears them). */
  LOGIN_ATTEMPTS_PER_USERNAME_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** graphql-ws connections one user may hold open per API process. */
  LIVE_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(20),
  /** Operations (subscriptions) one graphql-ws connection may have active at once. */
  LIVE_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(50),
  /** Subscriptions one user may have active at once over all their connections, per API process. */
  LIVE_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(200),
  /** Lifetime of a login token, in days. */
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  INVITE_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  BLUESKY_DEFAULT_SERVICE: url(['https:', 'http:']).default('https://bsky.social'),
  /**
   * Hosts exempt from the private-address guard on Bluesky services: the one a member names when
   * linking, and the PDS their DID document names (tests, private deployments).
   */
  BLUESKY_ALLOWED_HOSTS: csv.default([]),
  /** Allow plain http:// for hosts on BLUESKY_ALLOWED_HOSTS (tests and private networks only). */
  BLUESKY_ALLOW_HTTP: bool.default(false),
  /**
   * Services whose answers are the network's word, shared by every member (`host`, `host:port`,
   * `*.suffix`): Bluesky's own PDSes pass on the AppView's views unchanged. Posts any other PDS
   * serves are that PDS's word, kept apart. The host of BLUESKY_DEFAULT_SERVICE always counts.
   */
  BLUESKY_TRUSTED_HOSTS: csv.default(['bsky.social', '*.host.bsky.network']),
  /**
   * The Bluesky event stream the instance consumes (README "Bluesky on the real network"):
   * `jetstream` (one stream, fan-out on write; BLUESKY_JETSTREAM_URL, else Bluesky's public hosts),
   * `relay` (the relay firehose, every commit verified; BLUESKY_RELAY_URL), `pds` (each linked
   * account's PDS firehose: single-PDS networks), or `auto`: Jetstream or relay when their URL is
   * set, else Jetstream's public hosts once an account on the public network is linked, else `pds`.
   */
  BLUESKY_STREAM: z.enum(['auto', 'jetstream', 'relay', 'pds']).default('auto'),
  /** The relay whose firehose BLUESKY_STREAM=relay consumes (default `wss://bsky.network`). */
  BLUESKY_RELAY_URL: url(['wss:', 'ws:', 'https:', 'http:']).optional(),
  /**
   * Jetstream endpoint(s) to follow instead of each PDS's firehose: one stream for the whole
   * instance, whose posts are fanned out to the members' sources (hydrated once from
   * BLUESKY_APPVIEW_URL). Several, comma-separated, in order of preference: after repeated
   * failures the next one takes over, from the same cursor.
   */
  BLUESKY_JETSTREAM_URL: csv
    .refine((urls) => urls.every((u) => URL.canParse(u) && ['ws:', 'wss:'].includes(new URL(u).protocol)), {
      message: 'expected ws:// or wss:// URLs, comma-separated',
    })
    .default([]),
  /** Repos per Jetstream connection (Jetstream allows 10,000): more open more connections. */
  BLUESKY_JETSTREAM_MAX_DIDS: z.coerce.number().int().min(1).max(10_000).default(10_000),
  /** Ask the Jetstream for zstd-compressed messages (about half the bytes). */
  BLUESKY_JETSTREAM_COMPRESS: bool.default(true),
  /**
   * The AppView that posts announced by the Jetstream are hydrated from (`getPosts`, no session):
   * its answers are the network's word, shared by every member, so only name one you trust.
   */
  BLUESKY_APPVIEW_URL: url(['https:', 'http:']).default('https://public.api.bsky.app'),
  /**
   * How often each Bluesky account's labeler subscriptions are read again from its preferences
   * (private, so asked of its PDS: one request per account and period), in seconds.
   */
  BLUESKY_LABELERS_REFRESH_SECONDS: z.coerce.number().int().min(1).default(300),
  /** How many posts of history each new source backfills. */
  BACKFILL_DEPTH: z.coerce.number().int().min(0).max(10000).default(500),
  /** Poll interval for sources when no stream event arrived, in seconds. */
  POLL_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(120),
  /**
   * How often each linked account's notifications are fetched besides stream events (Bluesky has
   * none for them; Mastodon's user stream announces them).
   */
  NOTIFICATIONS_POLL_SECONDS: z.coerce.number().int().min(5).default(60),
  /** Hosts exempt from the private-address guard on Mastodon instance URLs (tests, private deployments). */
  MASTODON_ALLOWED_HOSTS: csv.default([]),
  /** Allow plain http:// for hosts on MASTODON_ALLOWED_HOSTS (tests and private networks only). */
  MASTODON_ALLOW_HTTP: bool.default(false),
  /** Hosts exempt from the private-address guard when fetching filter lists (tests, private networks). */
  FILTER_LIST_ALLOWED_HOSTS: csv.default([]),
  /** Allow plain http:// for hosts on FILTER_LIST_ALLOWED_HOSTS. */
  FILTER_LIST_ALLOW_HTTP: bool.default(false),
  /** Largest filter list fetched, in KiB (the body is cut off and refused past it). */
  FILTER_LIST_MAX_KB: z.coerce.number().int().min(1).max(1_048_576).default(16_384),
  /** Most rules one filter list may have. */
  FILTER_LIST_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(250_000),
  /** How long a filter list's fetch may take, in seconds. */
  FILTER_LIST_FETCH_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** A list is fetched again after its `! Expires:`, this one when it declares none… */
  FILTER_LIST_REFRESH_DEFAULT_MINUTES: z.coerce.number().int().min(1).default(1440),
  /** …but never sooner than this (nor after a failed fetch)… */
  FILTER_LIST_REFRESH_MIN_MINUTES: z.coerce.number().int().min(1).default(60),
  /** …and never later than this. */
  FILTER_LIST_REFRESH_MAX_MINUTES: z.coerce.number().int().min(1).default(10_080),
  /**
   * Public base URL of this instance, for OAuth redirects; its host also names the feed generator
   * (`did:web:<host>`, served at /.well-known/did.json) that answers members' published feeds.
   */
  PUBLIC_URL: url(['https:', 'http:']).optional(),
  /**
   * The ES256 private key (JWK JSON or PKCS#8 PEM) signing Tributary's Bluesky OAuth client
   * assertions (a confidential client, on an https PUBLIC_URL). Without it one is generated once
   * into DATA_DIR/bluesky-oauth-key.json (fine for one machine; set it explicitly when scaling out).
   */
  BLUESKY_OAUTH_KEY: z.string().min(1).optional(),
  /**
   * A service answering com.atproto.identity.resolveHandle, for signing in with a handle; default:
   * the handle's own DNS record and https well-known.
   */
  BLUESKY_HANDLE_RESOLVER: url(['https:', 'http:']).optional(),
  /** PLC directory resolving `did:plc:` DIDs (the keys that sign feed requests' service JWTs). */
  BLUESKY_PLC_URL: url(['https:', 'http:']).default('https://plc.directory'),
  /**
   * A post (at:// URI) explaining how to link a Bluesky account to Tributary: the one item a
   * published feed shows a viewer it cannot serve (not a member, not the feed's owner). Unset: an empty feed.
   */
  FEED_PLACEHOLDER_POST: z
    .string()
    .regex(/^at:\/\/[^/]+\/app\.bsky\.feed\.post\/[^/]+$/, 'expected at://<did>/app.bsky.feed.post/<rkey>')
    .optional(),
  /** Time a sandboxed plugin may take per call (up to 100 posts), in ms (PluginSandbox's default too). */
  PLUGIN_CPU_MS: z.coerce.number().int().min(1).max(10000).default(200),
  /** Heap limit of each sandboxed plugin's isolate, in MiB (PluginSandbox's default too). */
  PLUGIN_MEMORY_MB: z.coerce.number().int().min(8).max(1024).default(64),
  /**
   * Sandbox processes a process (API, worker) keeps running at most: each member's uploaded
   * plugins run in a process of their own, so one member's plugins never queue another's; past
   * this many, the least recently used idle one stops (SandboxPool).
   */
  PLUGIN_SANDBOX_PROCESSES: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Plugin time one pipeline may spend on one batch (the sum of its plugin calls), in ms; its
   * remaining plugin stages then fail with `plugin time budget of the batch spent`. Unset: five
   * calls' time limit (5 × PLUGIN_CPU_MS), filled in by loadConfig.
   */
  PLUGIN_BATCH_BUDGET_MS: z.coerce.number().int().min(1).max(600_000).optional(),
  /** How long a fetched thread is served from the cache before `thread` asks the network again. */
  THREAD_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /**
   * Plugin packages the admin installed and trusts (run in-process, no limits), comma-separated
   * package names; each start registers their plugins as TRUSTED and removes the ones no longer listed.
   */
  TRUSTED_PLUGINS: csv.default([]),
  /** How many pipelines one user may own. */
  PIPELINES_PER_USER: z.coerce.number().int().min(1).max(1000).default(20),
  /** Largest pipeline spec accepted, in KiB of JSON. */
  PIPELINE_SPEC_MAX_KB: z.coerce.number().int().min(1).max(1024).default(64),
  /**
   * Saved versions kept per pipeline, the newest (a spec edit and a subscribed filter list's new
   * version each save one); older ones are deleted. Bounds what one member stores and what
   * `pipelines { versions { spec } }` reads.
   */
  PIPELINE_VERSIONS_KEPT: z.coerce.number().int().min(1).max(10_000).default(50),
  /** How many plugins one user may upload (each name@version counts once). */
  PLUGINS_PER_USER: z.coerce.number().int().min(0).max(1000).default(20),
  /**
   * How many plugin uploads one user may have checked per hour, per API process: each check runs the
   * code in that process's sandbox, which takes one call at a time.
   */
  PLUGIN_UPLOADS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * Port of this process's Prometheus metrics (`GET /metrics`), apart from the API's: unset, none are
   * served; 0, any free port (tests). Every process serves its own (API and workers).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address the metrics port listens on: loopback by default, only the machine's scraper reaches it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>` (for a metrics port others can reach). */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
});

/** The validated configuration, with the defaults loadConfig derives from other variables. */
export type Config = z.infer<typeof configSchema> & { PLUGIN_BATCH_BUDGET_MS: number };

/** A pipeline's plugin budget per batch when PLUGIN_BATCH_BUDGET_MS is unset, in plugin calls. */
export const DEFAULT_BATCH_BUDGET_CALLS = 5;
