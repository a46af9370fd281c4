import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ConnectorError, ConnectorErrorCode } from '@tributary/core';
import { normalizeThread } from './normalize-thread.js';

// Post views recorded from @atproto/dev-env (see normalize-post.spec.ts), arranged into a thread.
const recorded = JSON.parse(
  readFileSync(new URL('../test/fixtures/timeline.json', import.meta.url), 'utf8'),
) as {
  feed: Array<{ post: { uri: string } }>;
};
const views = recorded.feed
  .map((e) => e.post)
  .filter((p, i, all) => all.findIndex((q) => q.uri === p.uri) === i);
const [a, b, c, d, e] = views as [
  { uri: string },
  { uri: string },
  { uri: string },
  { uri: string },
  { uri: string },
];
const node = (post: unknown, more: Record<string, unknown> = {}) => ({
  $type: 'app.bsky.feed.defs#threadViewPost',
  post,
  ...more,
});

describe('normalizeThread', () => {
  it('flattens parents (root first) and nested replies (depth-first, with parents)', () => {
    const thread = normalizeThread(
      node(c, {
        parent: node(b, { parent: node(a) }),
        replies: [
          node(d, { replies: [node(e)] }),
          { $type: 'app.bsky.feed.defs#blockedPost', uri: 'at://x', blocked: true },
        ],
      }),
      c.uri,
    );
    expect(thread.post.uri).toBe(c.uri);
    expect(thread.ancestors.map((p) => p.uri)).toEqual([a.uri, b.uri]);
    expect(thread.replies.map((r) => [r.post.uri, r.parentUri, r.depth])).toEqual([
      [d.uri, c.uri, 1],
      [e.uri, d.uri, 2],
    ]);
  });

  it('stops the ancestors at a deleted parent and skips an unreadable reply with its subtree', () => {
    const thread = normalizeThread(
      node(c, {
        parent: node(b, {
          parent: { $type: 'app.bsky.feed.defs#notFoundPost', uri: 'at://gone', notFound: true },
        }),
        replies: [node({ uri: 'not a post' }, { replies: [node(e)] }), node(d)],
      }),
      c.uri,
    );
    expect(thread.ancestors.map((p) => p.uri)).toEqual([b.uri]);
    expect(thread.replies.map((r) => r.post.uri)).toEqual([d.uri]);
    expect(thread.skipped).toHaveLength(1);
  });

  it('is NOT_FOUND for a deleted or blocked post', () => {
    for (const gone of [
      { $type: 'app.bsky.feed.defs#notFoundPost', uri: c.uri, notFound: true },
      { $type: 'app.bsky.feed.defs#blockedPost', uri: c.uri, blocked: true },
    ]) {
      let error: unknown;
      try {
        normalizeThread(gone, c.uri);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe(ConnectorErrorCode.NotFound);
    }
  });
});
