// A PostgreSQL wire-protocol proxy that records every SQL statement a client sends: what reached
// the database, whatever library sent it (Prisma, raw SQL, a driver adapter). Point a service's
// DATABASE_URL at `url(original)` and read `statements` after the requests of interest.
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export interface SqlStatementCounter {
  /**
   * Statement texts executed since the last `reset()`, in order: simple queries, and each Bind of
   * an extended-protocol statement (a prepared statement is parsed once, then bound per run).
   */
  readonly statements: string[];
  reset(): void;
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
  close(): Promise<void>;
}

/** Starts a proxy in front of the PostgreSQL that `databaseUrl` names. */
export async function startSqlStatementCounter(databaseUrl: string): Promise<SqlStatementCounter> {
  const target = new URL(databaseUrl);
  const statements: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    // Statement texts by name on this connection ('' is the unnamed one, replaced by each Parse).
    const parsed = new Map<string, string>();
    const parser = messageParser((type, body) => {
      // 'Q': simple query (text NUL); 'P': Parse (statement name NUL, text NUL, parameter types);
      // 'B': Bind (portal name NUL, statement name NUL, …), one per execution.
      if (type === 'Q') statements.push(cString(body, 0).text);
      if (type === 'P') {
        const name = cString(body, 0);
        parsed.set(name.text, cString(body, name.end + 1).text);
      }
      if (type === 'B') {
        const statement = cString(body, cString(body, 0).end + 1).text;
        statements.push(parsed.get(statement) ?? `(unknown statement ${statement})`);
      }
    });
    client.on('data', (chunk: Buffer) => {
      parser(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    statements,
    reset: () => void statements.splice(0),
    url(url: string) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Splits the frontend's byte stream into messages: untyped start-up messages (length, code) until
 * the StartupMessage itself, then typed ones (type byte, length including itself, body).
 */
function messageParser(onMessage: (type: string, body: Buffer) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let startup = true;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (startup) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        // After an SSL / GSS encryption request (refused here: no TLS on loopback) comes the real start-up.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startup = false;
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      onMessage(String.fromCharCode(buffer[0]!), buffer.subarray(5, 1 + length));
      buffer = buffer.subarray(1 + length);
    }
  };
}

function cString(buffer: Buffer, start: number): { text: string; end: number } {
  const end = buffer.indexOf(0, start);
  return { text: buffer.toString('utf8', start, end), end };
}
