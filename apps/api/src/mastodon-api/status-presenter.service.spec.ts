import { describe, expect, it } from '@jest/globals';
import type { Post } from '@tributary/core';
import type { IdRequest } from './ids/id-keys.js';
import { IdMap } from './ids/mastodon-ids.service.js';
import type { MastodonIds } from './ids/mastodon-ids.service.js';
import { StatusPresenter } from './status-presenter.service.js';
import type { StoredEntry } from './status-presenter.service.js';
import type { ViewerStates } from './viewer-state.js';

/** Ids numbered on first sight, as MastodonIds hands them out; counts the ids each call asks for. */
function fakeIds() {
  const known = new Map<string, string>();
  const asked: number[] = [];
  const ids = {
    ids: async (requests: readonly IdRequest[]) => {
      asked.push(requests.length);
      for (const r of requests) {
        const k = `${r.kind} ${r.key}`;
        if (!known.has(k)) known.set(k, String(1_000_000_000_000_000_000n + BigInt(known.size)));
      }
      return new IdMap(known);
    },
  };
  return { ids: ids as unknown as MastodonIds, asked };
}

const stored = (n: number, text: string): Omit<Post, 'raw'> => ({
  network: 'BLUESKY',
  uri: `at://did:plc:alice/app.bsky.feed.post/${n}`,
  nativeId: `cid${n}`,
  webUrl: null,
  author: {
    network: 'BLUESKY',
    networkId: 'did:plc:alice',
    handle: 'alice.test',
    displayName: null,
    avatarUrl: null,
    bot: false,
  },
  text,
  richText: { segments: [{ type: 'text', text }] },
  languages: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  indexedAt: '2026-12-01T10:00:00.000Z',
  replyParent: null,
  replyRoot: null,
  quote: null,
  media: [],
  linkCard: null,
  counts: { replies: 0, reposts: 0, likes: 0, quotes: 0 },
  contentWarning: null,
  sensitive: false,
  labels: [],
  visibility: 'public',
  hashtags: [],
});

const entry = (n: number, text: string, version: string, favourited = false): StoredEntry => ({
  postId: String(n),
  postJson: JSON.stringify(stored(n, text)),
  postVersion: version,
  reason: null,
  warnings: [],
  viewer: { favourited, reblogged: false, bookmarked: false, ownVotes: null },
});

const ctx = { baseUrl: 'https://tributary.example' };

describe('StatusPresenter.statusesJson', () => {
  it('maps a post version once: read again, only the member’s own fields are made', async () => {
    const { ids, asked } = fakeIds();
    const presenter = new StatusPresenter(ids, {} as ViewerStates);
    const first = await presenter.statusesJson([entry(1, 'one', '10'), entry(2, 'two', '20')], ctx);
    expect(asked).toHaveLength(1);
    const statuses = JSON.parse(first.json.toString()) as {
      id: string;
      content: string;
      favourited: boolean;
    }[];
    expect(statuses.map((s) => [s.content, s.favourited])).toEqual([
      ['<p>one</p>', false],
      ['<p>two</p>', false],
    ]);
    expect(first.ids).toEqual(statuses.map((s) => s.id));

    // Another member, who favourited the first: no post mapped again, no id asked for.
    const again = await presenter.statusesJson([entry(1, 'one', '10', true), entry(2, 'two', '20')], ctx);
    expect(asked).toHaveLength(1);
    expect((JSON.parse(again.json.toString()) as { favourited: boolean }[]).map((s) => s.favourited)).toEqual(
      [true, false],
    );

    // A new version of the row (an edit) is mapped anew, the other one not.
    const edited = await presenter.statusesJson([entry(1, 'one, edited', '11'), entry(2, 'two', '20')], ctx);
    expect(asked).toEqual([4, 2]);
    expect((JSON.parse(edited.json.toString()) as { content: string }[])[0]!.content).toBe(
      '<p>one, edited</p>',
    );
    expect(edited.ids).toEqual(first.ids);
  });

  it('gives each member their own vote in a poll, never another’s through the shared cache', async () => {
    const { ids } = fakeIds();
    const presenter = new StatusPresenter(ids, {} as ViewerStates);
    const polled = (ownVotes: number[] | null): StoredEntry => ({
      ...entry(4, 'tea or coffee?', '40'),
      postJson: JSON.stringify({
        ...stored(4, 'tea or coffee?'),
        network: 'MASTODON',
        uri: 'https://social.example/users/sam/statuses/4',
        poll: {
          id: '9',
          options: [
            { title: 'tea', votes: 1 },
            { title: 'coffee', votes: 1 },
          ],
          expiresAt: null,
          expired: false,
          multiple: false,
          votes: 2,
          voters: 2,
        },
      }),
      viewer: { favourited: false, reblogged: false, bookmarked: false, ownVotes },
    });
    const pollOf = async (e: StoredEntry) =>
      (JSON.parse((await presenter.statusesJson([e], ctx)).json.toString()) as { poll: unknown }[])[0]!.poll;
    // Alice voted and reads it first (it is cached then); bob, who did not, reads the same version.
    expect(await pollOf(polled([1]))).toMatchObject({ voted: true, own_votes: [1], votes_count: 2 });
    expect(await pollOf(polled(null))).toMatchObject({ voted: false, own_votes: [], votes_count: 2 });
    expect(await pollOf(polled([1]))).toMatchObject({ voted: true, own_votes: [1] });
  });

  it('gives the JSON value `statuses` gives, boosts, warnings and quotes included, from the cache too', async () => {
    const { ids } = fakeIds();
    const presenter = new StatusPresenter(ids, {} as ViewerStates);
    const boosted: StoredEntry = {
      ...entry(3, 'boosted', '30', true),
      reason: {
        by: {
          network: 'BLUESKY',
          networkId: 'did:plc:carol',
          handle: 'carol.test',
          displayName: 'Carol',
          avatarUrl: null,
          bot: false,
        },
        at: '2026-12-02T10:00:00.000Z',
        uri: 'at://did:plc:carol/app.bsky.feed.repost/9',
      },
      warnings: [{ stage: 'words', verdict: 'warn', reason: 'mentions “spoilers”' }],
    };
    // A post quoting one with a poll, which the member voted in and liked.
    const quoted = {
      ...stored(5, 'tea or coffee?'),
      poll: {
        id: '9',
        options: [{ title: 'tea', votes: 1 }],
        expiresAt: null,
        expired: false,
        multiple: false,
        votes: 1,
        voters: 1,
      },
    };
    const quoting: StoredEntry = {
      ...entry(6, 'this one', '60'),
      postJson: JSON.stringify({ ...stored(6, 'this one'), quote: quoted }),
      viewer: {
        favourited: false,
        reblogged: false,
        bookmarked: false,
        ownVotes: null,
        quote: { favourited: true, reblogged: false, bookmarked: false, ownVotes: [0] },
      },
    };
    const entries = [entry(1, 'one', '10'), boosted, { ...boosted, reason: null }, quoting];
    const objects = await presenter.statuses(
      'member',
      entries.map((e) => ({
        postId: e.postId,
        post: JSON.parse(e.postJson) as Omit<Post, 'raw'>,
        reason: e.reason,
        decisions: e.warnings,
        viewer: e.viewer,
      })),
      ctx,
    );
    expect(objects[3]!['quote']).toMatchObject({
      quoted_status: { favourited: true, poll: { voted: true, own_votes: [0] } },
    });
    for (let read = 0; read < 2; read++) {
      const page = await presenter.statusesJson(entries, ctx);
      expect(JSON.parse(page.json.toString())).toEqual(objects);
      expect(page.ids).toEqual(objects.map((s) => s['id']));
    }
  });
});
