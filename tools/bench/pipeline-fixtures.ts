// Synthetic but realistic posts for the pipeline and sandbox benchmarks: mixed networks and
// languages, some reposts, replies, content warnings, labels, media, links and muted words.
import os from 'node:os';
import type { Post, RepostReason } from '@tributary/core';
import { makePost } from '@tributary/plugin-sdk';
import type { Candidate } from '@tributary/pipeline';

const WORDS = (
  'the a and of to in is it you that he was for on are with as his they be at one have this from or had by hot word but what ' +
  'some we can out other were all there when up use your how said an each she which do their time if will way about many then ' +
  'them write would like so these her long make thing see him two has look more day could go come did number sound no most people ' +
  'sandwich android standard island coffee garden music river winter morning weekend project release update photo'
).split(' ');
const EXTRA = [
  '東京の天気は晴れ',
  'Grüße aus München',
  '今日はいい日',
  'café au lait',
  '🎉🎉 party',
  'crypto moon 🚀',
  'election night',
  'spoilers for the finale',
];
const LANGS = [['en'], ['en'], ['en'], ['de'], ['ja'], ['fr'], [], ['en', 'de']];

/** Deterministic PRNG (mulberry32) so every run measures the same posts. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makePosts(count: number, seed = 42): Post[] {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const start = Date.parse('2026-11-20T00:00:00Z');
  const posts: Post[] = [];
  for (let i = 0; i < count; i++) {
    const n = 8 + Math.floor(r() * 30);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(pick(WORDS));
    if (r() < 0.15) words.push(pick(EXTRA));
    const network = r() < 0.5 ? 'BLUESKY' : 'MASTODON';
    const author = Math.floor(r() * 2000);
    const post = makePost({
      network,
      author: {
        networkId:
          network === 'BLUESKY' ? `did:plc:author${author}` : `https://example.social/users/u${author}`,
        handle: network === 'BLUESKY' ? `author${author}.bsky.social` : `u${author}@example.social`,
      },
      text: words.join(' '),
      languages: pick(LANGS),
      createdAt: new Date(start + i * 1000).toISOString(),
      counts: {
        likes: Math.floor(r() * r() * 500),
        reposts: Math.floor(r() * r() * 50),
        replies: Math.floor(r() * 20),
        quotes: Math.floor(r() * 3),
      },
      contentWarning: r() < 0.05 ? 'spoilers' : null,
      sensitive: r() < 0.03,
      labels:
        r() < 0.03
          ? [
              {
                value: pick(['porn', 'nudity', 'ai-generated', 'graphic-media']),
                source: 'did:plc:labeler',
                action: null,
              },
            ]
          : [],
      hashtags: r() < 0.2 ? [pick(['photography', 'aiart', 'news', 'music', 'caturday'])] : [],
      replyParent:
        r() < 0.1 ? { uri: 'at://did:plc:x/app.bsky.feed.post/p', authorNetworkId: 'did:plc:someone' } : null,
      media:
        r() < 0.25
          ? [
              {
                type: 'image',
                url: 'https://cdn.example/i.jpg',
                previewUrl: 'https://cdn.example/t.jpg',
                altText: r() < 0.5 ? 'a photo of a river in winter' : null,
                width: 1200,
                height: 800,
                focus: null,
                blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
              },
            ]
          : [],
      linkCard:
        r() < 0.1
          ? {
              url: 'https://news.example/story',
              title: 'A story about the river',
              description: 'Long description of the story',
              imageUrl: null,
            }
          : null,
      raw: {
        $type: 'app.bsky.feed.post',
        text: words.join(' '),
        createdAt: new Date(start + i * 1000).toISOString(),
      },
    });
    posts.push(post);
  }
  return posts;
}

const REPOSTER: RepostReason = {
  by: {
    network: 'BLUESKY',
    networkId: 'did:plc:reposter',
    handle: 'reposter.bsky.social',
    displayName: null,
    avatarUrl: null,
    bot: false,
  },
  at: '2026-11-20T00:00:00Z',
  uri: null,
};

export function makeCandidates(posts: readonly Post[], seed = 7): Candidate[] {
  const r = rng(seed);
  return posts.map((post) => ({
    post,
    reason: r() < 0.1 ? REPOSTER : null,
    seenIn: [{ network: post.network, linkedAccountId: 'acct', sourceId: 'home', uri: post.uri }],
  }));
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}
