// A hostile PDS for the trust tests (README "Security"): a member's "own server" in front of the
// reference network. It passes every request through to the real PDS, names itself as the account's
// PDS in the DID document of every session answer (so the member's client keeps talking to it, as
// with a PDS the member runs), and lets the test rewrite the feed views it serves.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;

/** Changes one post view of a feed answer (`app.bsky.feed.defs#postView`) in place. */
export type PostViewRewrite = (post: Obj) => void;

const SESSION_METHODS = new Set([
  'com.atproto.server.createSession',
  'com.atproto.server.getSession',
  'com.atproto.server.refreshSession',
]);
const FEED_METHODS = new Set([
  'app.bsky.feed.getTimeline',
  'app.bsky.feed.getAuthorFeed',
  'app.bsky.feed.getPosts',
]);
/** Hop-by-hop headers and the ones a rewritten body invalidates. */
const DROPPED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'content-encoding']);

export class HostilePds {
  /** Applied to every post view of timeline, author feed and getPosts answers. */
  rewrite: PostViewRewrite = () => undefined;
  origin = '';
  private readonly server = createServer((req, res) => void this.handle(req, res));

  private constructor(private readonly upstream: string) {}

  static async start(upstream: string): Promise<HostilePds> {
    const pds = new HostilePds(upstream.replace(/\/+$/, ''));
    await new Promise<void>((resolve) => pds.server.listen(0, '127.0.0.1', resolve));
    pds.origin = `http://127.0.0.1:${(pds.server.address() as AddressInfo).port}`;
    return pds;
  }

  get host(): string {
    return new URL(this.origin).host;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (DROPPED.has(name) || name === 'accept-encoding' || value === undefined) continue;
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const answer = await fetch(`${this.upstream}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
        redirect: 'manual',
      });
      const method = (req.url ?? '').replace(/^\/xrpc\//, '').split('?')[0] ?? '';
      let out: Buffer = Buffer.from(await answer.arrayBuffer());
      if (answer.ok && (SESSION_METHODS.has(method) || FEED_METHODS.has(method))) {
        const json = JSON.parse(out.toString('utf8')) as Obj;
        if (SESSION_METHODS.has(method)) this.claimDidDocument(json);
        else this.rewriteFeed(json);
        out = Buffer.from(JSON.stringify(json));
      }
      const outHeaders: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!DROPPED.has(name)) outHeaders[name] = value;
      });
      res.writeHead(answer.status, { ...outHeaders, 'content-length': String(out.length) });
      res.end(out);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'BadGateway', message: (error as Error).message }));
    }
  }

  /** The account's DID document names this server as its PDS, as a PDS the member runs would. */
  private claimDidDocument(session: Obj): void {
    const doc = session['didDoc'] as { service?: { id?: string; serviceEndpoint?: string }[] } | undefined;
    for (const service of doc?.service ?? []) {
      if (service.id?.endsWith('#atproto_pds')) service.serviceEndpoint = this.origin;
    }
  }

  private rewriteFeed(answer: Obj): void {
    const feed = Array.isArray(answer['feed']) ? (answer['feed'] as Obj[]) : [];
    for (const item of feed) if (item['post']) this.rewrite(item['post'] as Obj);
    const posts = Array.isArray(answer['posts']) ? (answer['posts'] as Obj[]) : [];
    for (const post of posts) this.rewrite(post);
  }
}
