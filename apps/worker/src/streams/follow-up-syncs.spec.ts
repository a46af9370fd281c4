import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FollowUpSyncs } from './follow-up-syncs.js';

const post = (n: number) => `at://did:plc:alice/app.bsky.feed.post/${n}`;

describe('FollowUpSyncs', () => {
  let seen: Set<string>;
  let synced: string[];
  let followUps: FollowUpSyncs;

  beforeEach(() => {
    jest.useFakeTimers();
    seen = new Set();
    synced = [];
    followUps = new FollowUpSyncs({
      checksMs: [1_500, 15_000],
      unseen: (_source, uris) => Promise.resolve(uris.filter((u) => !seen.has(u))),
      sync: (source) => {
        synced.push(source);
        return Promise.resolve();
      },
      onError: (_source, error) => {
        throw error;
      },
    });
  });

  afterEach(() => {
    followUps.stop();
    jest.useRealTimers();
  });

  it('asks nothing more when the first sync saw the post', async () => {
    followUps.expect('home', post(1));
    seen.add(post(1));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(synced).toEqual([]);
  });

  it('syncs again at the first check for a post the first sync missed, and not at the second once seen', async () => {
    followUps.expect('home', post(1));
    await jest.advanceTimersByTimeAsync(1_500);
    expect(synced).toEqual(['home']);
    seen.add(post(1));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(synced).toEqual(['home']);
  });

  it('gives up after the last check: three syncs at most per event, the first being the caller’s', async () => {
    followUps.expect('home', post(1));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(synced).toEqual(['home', 'home']);
  });

  it('checks a burst of events on one source once, and each source on its own', async () => {
    followUps.expect('home', post(1));
    followUps.expect('home', post(2));
    followUps.expect('list', post(2));
    seen.add(post(1));
    await jest.advanceTimersByTimeAsync(1_500);
    expect(synced.sort()).toEqual(['home', 'list']);
  });

  it('queues nothing once stopped', async () => {
    followUps.expect('home', post(1));
    followUps.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(synced).toEqual([]);
  });
});
