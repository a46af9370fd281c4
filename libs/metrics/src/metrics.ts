// Every Prometheus metric Tributary exports, defined once, on one registry per process. Plain
// prom-client objects without a framework, so any lib may count what it does.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
// Process CPU, memory, event-loop lag, handles: prefixed like ours.
collectDefaultMetrics({ register: metricsRegistry, prefix: 'tributary_' });

const registers = [metricsRegistry];
// Latencies from a millisecond (a cached page) to a minute (a long job slice or a slow network).
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const jobDuration = new Histogram({
  name: 'tributary_job_duration_seconds',
  help: 'Time a job attempt ran in a worker, by queue, job name and outcome (completed or failed).',
  labelNames: ['queue', 'job', 'outcome'] as const,
  buckets: SECONDS,
  registers,
});

export const jobsFailed = new Counter({
  name: 'tributary_jobs_failed_total',
  help: 'Jobs that failed for good (no attempt left), by queue and job name.',
  labelNames: ['queue', 'job'] as const,
  registers,
});

export const jobsRetried = new Counter({
  name: 'tributary_jobs_retried_total',
  help: 'Failed job attempts that will be tried again, by queue and job name.',
  labelNames: ['queue', 'job'] as const,
  registers,
});

export const streamLag = new Gauge({
  name: 'tributary_stream_lag_seconds',
  help: 'How far behind the stream’s own clock the last event was handled, by stream.',
  labelNames: ['stream'] as const,
  registers,
});

export const streamEvents = new Counter({
  name: 'tributary_stream_events_total',
  help: 'Events received from a stream, by stream.',
  labelNames: ['stream'] as const,
  registers,
});

export const postsIngested = new Counter({
  name: 'tributary_posts_ingested_total',
  help: 'Posts written to the store (new or refreshed), by network.',
  labelNames: ['network'] as const,
  registers,
});

export const upstreamRequests = new Counter({
  name: 'tributary_upstream_requests_total',
  help: 'HTTP requests sent to a network, by network and status class (2xx, 4xx, 429, 5xx, error).',
  labelNames: ['network', 'status'] as const,
  registers,
});

export const upstreamRateLimitRemaining = new Gauge({
  name: 'tributary_upstream_rate_limit_remaining',
  help: 'Requests left in the rate-limit window, as the last answer of a host said, by network and host.',
  labelNames: ['network', 'host'] as const,
  registers,
});

export const upstreamRateLimitLimit = new Gauge({
  name: 'tributary_upstream_rate_limit_limit',
  help: 'Size of the rate-limit window, as the last answer of a host said, by network and host.',
  labelNames: ['network', 'host'] as const,
  registers,
});

export const pipelineRunDuration = new Histogram({
  name: 'tributary_pipeline_run_seconds',
  help: 'Time one pipeline took over one batch of posts (engine and plugins, without the write).',
  buckets: SECONDS,
  registers,
});

export const httpDuration = new Histogram({
  name: 'tributary_http_request_duration_seconds',
  help: 'HTTP requests answered by the API, by method, route and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
  registers,
});

export const graphqlDuration = new Histogram({
  name: 'tributary_graphql_operation_duration_seconds',
  help: 'GraphQL operations over HTTP, by operation type, first root field and whether it had errors.',
  labelNames: ['type', 'field', 'errors'] as const,
  buckets: SECONDS,
  registers,
});

/** Queue depths are read from Redis when scraped: each process with queues adds its reader. */
type DepthReader = () => Promise<Record<string, Record<string, number>>>;
const depthReaders = new Set<DepthReader>();

export const queueJobs = new Gauge({
  name: 'tributary_queue_jobs',
  help: 'Jobs in each queue by state (waiting, prioritized, active, delayed, failed), read from Redis.',
  labelNames: ['queue', 'state'] as const,
  registers,
  async collect() {
    // Any one reader: every process reads the same Redis.
    const [reader] = depthReaders;
    if (reader === undefined) return;
    this.reset();
    const depths = await reader().catch(() => null);
    if (depths === null) return;
    for (const [queue, states] of Object.entries(depths))
      for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
  },
});

/** Adds a reader of queue depths for scrapes; returns its removal (on shutdown). */
export function readQueueDepths(reader: DepthReader): () => void {
  depthReaders.add(reader);
  return () => depthReaders.delete(reader);
}

/** Seconds since `start` (a `performance.now()`), for histograms. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Restart counts of the plugin sandboxes in this process, read when scraped. */
const restartReaders = new Set<() => number>();
let restartsCounted = 0;

export const sandboxRestarts = new Counter({
  name: 'tributary_sandbox_restarts_total',
  help: 'Plugin sandbox processes killed and restarted (a plugin ran past its time or memory, or crashed it).',
  registers,
  collect() {
    let total = 0;
    for (const read of restartReaders) total += read();
    if (total > restartsCounted) this.inc(total - restartsCounted);
    restartsCounted = Math.max(restartsCounted, total);
  },
});

/** Counts the restarts `read` reports (a sandbox's running total) in `tributary_sandbox_restarts_total`. */
export function watchSandboxRestarts(read: () => number): void {
  restartReaders.add(read);
}
