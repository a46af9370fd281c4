import type { IngestedItem, Network, Post } from '@tributary/core';
import type { PrismaClient } from '@tributary/db';

/** A complete normalized post; `n` makes its URI, author (one of 7) and time (n seconds apart). */
export function testPost(n: number, overrides: Partial<Post> = {}, base = Date.UTC(2026, 0, 1)): Post {
  const did = `did:plc:author${n % 7}`;
  return {
    network: 'BLUESKY',
    uri: `at://${did}/app.bsky.feed.post/p${n}`,
    nativeId: `cid${n}`,
    webUrl: `https://bsky.app/profile/${did}/post/p${n}`,
    author: {
      network: 'BLUESKY',
      networkId: did,
      handle: `author${n % 7}.test`,
      displayName: null,
      avatarUrl: null,
      bot: false,
    },
    text: `post number ${n}`,
    richText: { segments: [{ type: 'text', text: `post number ${n}` }] },
    languages: ['en'],
    createdAt: new Date(base + n * 1000).toISOString(),
    indexedAt: new Date(base + n * 1000 + 500).toISOString(),
    replyParent: null,
    replyRoot: null,
    quote: null,
    media: [],
    linkCard: null,
    counts: { replies: 0, reposts: n % 3, likes: n % 11, quotes: 0 },
    contentWarning: null,
    sensitive: false,
    labels: [],
    visibility: 'public',
    hashtags: [],
    raw: { $type: 'app.bsky.feed.post' },
    ...overrides,
  };
}

export const items = (posts: Post[]): IngestedItem[] => posts.map((post) => ({ post, reason: null }));

/** The Bridgy Fed copy on Mastodon of `original` (a Bluesky post), as post `n`. */
export function bridgyCopy(original: Post, n: number): Post {
  const did = original.author.networkId;
  return testPost(n, {
    network: 'MASTODON',
    uri: `https://bsky.brid.gy/r/https://bsky.app/profile/${did}/post/${original.uri.split('/').pop()}`,
    author: {
      network: 'MASTODON',
      networkId: `https://bsky.brid.gy/ap/${did}`,
      handle: `${original.author.handle}@bsky.brid.gy`,
      displayName: null,
      avatarUrl: null,
      bot: false,
    },
    createdAt: original.createdAt,
    text: original.text,
  });
}

/** A linked account of `userId` on `network` with one home-timeline source. */
export async function createSource(
  prisma: PrismaClient,
  userId: string,
  network: Network = 'BLUESKY',
): Promise<{ accountId: string; sourceId: string }> {
  const account = await prisma.linkedAccount.create({
    data: {
      userId,
      network,
      networkAccountId: `${network}:${userId}:${Math.random()}`,
      handle: 'me.test',
      serviceUrl: 'http://localhost',
      credentials: 'sealed',
    },
  });
  const source = await prisma.source.create({ data: { linkedAccountId: account.id, kind: 'HOME' } });
  return { accountId: account.id, sourceId: source.id };
}
