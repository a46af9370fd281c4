// The record shapes of 2026 as the reference network's AppView serves them, through the fan-out's
// hydration (AppViewClient.getPosts) and the normalizer: galleries (a record holds up to 20
// images, the AppView's view shows 10), video, quotes with media, and quotes the network no longer
// shows (deleted, blocked, detached by their author).
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BlobRef } from '@atproto/api';
import type { Post } from '@tributary/core';
import { blueskyNetwork } from '../../../testing/src/bluesky-network.js';
import type { BlueskyNetworkClient, TestBlueskyAccount } from '../../../testing/src/bluesky-network.js';
import { AppViewClient } from '../src/index.js';

jest.setTimeout(90_000);

let net: BlueskyNetworkClient;
let author: TestBlueskyAccount;
let other: TestBlueskyAccount;
let appview: AppViewClient;

// A 1×1 PNG; each upload differs by a trailing byte so every blob has its own CID.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function image(n: number): Promise<BlobRef> {
  const bytes = Buffer.concat([PNG, Buffer.from([n])]);
  return (await author.agent.uploadBlob(bytes, { encoding: 'image/png' })).data.blob;
}

async function post(record: Record<string, unknown>): Promise<{ uri: string; cid: string }> {
  return author.agent.post({ text: 'shapes', createdAt: new Date().toISOString(), ...record });
}

async function hydrated(uri: string): Promise<Post> {
  await net.processAll();
  const { posts, skipped } = await appview.posts([uri]);
  expect(skipped).toEqual([]);
  const p = posts.get(uri);
  if (!p) throw new Error(`${uri} not served`);
  return p;
}

beforeAll(async () => {
  net = await blueskyNetwork();
  [author, other] = await Promise.all([net.createAccount('shapes'), net.createAccount('quoted')]);
  appview = new AppViewClient({ service: net.info.appviewUrl });
});

describe('2026 record shapes', () => {
  it('keeps every image of a gallery, past the ten the AppView’s view shows', async () => {
    const blobs = await Promise.all(Array.from({ length: 14 }, (_, i) => image(i)));
    const ref = await post({
      embed: {
        $type: 'app.bsky.embed.gallery',
        items: blobs.map((blob, i) => ({
          $type: 'app.bsky.embed.gallery#image',
          image: blob,
          alt: `image ${i}`,
          aspectRatio: { width: 1, height: 1 },
        })),
      },
    });
    const p = await hydrated(ref.uri);
    expect(p.media).toHaveLength(14);
    expect(p.media.map((m) => m.altText)).toEqual(blobs.map((_, i) => `image ${i}`));
    p.media.forEach((m, i) => {
      expect(m.type).toBe('image');
      expect(m.url).toContain(blobs[i]!.ref.toString());
      expect(m.previewUrl).toContain(blobs[i]!.ref.toString());
    });
    expect(new Set(p.media.map((m) => m.url)).size).toBe(14);
  });

  it('takes the images and the quote of a quote with media', async () => {
    const quoted = await other.agent.post({ text: 'quoted with media' });
    const blob = await image(100);
    const ref = await post({
      embed: {
        $type: 'app.bsky.embed.recordWithMedia',
        record: { $type: 'app.bsky.embed.record', record: quoted },
        media: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'with a quote' }] },
      },
    });
    const p = await hydrated(ref.uri);
    expect(p.quote?.uri).toBe(quoted.uri);
    expect(p.quote?.text).toBe('quoted with media');
    expect(p.media.map((m) => m.altText)).toEqual(['with a quote']);
    expect(p.quoteUnavailable).toBeUndefined();
  });

  it('takes a video', async () => {
    const video = (
      await author.agent.uploadBlob(Buffer.from('not really a video'), { encoding: 'video/mp4' })
    ).data.blob;
    const ref = await post({
      embed: { $type: 'app.bsky.embed.video', video, alt: 'a clip', aspectRatio: { width: 16, height: 9 } },
    });
    const p = await hydrated(ref.uri);
    expect(p.media).toEqual([
      expect.objectContaining({ type: 'video', altText: 'a clip', width: 16, height: 9 }),
    ]);
    expect(p.media[0]!.url).toContain(video.ref.toString());
  });

  it('says why a quoted post is not shown: deleted, blocked, detached', async () => {
    const quote = (q: { uri: string; cid: string }) =>
      post({ embed: { $type: 'app.bsky.embed.record', record: q } });

    const deleted = await other.agent.post({ text: 'soon gone' });
    const ofDeleted = await quote(deleted);
    await other.agent.deletePost(deleted.uri);

    const detached = await other.agent.post({ text: 'not to be quoted' });
    const ofDetached = await quote(detached);
    await other.agent.app.bsky.feed.postgate.create(
      { repo: other.did, rkey: detached.uri.split('/').pop()! },
      { post: detached.uri, detachedEmbeddingUris: [ofDetached.uri], createdAt: new Date().toISOString() },
    );

    const blocker = await net.createAccount('blocker');
    const blockers = await blocker.agent.post({ text: 'from someone who blocks the author' });
    await blocker.agent.app.bsky.graph.block.create(
      { repo: blocker.did },
      { subject: author.did, createdAt: new Date().toISOString() },
    );
    const ofBlocked = await quote(blockers);

    for (const [ref, quoted, reason] of [
      [ofDeleted, deleted, 'not-found'],
      [ofDetached, detached, 'detached'],
      [ofBlocked, blockers, 'blocked'],
    ] as const) {
      const p = await hydrated(ref.uri);
      expect(p.quote).toBeNull();
      expect(p.quoteUnavailable).toEqual({ uri: quoted.uri, reason });
    }
  });
});
