// Runs @atproto/dev-env's TestNetwork (PLC + PDS + AppView + bsync + ozone) in its own process so
// Jest workers stay light and a crash here cannot take the test run down. Started by
// `startBlueskyNetwork()` through `fork()` (the IPC channel only tells it when the parent is gone);
// reports readiness through a file and serves a loopback control endpoint for what tests cannot do
// through the public API (processAll, labels, a second PDS).
import { renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RepoSubscription } from '@atproto/bsky';
import { TestNetwork, TestPds } from '@atproto/dev-env';
import type { IdResolver } from '@atproto/identity';
import { isValidAtUri } from '@atproto/syntax';
import pg from 'pg';
import { request } from 'undici';
import { EXAMPLE_LABELER } from './protocol.js';
import type { ChildConfig, ReadyState } from './protocol.js';

const config = JSON.parse(process.env.TRIBUTARY_BSKY_CHILD_CONFIG ?? 'null') as ChildConfig | null;
if (!config) throw new Error('TRIBUTARY_BSKY_CHILD_CONFIG is missing');
const cfg: ChildConfig = config;

function report(state: ReadyState): void {
  // Written aside and renamed: a test polling the file must never read it half-written.
  writeFileSync(`${cfg.readyFile}.tmp`, JSON.stringify(state));
  renameSync(`${cfg.readyFile}.tmp`, cfg.readyFile);
}

// Schema names allow letters and underscores only: the owning pid is spelled in letters (0 → a) so
// a later run can tell leftovers of a killed run from schemas of a run still going.
const spell = (n: number): string => [...String(n)].map((d) => String.fromCharCode(97 + Number(d))).join('');
const unspell = (s: string): number => Number([...s].map((c) => c.charCodeAt(0) - 97).join(''));
const schema = `tributary_${spell(process.pid)}_${spell(Date.now() % 1_000_000)}`;
const SCHEMA_PATTERN = /^(?:appview|bsync|ozone)_tributary_([a-j]+)_[a-j]+$/;

let network: TestNetwork | null = null;

/**
 * A second PDS on the same PLC, started on demand: the network's accounts no longer all live on one
 * PDS, as on the real network. The AppView indexes its firehose too (the real AppView indexes the
 * relay, which carries every PDS), and resolves its accounts' handles.
 */
interface SecondPds {
  pds: TestPds;
  sub: RepoSubscription;
}
let second: Promise<SecondPds> | null = null;

async function startSecondPds(net: TestNetwork): Promise<SecondPds> {
  const pds = await TestPds.create({
    didPlcUrl: net.plc.url,
    bskyAppViewUrl: net.bsky.url,
    bskyAppViewDid: net.bsky.ctx.cfg.serverDid,
    inviteRequired: false,
  });
  const resolvers: IdResolver[] = [
    net.bsky.ctx.idResolver,
    net.bsky.dataplane.idResolver,
    pds.ctx.idResolver,
  ];
  for (const resolver of resolvers) {
    const first = resolver.handle.resolve.bind(resolver.handle);
    resolver.handle.resolve = async (handle: string) =>
      (await first(handle)) ?? (await wellKnownDid(pds.url, handle));
  }
  const sub = new RepoSubscription({
    service: pds.url.replace(/^http/, 'ws'),
    db: net.bsky.db,
    idResolver: net.bsky.dataplane.idResolver,
  });
  void sub.start();
  return { pds, sub };
}

/** A handle's DID as its PDS serves it (dev-env's handles are not in DNS). */
async function wellKnownDid(pdsUrl: string, handle: string): Promise<string | undefined> {
  try {
    const res = await request(new URL('/.well-known/atproto-did', pdsUrl), { headers: { host: handle } });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return undefined;
    }
    return (await res.body.text()).trim();
  } catch {
    return undefined;
  }
}
let closing: Promise<void> | null = null;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drops this run's schemas, and those of runs whose process is gone (killed without teardown). */
async function dropSchemas(includeStale: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: cfg.dbPostgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE '%tributary_%'",
    );
    for (const { nspname } of rows) {
      const owner = SCHEMA_PATTERN.exec(nspname)?.[1];
      const mine = nspname.endsWith(`_${schema}`);
      const stale =
        includeStale && owner !== undefined && unspell(owner) !== process.pid && !alive(unspell(owner));
      if (mine || stale) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}

async function shutdown(code: number): Promise<void> {
  closing ??= (async () => {
    control.close();
    // processAll() inside close() can hang on a half-started network; bound it.
    const closed = Promise.all([
      network?.close().catch(() => undefined),
      second
        ?.then(async ({ pds, sub }) => {
          await sub.destroy();
          await pds.close();
        })
        .catch(() => undefined),
    ]);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await dropSchemas(false).catch((err: unknown) =>
      console.error('[bluesky-network] could not drop schemas:', err),
    );
  })();
  await closing;
  process.exit(code);
}

// The parent going away (normally or by SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  return body ? (JSON.parse(body) as Record<string, unknown>) : {};
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!network) return reply(res, 503, { error: 'network not ready' });
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'POST' && path === '/process-all') {
    if (second) {
      const { pds, sub } = await second;
      await pds.processAll();
      await sub.processAll();
    }
    await network.processAll();
    return reply(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/second-pds') {
    second ??= startSecondPds(network);
    return reply(res, 200, { url: (await second).pds.url });
  }
  if (req.method === 'POST' && path === '/labels') {
    // A labeler's label as the AppView stores it after consuming the labeler's stream.
    const body = await readJson(req);
    const { uri, cid, val } = body;
    if (typeof uri !== 'string' || typeof val !== 'string')
      return reply(res, 400, { error: 'uri and val are required' });
    const src = typeof body.src === 'string' ? body.src : EXAMPLE_LABELER;
    await network.bsky.db.db
      .insertInto('label')
      .values({
        src,
        uri,
        cid: typeof cid === 'string' ? cid : '',
        val,
        neg: false,
        cts: new Date().toISOString(),
        exp: null,
      })
      .execute();
    return reply(res, 200, { src });
  }
  if (req.method === 'POST' && path === '/ozone') {
    // The network's labeler (Ozone): its DID and endpoint, as a member's preferences name it.
    return reply(res, 200, { did: network.ozone.ctx.cfg.service.did, url: network.ozone.url });
  }
  if (req.method === 'POST' && path === '/ozone-label') {
    // A moderator of the Ozone labeler applies (or withdraws) a label: it goes out on Ozone's own
    // label stream (com.atproto.label.subscribeLabels), as on the real network.
    const body = await readJson(req);
    const { uri, cid, val, negate } = body;
    if (typeof uri !== 'string' || typeof cid !== 'string' || typeof val !== 'string')
      return reply(res, 400, { error: 'uri, cid and val are required' });
    await network.ozone.getModClient().emitEvent({
      event: {
        $type: 'tools.ozone.moderation.defs#modEventLabel',
        createLabelVals: negate === true ? [] : [val],
        negateLabelVals: negate === true ? [val] : [],
      },
      subject: { $type: 'com.atproto.repo.strongRef', uri, cid },
    });
    await network.ozone.processAll();
    return reply(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/feed-generators') {
    // A feed generator serving a fixed list of posts (newest first) for one feed URI, paged by offset.
    const body = await readJson(req);
    const { feedUri, posts } = body;
    if (typeof feedUri !== 'string' || !Array.isArray(posts))
      return reply(res, 400, { error: 'feedUri and posts are required' });
    const uris = posts.filter((p: unknown) => isValidAtUri(p));
    const generator = await network.createFeedGen({
      [feedUri]: async ({ params }) => {
        const offset = params.cursor ? Number(params.cursor) : 0;
        const limit = params.limit ?? 50;
        const page = uris.slice(offset, offset + limit);
        const next = offset + page.length;
        return {
          encoding: 'application/json',
          body: {
            feed: page.map((post) => ({ post })),
            ...(next < uris.length ? { cursor: String(next) } : {}),
          },
        };
      },
    });
    return reply(res, 200, { did: generator.did });
  }
  return reply(res, 404, { error: `no route ${req.method} ${path}` });
}

const control = createServer((req, res) => {
  route(req, res).catch((err: unknown) => reply(res, 500, { error: String(err) }));
});

async function main(): Promise<void> {
  await new Promise<void>((resolve) => control.listen(cfg.ports.control, '127.0.0.1', resolve));
  await dropSchemas(true);
  const appviewUrl = `http://localhost:${cfg.ports.appview}`;
  const created = await TestNetwork.create({
    dbPostgresUrl: cfg.dbPostgresUrl,
    dbPostgresSchema: schema,
    plc: { port: cfg.ports.plc },
    pds: { port: cfg.ports.pds },
    // publicUrl: image and avatar URLs in views point at the AppView instead of a dead host.
    bsky: { port: cfg.ports.appview, publicUrl: appviewUrl },
    ozone: { port: cfg.ports.ozone },
  });
  network = created;
  report({ ok: true, pid: process.pid });
}

main().catch(async (err: unknown) => {
  report({ ok: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  await shutdown(1);
});
