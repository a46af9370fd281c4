// The least an HTTP API can do to serve a timeline page (timeline-read.bench.ts's second baseline):
// a bare node:http server that runs the page's statement through a plain pg client and answers the
// rows as JSON. No GraphQL, no authentication, no logging; what is left is what any HTTP API pays
// for this page on top of the query itself: reading the request, serializing ~75 kB, writing it.
//
// Reads one JSON job from stdin: { databaseUrl, statements: [{ name, text, values }] }; answers
// `GET /page/<index>` with statement <index>'s rows; writes `listening <port>` on a line when ready.
import { createServer } from 'node:http';
import pg from 'pg';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { databaseUrl, statements } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const pool = new pg.Pool({ connectionString: databaseUrl, max: 16, idleTimeoutMillis: 0 });
const server = createServer((req, res) => {
  const statement = statements[Number(req.url.slice('/page/'.length))];
  if (req.method !== 'GET' || statement === undefined) {
    res.writeHead(404).end();
    return;
  }
  pool.query(statement).then(
    ({ rows }) => {
      const body = JSON.stringify({ rows });
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    },
    (error) => res.writeHead(500).end(String(error.message)),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
