// The Bluesky reference network (@atproto/dev-env: PLC + PDS + AppView) for integration tests.
// Jest global setup starts it once per run in a child process and publishes its URLs through
// process.env, which Jest workers inherit; tests reach it with `blueskyNetwork()`.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtpAgent } from '@atproto/api';
import { EXAMPLE_LABELER, NETWORK_ENV } from './bluesky/protocol.js';
import { freePort } from './free-port.js';
import type { ChildConfig, NetworkInfo, ReadyState } from './bluesky/protocol.js';

export type { NetworkInfo as BlueskyNetworkInfo } from './bluesky/protocol.js';

const READY_TIMEOUT_MS = 120_000;

interface Running {
  child: ChildProcess;
  tmp: string;
}

// Global setup and teardown run in the same process but may load this module twice.
const state = globalThis as typeof globalThis & { __tributaryBluesky?: Running };

async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function letters(n: number): string {
  return [...randomBytes(n)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

/**
 * Starts the reference network in the background (once per run; `TRIBUTARY_BSKY_NETWORK=off` skips
 * it) and publishes its URLs. It does not wait: runs without Bluesky tests pay nothing, and the
 * first `await blueskyNetwork()` waits until PLC, PDS and AppView answer (3–20 s).
 */
export async function startBlueskyNetwork(): Promise<void> {
  if (state.__tributaryBluesky || process.env[NETWORK_ENV] === 'off') return;
  const [plc, pds, appview, ozone, control] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  // dev-env keeps PDS data and caches under the temp dir: one per run.
  const tmp = mkdtempSync(join(tmpdir(), 'tributary-bsky-'));
  const config: ChildConfig = {
    dbPostgresUrl: process.env.TRIBUTARY_BSKY_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    ports: { plc, pds, appview, ozone, control },
    readyFile: join(tmp, 'ready.json'),
  };
  const script = fileURLToPath(new URL('./bluesky/network-child.ts', import.meta.url));
  const child = fork(script, [], {
    execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings'],
    env: {
      ...process.env,
      TMPDIR: tmp,
      DB_POSTGRES_URL: config.dbPostgresUrl,
      REDIS_HOST: process.env.REDIS_HOST ?? '127.0.0.1:6379',
      LOG_ENABLED: 'false',
      TRIBUTARY_BSKY_CHILD_CONFIG: JSON.stringify(config),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  state.__tributaryBluesky = { child, tmp };
  // The IPC channel only lets the child notice the parent's death; it must not keep Jest alive.
  child.unref();
  child.channel?.unref();
  child.once('exit', (code) => {
    try {
      if (!existsSync(config.readyFile))
        writeFileSync(config.readyFile, JSON.stringify({ ok: false, message: `exited with code ${code}` }));
    } catch {
      // the temp dir is gone already: teardown
    }
  });
  const info: NetworkInfo = {
    pdsUrl: `http://localhost:${pds}`,
    appviewUrl: `http://localhost:${appview}`,
    plcUrl: `http://localhost:${plc}`,
    controlUrl: `http://127.0.0.1:${control}`,
    labelerDid: EXAMPLE_LABELER,
    readyFile: config.readyFile,
  };
  process.env[NETWORK_ENV] = JSON.stringify(info);
  process.env.TRIBUTARY_BSKY_PDS_URL = info.pdsUrl;
  process.env.TRIBUTARY_BSKY_APPVIEW_URL = info.appviewUrl;
  process.env.TRIBUTARY_BSKY_PLC_URL = info.plcUrl;
}

/** Stops the child (it closes the network and drops its Postgres schemas) and removes its temp dir. */
export async function stopBlueskyNetwork(): Promise<void> {
  const running = state.__tributaryBluesky;
  if (!running) return;
  state.__tributaryBluesky = undefined;
  const { child, tmp } = running;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(tmp, { recursive: true, force: true });
  delete process.env.TRIBUTARY_BSKY_PDS_URL;
  delete process.env.TRIBUTARY_BSKY_APPVIEW_URL;
  delete process.env.TRIBUTARY_BSKY_PLC_URL;
  delete process.env[NETWORK_ENV];
}

/** An account on the reference PDS, logged in with its main password. */
export interface TestBlueskyAccount {
  did: string;
  handle: string;
  password: string;
  /** An app password created for it: what a user gives Tributary. */
  appPassword: string;
  appPasswordName: string;
  agent: AtpAgent;
}

/** Typed access to the running reference network, for test files. */
export interface BlueskyNetworkClient {
  readonly info: NetworkInfo;
  /**
   * What a session must be allowed to reach this network, whose PDS is on loopback over http
   * (Tributary's guard refuses both otherwise): `hostPolicy` of a BlueskySession.
   */
  readonly hostPolicy: { allowHosts: string[]; allowHttp: true };
  /** Waits until the AppView has indexed everything the PDS sequenced. */
  processAll(): Promise<void>;
  /** Creates an account (`<name>-<random>.test`) with an app password, on `pdsUrl` (default: the PDS). */
  createAccount(name: string, pdsUrl?: string): Promise<TestBlueskyAccount>;
  /**
   * Starts (once) a second PDS on the network's PLC, indexed by its AppView like the first: its URL.
   * Its accounts live apart from the first PDS's, as people on other PDSes do on the real network.
   */
  secondPds(): Promise<string>;
  /** Applies a labeler label (default labeler: `info.labelerDid`) to a record. */
  label(subject: { uri: string; cid: string }, val: string, src?: string): Promise<void>;
  /** The network's labeler service (Ozone): its DID and endpoint. */
  ozone(): Promise<{ did: string; url: string }>;
  /** Ozone's moderator applies (or with `negate`, withdraws) a label on a record, through Ozone's API. */
  ozoneLabel(subject: { uri: string; cid: string }, val: string, negate?: boolean): Promise<void>;
  /**
   * Publishes a custom feed `<owner>/app.bsky.feed.generator/<rkey>` whose generator serves
   * `posts` (URIs, in that order). Returns the feed URI.
   */
  createFeed(owner: TestBlueskyAccount, rkey: string, posts: string[]): Promise<string>;
}

async function control(info: NetworkInfo, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${info.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`reference network ${path}: ${JSON.stringify(json)}`);
  return json;
}

async function waitUntilReady(info: NetworkInfo): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (existsSync(info.readyFile)) {
      const ready = JSON.parse(readFileSync(info.readyFile, 'utf8')) as ReadyState;
      if (ready.ok) return;
      throw new Error(`The Bluesky reference network failed to start: ${ready.message}`);
    }
    if (Date.now() > deadline) throw new Error('The Bluesky reference network did not start in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The policy that lets a session reach the reference network's PDS at `pdsUrl`. */
export function blueskyTestHostPolicy(pdsUrl: string): { allowHosts: string[]; allowHttp: true } {
  return { allowHosts: [new URL(pdsUrl).host], allowHttp: true };
}

/**
 * The reference network started by the integration project's global setup, once it answers.
 * Rejects when it is not running or failed to start.
 */
export async function blueskyNetwork(): Promise<BlueskyNetworkClient> {
  const raw = process.env[NETWORK_ENV];
  if (!raw || raw === 'off') {
    throw new Error(
      'The Bluesky reference network is not running (integration project global setup starts it)',
    );
  }
  const info = JSON.parse(raw) as NetworkInfo;
  await waitUntilReady(info);
  return {
    info,
    hostPolicy: blueskyTestHostPolicy(info.pdsUrl),
    processAll: async () => void (await control(info, '/process-all', {})),
    label: async (subject, val, src) => void (await control(info, '/labels', { ...subject, val, src })),
    ozone: async () => (await control(info, '/ozone', {})) as { did: string; url: string },
    ozoneLabel: async (subject, val, negate = false) =>
      void (await control(info, '/ozone-label', { ...subject, val, negate })),
    createFeed: async (owner, rkey, posts) => {
      const feedUri = `at://${owner.did}/app.bsky.feed.generator/${rkey}`;
      const { did } = (await control(info, '/feed-generators', { feedUri, posts })) as { did: string };
      await owner.agent.com.atproto.repo.putRecord({
        repo: owner.did,
        collection: 'app.bsky.feed.generator',
        rkey,
        record: {
          $type: 'app.bsky.feed.generator',
          did,
          displayName: rkey,
          createdAt: new Date().toISOString(),
        },
      });
      return feedUri;
    },
    secondPds: async () => ((await control(info, '/second-pds', {})) as { url: string }).url,
    createAccount: async (name, pdsUrl = info.pdsUrl) => {
      const handle = `${name}-${letters(6)}.test`;
      const password = `pw-${letters(12)}`;
      const agent = new AtpAgent({ service: pdsUrl });
      await agent.createAccount({ handle, password, email: `${handle}@example.com` });
      const appPasswordName = `tributary-${letters(4)}`;
      const created = await agent.com.atproto.server.createAppPassword({ name: appPasswordName });
      const did = agent.session?.did;
      if (!did) throw new Error('account created without a session');
      return { did, handle, password, appPassword: created.data.password, appPasswordName, agent };
    },
  };
}
