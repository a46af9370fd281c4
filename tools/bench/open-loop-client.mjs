// The benches' open-loop load generator, run as a process of its own (open-loop.ts starts it): HTTP
// requests to the API, or the same pages' SQL to PostgreSQL through a plain pg client (the
// baseline). In the bench's process, whose heap holds ~75 MB (the seeded ids, the API's modules
// imported to capture its SQL), each of the ~1.5 major GCs per second the answers' garbage set off
// paused the sending for 10-20 ms: requests due meanwhile went out late, and their lateness counted
// in the service's latencies (timeline-read's open loop: p99 35-43 ms, of which the API's own
// share was under 10 ms). Here the heap holds the requests alone, and the CPU this process spends
// per request is what a bare client spends.
//
// Reads one JSON job from stdin: { rate, warmup and sequence: [index into the requests, one per
// request to send first, uncounted, then one per request to count], and either http: { url, expect, requests: [{ method, path, headers, body }] } or sql: {
// databaseUrl, statements: [{ name, text, values }] } }. Request i is sent at t0 + i / rate whatever
// the earlier ones do, and its latency counts from then (after the warm-up's, below).
// Writes `counting` on a line when the counted requests start, then one JSON line: { latencies
// (ms, of the requests that passed), errors (messages), lateStarts (sent over 5 ms after due),
// cpuMs (this process's, while counting), elapsedMs (from the first counted due time to the last
// answer), warmupRequests }. An HTTP answer passes with status 200 and a body starting with
// `expect` (only its first bytes are kept); a statement passes when it returns.
import { Agent, request } from 'node:http';

const KEEP = 300;

const readJob = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

const job = await readJob();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends request `i` of the job's list; resolves when it passed. Returns it and a cleanup. */
async function target() {
  if (job.sql) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: job.sql.databaseUrl, max: 16, idleTimeoutMillis: 0 });
    // Every connection opened, and each statement prepared on it, before the first due time: the
    // API's connections have done both long before.
    const clients = await Promise.all(Array.from({ length: 16 }, () => pool.connect()));
    const firsts = new Map(job.sql.statements.map((statement) => [statement.name, statement]));
    for (const client of clients) for (const statement of firsts.values()) await client.query(statement);
    for (const client of clients) client.release();
    return { send: (i) => pool.query(job.sql.statements[i]), close: () => pool.end() };
  }
  const { url, expect, requests } = job.http;
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });
  const send = (i) =>
    new Promise((resolve, reject) => {
      const { method, path, headers, body } = requests[i];
      const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
        const kept = [];
        let length = 0;
        res.on('data', (chunk) => {
          if (length >= KEEP) return;
          const piece = chunk.subarray(0, KEEP - length);
          kept.push(piece);
          length += piece.length;
        });
        res.on('end', () => {
          const start = Buffer.concat(kept).toString('utf8');
          if (res.statusCode === 200 && start.startsWith(expect)) resolve();
          else reject(new Error(`${res.statusCode}: ${start}`));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

const { send, close } = await target();
const latencies = [];
const errors = [];
const inflight = [];
let lateStarts = 0;
// The warm-up (open-loop.ts: two seconds of the same load) is not counted: without it the first
// second's answers took 20-80 ms (connections opened, this process's code and the API's paths for
// new sockets not yet compiled), a third of the requests over p99 of a 10 s run.
const warm = job.warmup.length;
const total = warm + job.sequence.length;
let cpuBefore = process.cpuUsage();
const t0 = performance.now() + 20;
for (let k = 0; k < total; k++) {
  const due = t0 + (k * 1000) / job.rate;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const counted = k >= warm;
  if (k === warm) {
    cpuBefore = process.cpuUsage();
    process.stdout.write('counting\n'); // the bench reads the API's CPU from here
  }
  if (counted && performance.now() - due > 5) lateStarts++;
  const sent = send(counted ? job.sequence[k - warm] : job.warmup[k]);
  inflight.push(
    sent.then(
      () => void (counted && latencies.push(performance.now() - due)),
      (error) => void errors.push(error.message),
    ),
  );
}
await Promise.all(inflight);
const cpu = process.cpuUsage(cpuBefore);
const elapsedMs = performance.now() - (t0 + (warm * 1000) / job.rate);
await close();
process.stdout.write(
  `${JSON.stringify({ latencies, errors, lateStarts, cpuMs: (cpu.user + cpu.system) / 1000, elapsedMs, warmupRequests: warm })}\n`,
);
