import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { metricsRegistry } from './metrics.js';
import { networkOf } from './upstream-meter.js';

describe('the Grafana dashboard (docker/grafana)', () => {
  it('queries only metrics this registry exports', () => {
    const dashboard = readFileSync(
      new URL('../../../docker/grafana/tributary-dashboard.json', import.meta.url),
      'utf8',
    );
    const used = new Set([...dashboard.matchAll(/\btributary_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(10);
    const exported = new Set(metricsRegistry.getMetricsAsArray().map((m) => m.name));
    const missing = [...used].filter((name) => !exported.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(missing).toEqual([]);
  });
});

describe('networkOf', () => {
  it('tells Bluesky and Mastodon requests by the API they call, and counts nothing else', () => {
    expect(networkOf('/xrpc/app.bsky.feed.getTimeline?limit=50')).toBe('bluesky');
    expect(networkOf('/did:plc:abc123')).toBe('bluesky');
    expect(networkOf('/api/v1/timelines/home')).toBe('mastodon');
    expect(networkOf('/api/v2/instance')).toBe('mastodon');
    expect(networkOf('/oauth/token')).toBe('mastodon');
    expect(networkOf('/graphql')).toBeNull();
    expect(networkOf('/api/v10/x')).toBeNull();
  });
});
