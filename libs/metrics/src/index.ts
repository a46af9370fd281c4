export * from './metrics.js';
export { meterUpstreamRequests, networkOf } from './upstream-meter.js';
export { serveMetrics } from './metrics-server.js';
export type { MetricsServer, MetricsServerOptions } from './metrics-server.js';
