import { describe, expect, it } from '@jest/globals';
import type { RepoEvent } from '@tributary/connector-bluesky';
import { FollowGraph } from './follow-graph.js';

const [M1, M2, A, B, C] = ['did:plc:m1', 'did:plc:m2', 'did:plc:a', 'did:plc:b', 'did:plc:c'];

function event(
  did: string,
  collection: string,
  rkey: string,
  action: RepoEvent['action'] = 'create',
  record?: object,
) {
  return {
    did,
    collection,
    rkey,
    action,
    uri: `at://${did}/${collection}/${rkey}`,
    seq: 1,
    time: '2026-12-01T00:00:00.000Z',
    ...(record ? { record: record as Record<string, unknown> } : {}),
  } satisfies RepoEvent;
}

function graph(): FollowGraph {
  const g = new FollowGraph();
  g.setHomes(M1, ['home-1']);
  g.setHomes(M2, ['home-2a', 'home-2b']); // one account linked by two users
  g.setFollows(M1, new Map([['f1', A]]));
  g.setFollows(
    M2,
    new Map([
      ['f2', A],
      ['f3', B],
    ]),
  );
  return g;
}

describe('FollowGraph.decide', () => {
  it('attaches a post to the HOME of every member following its author, and of the author', () => {
    const g = graph();
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p1'))).toEqual({
      type: 'attach',
      uri: `at://${A}/app.bsky.feed.post/p1`,
      reason: null,
      sourceIds: ['home-1', 'home-2a', 'home-2b'],
    });
    expect(g.decide(event(M1, 'app.bsky.feed.post', 'own'))).toMatchObject({ sourceIds: ['home-1'] });
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p2'))).toBeNull();
  });

  it('attaches a repost’s subject with the reposter as reason, and ignores a malformed subject', () => {
    const g = graph();
    const subject = `at://${C}/app.bsky.feed.post/x`;
    expect(
      g.decide(event(B, 'app.bsky.feed.repost', 'r1', 'create', { subject: { uri: subject, cid: 'c' } })),
    ).toEqual({
      type: 'attach',
      uri: subject,
      reason: { by: B, uri: `at://${B}/app.bsky.feed.repost/r1`, at: '2026-12-01T00:00:00.000Z' },
      sourceIds: ['home-2a', 'home-2b'],
    });
    expect(
      g.decide(event(B, 'app.bsky.feed.repost', 'r2', 'create', { subject: { uri: 'https://x' } })),
    ).toBeNull();
  });

  it('leaves a blocked account’s posts and reposts of its posts out of the blocker’s HOME', () => {
    const g = graph();
    g.setBlocks(M2, new Map([['b1', A]]));
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p'))).toMatchObject({ sourceIds: ['home-1'] });
    // B (followed by M2) reposts A's post: M2 blocks A, so not for M2 either.
    const repost = { subject: { uri: `at://${A}/app.bsky.feed.post/p`, cid: 'x' } };
    expect(g.decide(event(B, 'app.bsky.feed.repost', 'r', 'create', repost))).toBeNull();
    // Unblocked by record key from the stream; blocked again.
    const unblock = g.decide(event(M2, 'app.bsky.graph.block', 'b1', 'delete'));
    expect(unblock).toEqual({ type: 'unblock', member: M2, rkey: 'b1' });
    g.apply(unblock as never);
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p'))).toMatchObject({
      sourceIds: ['home-1', 'home-2a', 'home-2b'],
    });
    g.apply(g.decide(event(M2, 'app.bsky.graph.block', 'b2', 'create', { subject: B })) as never);
    expect(g.decide(event(B, 'app.bsky.feed.post', 'p'))).toBeNull();
    // A non-member's block is not the community's business.
    expect(g.decide(event(A, 'app.bsky.graph.block', 'b3', 'create', { subject: M1 }))).toBeNull();
  });

  it('follows a member’s follows and unfollows by record key', () => {
    const g = graph();
    const follow = g.decide(event(M1, 'app.bsky.graph.follow', 'f9', 'create', { subject: C }));
    expect(follow).toEqual({ type: 'follow', member: M1, rkey: 'f9', subject: C });
    g.apply(follow as never);
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p'))).toMatchObject({ sourceIds: ['home-1'] });
    expect(g.wantedDids().sort()).toEqual([A, B, C, M1, M2].sort());
    g.apply(g.decide(event(M1, 'app.bsky.graph.follow', 'f9', 'delete')) as never);
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p'))).toBeNull();
    expect(g.wantedDids()).not.toContain(C);
    // Someone else's follow is not the community's business.
    expect(g.decide(event(A, 'app.bsky.graph.follow', 'f', 'create', { subject: M1 }))).toBeNull();
  });

  it('keeps a follow while another record of the same member still follows', () => {
    const g = graph();
    g.addFollow(M1, 'dup', A);
    g.removeFollow(M1, 'f1');
    expect(g.isFollowing(M1, A)).toBe(true);
    g.removeFollow(M1, 'dup');
    expect(g.isFollowing(M1, A)).toBe(false);
  });

  it('says when a member starts or stops following someone: the first and the last record only', () => {
    const g = graph();
    const follow = (rkey: string, subject: string) => g.apply({ type: 'follow', member: M1, rkey, subject });
    const unfollow = (rkey: string) => g.apply({ type: 'unfollow', member: M1, rkey });
    expect(follow('f9', C)).toEqual({ member: M1, subject: C, following: true });
    expect(follow('f9', C)).toBeNull(); // a replayed event
    expect(follow('dup', C)).toBeNull(); // a second record of the same follow
    expect(unfollow('f9')).toBeNull();
    expect(unfollow('dup')).toEqual({ member: M1, subject: C, following: false });
    expect(unfollow('dup')).toBeNull();
  });

  it('tells what a reload of the follows changed', () => {
    const g = graph();
    const before = new Set(g.followsOf(M2));
    g.setFollows(
      M2,
      new Map([
        ['f3', B],
        ['f4', C],
      ]),
    );
    expect(g.changesSince(M2, before)).toEqual([
      { member: M2, subject: A, following: false },
      { member: M2, subject: C, following: true },
    ]);
  });

  it('hands on the record a post event carried, for storing the post before the AppView has it', () => {
    const g = graph();
    const record = { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2026-12-01T00:00:00.000Z' };
    const withRecord = { ...event(A, 'app.bsky.feed.post', 'p', 'create', record), cid: 'bafy' };
    expect(g.decide(withRecord)).toMatchObject({
      record: { cid: 'bafy', value: record, at: '2026-12-01T00:00:00.000Z' },
    });
    // Without a CID (a per-PDS signal), the AppView's view is the only source.
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p', 'create', record))).not.toHaveProperty('record');
  });

  it('feeds AUTHOR sources posts and reposts, LIST sources posts only', () => {
    const g = graph();
    g.setAuthorSources(new Map([[C, new Set(['author-c'])]]));
    g.setListMembers('list-1', [C]);
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p'))).toMatchObject({
      sourceIds: ['author-c', 'list-1'],
    });
    const repost = event(C, 'app.bsky.feed.repost', 'r', 'create', {
      subject: { uri: `at://${A}/app.bsky.feed.post/1` },
    });
    expect(g.decide(repost)).toMatchObject({ sourceIds: ['author-c'] });
    g.setListMembers('list-1', null);
    g.setAuthorSources(new Map());
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p'))).toBeNull();
  });

  it('reports deletes of watched repos only', () => {
    const g = graph();
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p', 'delete'))).toEqual({
      type: 'delete',
      collection: 'app.bsky.feed.post',
      uri: `at://${A}/app.bsky.feed.post/p`,
      did: A,
    });
    expect(g.decide(event(C, 'app.bsky.feed.repost', 'r', 'delete'))).toBeNull();
  });

  it('changes its version only when the watched repos may have changed', () => {
    const g = graph();
    const version = g.version;
    g.setHomes(M1, ['home-1']);
    g.setAuthorSources(new Map());
    g.setListMembers('none', null);
    expect(g.version).toBe(version); // a reconcile that found nothing new sends no filter
    g.setHomes(C, ['home-c']);
    expect(g.version).toBeGreaterThan(version);
  });

  it('watches the owners of subscribed filter lists, for their list items, and nothing of theirs else', () => {
    const g = graph();
    const version = g.version;
    g.setFilterListOwners(new Set([C]));
    expect(g.version).toBeGreaterThan(version);
    expect(g.wantedDids()).toContain(C);
    const after = g.version;
    g.setFilterListOwners(new Set([C]));
    expect(g.version).toBe(after);
    // Their posts go nowhere (BlueskyListWatch hears their list items before the graph decides).
    expect(g.decide(event(C, 'app.bsky.feed.post', 'p'))).toBeNull();
    g.setFilterListOwners(new Set());
    expect(g.wantedDids()).not.toContain(C);
  });

  it('forgets a member: their follows no longer route anything', () => {
    const g = graph();
    g.removeMember(M2);
    expect(g.decide(event(B, 'app.bsky.feed.post', 'p'))).toBeNull();
    expect(g.decide(event(A, 'app.bsky.feed.post', 'p'))).toMatchObject({ sourceIds: ['home-1'] });
  });
});
