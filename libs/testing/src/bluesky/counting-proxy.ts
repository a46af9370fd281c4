// An HTTP proxy in front of a Bluesky server (the reference PDS) that counts what goes upstream,
// per XRPC method and per account (the DID a bearer token is for). Link an account with the
// proxy's URL as its service: the session answers (com.atproto.server.*) carry the account's DID
// document, whose PDS endpoint is rewritten to the proxy, so the session keeps coming through it
// instead of going to the PDS directly. WebSocket upgrades (subscribeRepos) are piped through.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: the service to link accounts with. */
  readonly url: string;
  /** Requests per XRPC method since the start or the last `reset`; only those with `did`'s token if given. */
  counts(did?: string): Record<string, number>;
  /** All requests counted, or those with `did`'s token. */
  total(did?: string): number;
  /** The bearer tokens presented to `method` with `did`'s token, in order (a repeat is a reuse). */
  tokens(method: string, did: string): string[];
  reset(): void;
  /**
   * Holds requests to `method` (counted as they come) until the returned function is called:
   * an upstream that is slow to answer, e.g. an AppView that has not indexed a post yet.
   */
  hold(method: string): () => void;
  close(): Promise<void>;
}

/** `com.atproto.server.getSession` for `/xrpc/com.atproto.server.getSession?…`, else the path. */
function methodOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.startsWith('/xrpc/') ? path.slice('/xrpc/'.length) : path;
}

function bearerToken(headers: IncomingHttpHeaders): string | null {
  return /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
}

/** The `sub` of a bearer JWT (access and refresh tokens name the account there). */
function bearerDid(headers: IncomingHttpHeaders): string | null {
  const token = bearerToken(headers);
  if (!token) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const targetOrigin = upstream.origin;
  const seen: { method: string; did: string | null; token: string | null }[] = [];
  let proxyOrigin = '';
  const held = new Map<string, (() => void)[]>();

  const server = createServer((req, res) => {
    const method = methodOf(req.url);
    seen.push({ method, did: bearerDid(req.headers), token: bearerToken(req.headers) });
    const queue = held.get(method);
    if (queue) {
      req.pause();
      queue.push(() => forward(req, res, method));
      return;
    }
    forward(req, res, method);
  });

  function forward(req: IncomingMessage, res: ServerResponse, method: string): void {
    req.resume();
    // Uncompressed, so session answers can be rewritten.
    const headers = { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' };
    const upstreamRequest = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        const rewrite =
          method.startsWith('com.atproto.server.') &&
          String(answer.headers['content-type'] ?? '').includes('json');
        if (!rewrite) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.from(
            Buffer.concat(chunks).toString('utf8').replaceAll(targetOrigin, proxyOrigin),
          );
          const { 'transfer-encoding': _chunked, ...rest } = answer.headers;
          res.writeHead(answer.statusCode ?? 502, { ...rest, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    upstreamRequest.on('error', (err) => res.destroy(err));
    req.pipe(upstreamRequest);
  }

  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: methodOf(req.url), did: bearerDid(req.headers), token: bearerToken(req.headers) });
    const pipe = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] as string;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? upstream.host : req.rawHeaders[i + 1]}`);
      }
      pipe.write(`${lines.join('\r\n')}\r\n\r\n`);
      pipe.write(head);
      pipe.pipe(socket);
      socket.pipe(pipe);
    });
    pipe.on('error', () => socket.destroy());
    socket.on('error', () => pipe.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxyOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const matching = (did?: string) => seen.filter((r) => did === undefined || r.did === did);
  return {
    url: proxyOrigin,
    counts(did) {
      const counts: Record<string, number> = {};
      for (const { method } of matching(did)) counts[method] = (counts[method] ?? 0) + 1;
      return counts;
    },
    total: (did) => matching(did).length,
    tokens: (method, did) =>
      matching(did)
        .filter((r) => r.method === method && r.token !== null)
        .map((r) => r.token as string),
    reset() {
      seen.length = 0;
    },
    hold(method) {
      if (!held.has(method)) held.set(method, []);
      return () => {
        const queue = held.get(method) ?? [];
        held.delete(method);
        for (const go of queue) go();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
