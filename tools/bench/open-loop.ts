// Open-loop load from a process of its own (open-loop-client.mjs says why), for the benches that
// measure latency at a fixed request rate: HTTP requests to the API, or the pages' SQL through a
// plain pg client as their baseline.
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';

/** One request the load generator may send; `path` is appended to the API's URL. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One statement the load generator may run (named: prepared once per connection, as the API's). */
export interface LoadStatement {
  name: string;
  text: string;
  values: unknown[];
}

export interface OpenLoopResult {
  /** ms from each passed request's scheduled start to the end of its answer. */
  latencies: number[];
  errors: string[];
  /** Requests sent more than 5 ms after they were due (the generator could not keep up). */
  lateStarts: number;
  /** The generator's CPU while sending, ms. */
  cpuMs: number;
  /** From the first counted request's due time to the last answer, ms. */
  elapsedMs: number;
  /** Requests sent before the counted ones (the warm-up). */
  warmupRequests: number;
}

/** Called when the counted requests start (after the warm-up): where to read the service's CPU from. */
export type OnCounting = () => void;

const CLIENT = fileURLToPath(new URL('./open-loop-client.mjs', import.meta.url));
/** Seconds of load sent before the counted requests (open-loop-client.mjs says why). */
export const WARMUP_SECONDS = 2;

/** The warm-up's requests: the sequence's first ones again, or `warmup` when given. */
const warmupOf = (rate: number, sequence: readonly number[], warmup?: readonly number[]) =>
  warmup ?? Array.from({ length: rate * WARMUP_SECONDS }, (_, k) => sequence[k % sequence.length]!);

function runGenerator(job: object, onCounting: OnCounting): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('counting\n')) {
        output = output.slice('counting\n'.length);
        onCounting();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output) as OpenLoopResult);
      else reject(new Error(`the load generator exited with ${code}`));
    });
    child.stdin.end(JSON.stringify(job));
  });
}

/**
 * Sends `requests[sequence[i]]` at i / rate seconds, for every i, after WARMUP_SECONDS of the same
 * load (`warmup`'s requests when given: when each request must be new to the service) that is not
 * counted; an answer passes with status 200 and a body starting with `expect`.
 */
export function httpOpenLoop(
  url: string,
  rate: number,
  requests: readonly LoadRequest[],
  sequence: readonly number[],
  expect: string,
  onCounting: OnCounting = () => {},
  warmup?: readonly number[],
): Promise<OpenLoopResult> {
  return runGenerator(
    { rate, warmup: warmupOf(rate, sequence, warmup), sequence, http: { url, expect, requests } },
    onCounting,
  );
}

/** Runs `statements[sequence[i]]` at i / rate seconds, for every i (after a warm-up), over 16 connections. */
export function sqlOpenLoop(
  databaseUrl: string,
  rate: number,
  statements: readonly LoadStatement[],
  sequence: readonly number[],
  onCounting: OnCounting = () => {},
): Promise<OpenLoopResult> {
  return runGenerator(
    { rate, warmup: warmupOf(rate, sequence), sequence, sql: { databaseUrl, statements } },
    onCounting,
  );
}

/**
 * The text of an answer the bench's own process reads: whole when `whole` (or not a 200), else
 * its first `keep` bytes only (decoding ~75 kB per answer took the client's CPU from the service).
 */
export function answerText(res: IncomingMessage, whole: boolean, keep: number): Promise<string> {
  const all = whole || res.statusCode !== 200;
  const chunks: Buffer[] = [];
  let kept = 0;
  return new Promise((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      if (all) chunks.push(c);
      else if (kept < keep) chunks.push(c.subarray(0, keep - kept));
      else return;
      kept += chunks[chunks.length - 1]!.length;
    });
    res.once('error', reject);
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
