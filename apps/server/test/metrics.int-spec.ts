// Prometheus metrics of a real Tributary (API + worker in one process) on its own metrics port:
// they move when a job runs, when requests are answered and when the Bluesky stream lags.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { blueskyNetwork, JetstreamServer } from '@tributary/testing';
import type { BlueskyNetworkClient } from '@tributary/testing';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { graphqlClient } from '../../api/src/testing/graphql-client.js';
import { BlueskyFanoutService } from '../../worker/src/streams/bluesky-fanout.service.js';
import { start } from '../src/start.js';
import { linkBluesky } from './link-accounts.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';
import { waitFor } from './wait-for.js';

jest.setTimeout(180_000);

const METRICS_TOKEN = 'a-scraper-token-of-enough-length';

let net: BlueskyNetworkClient;
let jetstream: JetstreamServer;
let instance: TestInstance;

async function scrape(): Promise<string> {
  const res = await fetch(instance.running.metricsUrl!, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** The sum of a metric's samples whose labels match `labels` (0 when there is none). One Jetstream connection here. */
function sample(text: string, name: string, labels: Record<string, string | RegExp> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (
      Object.entries(labels).every(([k, v]) =>
        typeof v === 'string' ? found[k] === v : v.test(found[k] ?? ''),
      )
    )
      sum += Number(match[3]);
  }
  return sum;
}

async function signUp(username: string): Promise<string> {
  const { code } = await instance.running.apps.at(-1)!.get(AuthService).createInvite(null, 'MEMBER');
  const res = await graphqlClient(instance.apiUrl)<{ signUp: { token: string } }>(
    'mutation($i: String!, $u: String!) { signUp(invite: $i, username: $u, password: "long enough password") { token } }',
    { i: code, u: username },
  );
  return res.data!.signUp.token;
}

beforeAll(async () => {
  net = await blueskyNetwork();
  jetstream = await JetstreamServer.start({ pdsUrls: [net.info.pdsUrl], plcUrl: net.info.plcUrl });
  instance = await startTestInstance({
    METRICS_PORT: '0',
    METRICS_TOKEN,
    POLL_INTERVAL_SECONDS: '3600',
    BACKFILL_DEPTH: '0',
    BLUESKY_JETSTREAM_URL: jetstream.url,
    BLUESKY_APPVIEW_URL: net.info.appviewUrl,
    BLUESKY_DEFAULT_SERVICE: net.info.pdsUrl,
    BLUESKY_ALLOW_HTTP: 'true',
  });
});

afterAll(async () => {
  await instance?.stop();
  await jetstream?.close();
});

describe('metrics', () => {
  it('are served on their own port, only with the token', async () => {
    expect(instance.running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(instance.running.metricsUrl).not.toContain(new URL(instance.apiUrl).port);
    expect((await fetch(instance.running.metricsUrl!)).status).toBe(401);
    const wrong = await fetch(instance.running.metricsUrl!, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await scrape()).toContain('# TYPE tributary_queue_jobs gauge');
  });

  it('move when a job runs and when requests are answered', async () => {
    const token = await signUp('metered');
    const before = await scrape();
    const rebuilds = { queue: 'rebuild', job: 'rebuild-timeline', outcome: 'completed' };
    const gql = graphqlClient(instance.apiUrl);
    const created = await gql<{ createPipeline: { id: string } }>(
      'mutation { createPipeline(name: "metered", spec: { stages: [] }) { id } }',
      {},
      token,
    );
    expect(created.errors).toBeUndefined();
    await waitFor('the rebuild job to be counted', async () => {
      const now = await scrape();
      return sample(now, 'tributary_job_duration_seconds_count', rebuilds) >
        sample(before, 'tributary_job_duration_seconds_count', rebuilds)
        ? now
        : null;
    });
    const after = await scrape();
    const mutations = { type: 'mutation', field: 'createPipeline', errors: 'false' };
    expect(sample(after, 'tributary_graphql_operation_duration_seconds_count', mutations)).toBe(
      sample(before, 'tributary_graphql_operation_duration_seconds_count', mutations) + 1,
    );
    const posts = { method: 'POST', route: '/graphql', status: '200' };
    expect(sample(after, 'tributary_http_request_duration_seconds_count', posts)).toBeGreaterThan(
      sample(before, 'tributary_http_request_duration_seconds_count', posts),
    );
    // Depths are read from Redis at each scrape: every queue and state is there, if at zero.
    for (const queue of ['ingest', 'maintenance', 'pipeline', 'rebuild', 'actions'])
      expect(after).toMatch(
        new RegExp(`^tributary_queue_jobs\\{queue="${queue}",state="waiting"\\} \\d+$`, 'm'),
      );
  });

  it('count the posts ingested and the requests sent to Bluesky, and show the stream’s lag', async () => {
    const token = await signUp('streamed');
    const account = await net.createAccount('mtr');
    const before = await scrape();
    await linkBluesky(graphqlClient(instance.apiUrl), token, account, net.info.pdsUrl);
    const fanout = () => instance.running.apps[0]!.get(BlueskyFanoutService);
    // The filter change reaches Jetstream on its own message; a post made before it applies is not sent.
    await waitFor(
      'the member’s follows on the stream',
      async () => fanout().isReady(account.did) && jetstream.isWatching(account.did),
    );
    await account.agent.post({ text: 'a post the stream brings' });
    const live = await waitFor('the post counted', async () => {
      const now = await scrape();
      return sample(now, 'tributary_stream_events_total', { stream: /^jetstream:\d+$/ }) > 0 &&
        sample(now, 'tributary_posts_ingested_total', { network: 'bluesky' }) >
          sample(before, 'tributary_posts_ingested_total', { network: 'bluesky' })
        ? now
        : null;
    });
    expect(
      sample(live, 'tributary_upstream_requests_total', { network: 'bluesky', status: '2xx' }),
    ).toBeGreaterThan(
      sample(before, 'tributary_upstream_requests_total', { network: 'bluesky', status: '2xx' }),
    );
    // Handled as it came: well under the pause below.
    expect(sample(live, 'tributary_stream_lag_seconds', { stream: /^jetstream:\d+$/ })).toBeLessThan(3);

    // The worker stops; a post is made meanwhile; the next worker resumes from the stored cursor and
    // handles it seconds after the stream stamped it.
    await waitFor(
      'the cursor past the post',
      async () => (fanout().status.cursor ?? 0) >= jetstream.newestSentTimeUs,
    );
    await instance.running.stop();
    await account.agent.post({ text: 'a post made while no worker reads the stream' });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    instance.running = await start(instance.config);
    const lagging = await waitFor(
      'the replayed post’s lag',
      async () => {
        const now = await scrape();
        return sample(now, 'tributary_stream_lag_seconds', { stream: /^jetstream:\d+$/ }) >= 4 ? now : null;
      },
      60_000,
    );
    expect(
      sample(lagging, 'tributary_stream_lag_seconds', { stream: /^jetstream:\d+$/ }),
    ).toBeGreaterThanOrEqual(4);
  });
});
