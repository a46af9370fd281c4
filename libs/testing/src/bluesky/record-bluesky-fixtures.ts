// Records the normalizer's unit-test fixtures from the reference network: seeds a timeline and
// saves what the AppView returns through the PDS, as the viewer sees it.
// Run: node --import @swc-node/register/esm-register libs/testing/src/bluesky/record-bluesky-fixtures.ts
import { writeFileSync } from 'node:fs';
import { blueskyNetwork, startBlueskyNetwork, stopBlueskyNetwork } from '../bluesky-network.js';
import { seedTimeline } from './seed-timeline.js';

await startBlueskyNetwork();
try {
  const net = await blueskyNetwork();
  const seeded = await seedTimeline(net);
  const agent = seeded.viewer.agent;
  agent.configureLabelers([net.info.labelerDid as `did:${string}:${string}`]);
  const timeline = (await agent.getTimeline({ limit: 100 })).data;
  const out = new URL('../../../connectors/bluesky/test/fixtures/', import.meta.url);
  writeFileSync(
    new URL('timeline.json', out),
    JSON.stringify(
      {
        recordedWith: '@atproto/dev-env 0.6.7',
        posts: seeded.posts,
        richTextText: seeded.richTextText,
        feed: timeline.feed,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`recorded ${timeline.feed.length} timeline entries`);
} finally {
  await stopBlueskyNetwork();
}
