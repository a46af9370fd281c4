import { describe, expect, it } from '@jest/globals';
import type { Candidate } from '../types.js';
import { post, runStages } from '../spec-helpers.js';
import { dedupeKeysOf } from './dedupe.js';

const seen = (c: Candidate, linkedAccountId: string): Candidate => ({
  ...c,
  seenIn: [{ ...c.seenIn[0]!, linkedAccountId }],
});
const cand = (p: ReturnType<typeof post>, account: string): Candidate => ({
  post: p,
  reason: null,
  seenIn: [{ network: p.network, linkedAccountId: account, sourceId: 'home', uri: p.uri }],
});

describe('dedupe-crossposts', () => {
  it('merges the same post seen twice (two sources, or a repost) into one item', async () => {
    const original = post({ text: 'hello' });
    const results = await runStages(
      [{ use: 'dedupe-crossposts' }],
      [cand(original, 'acct-1'), seen(cand(original, 'acct-1'), 'acct-2')],
    );
    expect(results[0]).toMatchObject({ hidden: false, duplicateOf: null });
    expect(results[0]!.seenIn.map((s) => s.linkedAccountId)).toEqual(['acct-1', 'acct-2']);
    expect(results[0]!.decisions[0]).toMatchObject({
      verdict: 'merge',
      reason: expect.stringContaining('same post'),
    });
    expect(results[1]).toMatchObject({
      hidden: true,
      hiddenReason: 'duplicate: same post',
      duplicateOf: original.uri,
    });
  });

  it('merges a Bridgy Fed copy of a Bluesky post into the original, whichever arrives first', async () => {
    const original = post({
      network: 'BLUESKY',
      author: { networkId: 'did:plc:alice', handle: 'alice.bsky.social' },
      text: 'bridged hello',
    });
    const copy = post({
      network: 'MASTODON',
      author: {
        networkId: 'https://bsky.brid.gy/ap/did:plc:alice',
        handle: 'alice.bsky.social@bsky.brid.gy',
      },
      text: 'bridged hello',
    });
    copy.uri = `https://bsky.brid.gy/convert/ap/${original.uri}`;
    const results = await runStages(
      [{ use: 'dedupe-crossposts' }],
      [cand(copy, 'masto-acct'), cand(original, 'bsky-acct')],
    );
    expect(results[0]).toMatchObject({
      hidden: true,
      duplicateOf: original.uri,
      hiddenReason: 'duplicate: bridged copy',
    });
    expect(results[1]!.hidden).toBe(false);
    expect(results[1]!.seenIn.map((s) => s.network)).toEqual(['BLUESKY', 'MASTODON']);
  });

  it('merges a Bridgy Fed copy of a fediverse post (bridgyOriginalUrl) into the original', async () => {
    const original = post({
      network: 'MASTODON',
      author: { handle: 'alice@example.social' },
      text: 'from the fediverse',
    });
    original.webUrl = 'https://example.social/@alice/1';
    const copy = post({
      network: 'BLUESKY',
      author: { networkId: 'did:plc:bridged', handle: 'alice.example.social.ap.brid.gy' },
      text: 'from the fediverse',
    });
    copy.raw = { $type: 'app.bsky.feed.post', bridgyOriginalUrl: 'https://example.social/@alice/1' };
    const results = await runStages(
      [{ use: 'dedupe-crossposts' }],
      [cand(copy, 'bsky-acct'), cand(original, 'masto-acct')],
    );
    expect(results.map((r) => r.hidden)).toEqual([true, false]);
    expect(results[0]!.duplicateOf).toBe(original.uri);
  });

  it('merges the same person posting the same text or link on both networks within the window', async () => {
    const identities = [['did:plc:alice', 'https://example.social/users/alice']];
    const bsky = post({
      network: 'BLUESKY',
      text: 'New blog post! example.com/posts/2026/…',
      createdAt: '2026-11-23T12:00:00Z',
    });
    const masto = post({
      network: 'MASTODON',
      text: 'New blog post!  https://example.com/posts/2026/long-title',
      createdAt: '2026-11-23T12:03:00Z',
    });
    const late = post({
      network: 'MASTODON',
      text: 'New blog post! https://example.com/x',
      createdAt: '2026-11-23T15:00:00Z',
    });
    const stranger = post({
      network: 'MASTODON',
      author: { networkId: 'https://example.social/users/eve', handle: 'eve@example.social' },
      text: 'New blog post! https://example.com/y',
    });
    const stage = { use: 'dedupe-crossposts', with: { identities, windowMinutes: 30 } };
    const results = await runStages(
      [stage],
      [cand(bsky, 'b'), cand(masto, 'm'), cand(late, 'm'), cand(stranger, 'm')],
    );
    expect(results.map((r) => r.hidden)).toEqual([false, true, false, false]);
    expect(results[1]!.hiddenReason).toBe('duplicate: same text on both networks');
    const byLink = post({
      network: 'MASTODON',
      text: 'Something else entirely',
      linkCard: { url: 'https://www.example.com/a/', title: '', description: '', imageUrl: null },
      createdAt: '2026-11-23T12:05:00Z',
    });
    const withLink = post({
      network: 'BLUESKY',
      text: 'Read this',
      linkCard: { url: 'https://example.com/a', title: '', description: '', imageUrl: null },
      createdAt: '2026-11-23T12:00:00Z',
    });
    const linked = await runStages([stage], [cand(withLink, 'b'), cand(byLink, 'm')]);
    expect(linked[1]).toMatchObject({ hidden: true, hiddenReason: 'duplicate: same link on both networks' });
    // Without the identity, two accounts are two people.
    const unlinked = await runStages([{ use: 'dedupe-crossposts' }], [cand(bsky, 'b'), cand(masto, 'm')]);
    expect(unlinked.map((r) => r.hidden)).toEqual([false, false]);
  });

  it('does not merge the same text twice on one network', async () => {
    const identities = [['did:plc:alice', 'https://example.social/users/alice']];
    const a = post({ text: 'good morning everyone' });
    const b = post({ text: 'good morning everyone' });
    const results = await runStages([{ use: 'dedupe-crossposts', with: { identities } }], [a, b]);
    expect(results.map((r) => r.hidden)).toEqual([false, false]);
  });

  it('merges new duplicates into entries already stored (history)', async () => {
    const stored = post({ text: 'stored' });
    const again = post({ text: 'stored' });
    again.uri = stored.uri;
    const results = await runStages([{ use: 'dedupe-crossposts' }], [cand(again, 'acct-2')], {
      history: [{ post: stored }],
    });
    expect(results[0]).toMatchObject({ hidden: true, duplicateOf: stored.uri });
    expect(results[0]!.seenIn[0]!.linkedAccountId).toBe('acct-2');
  });

  it('dedupeKeysOf: a stored post a new one is merged into always shares a key with it', async () => {
    // libs/timeline reads back only the stored entries sharing a key with the batch: this is what
    // makes that equal to reading the whole window.
    const identities = [['did:plc:alice', 'https://example.social/users/alice']];
    const at = (minute: number) => `2026-11-23T12:${String(minute).padStart(2, '0')}:00.000Z`;
    const bsky = post({ network: 'BLUESKY', text: 'New blog post! example.com/p/…', createdAt: at(0) });
    const masto = post({
      network: 'MASTODON',
      author: { networkId: 'https://example.social/users/alice', handle: 'alice@example.social' },
      text: 'New blog post! https://example.com/p/long',
      createdAt: at(3),
    });
    const linkOnly = post({
      network: 'MASTODON',
      author: { networkId: 'https://example.social/users/alice', handle: 'alice@example.social' },
      text: 'other words',
      linkCard: { url: 'https://www.example.com/a/', title: '', description: '', imageUrl: null },
      createdAt: at(4),
    });
    const withLink = post({
      network: 'BLUESKY',
      text: 'Read this',
      linkCard: { url: 'https://example.com/a', title: '', description: '', imageUrl: null },
      createdAt: at(1),
    });
    const fediOriginal = post({
      network: 'MASTODON',
      author: { handle: 'carol@example.social' },
      text: 'hi',
    });
    fediOriginal.webUrl = 'https://example.social/@carol/1';
    const fediCopy = post({
      network: 'BLUESKY',
      author: { networkId: 'did:plc:bridged', handle: 'carol.example.social.ap.brid.gy' },
      text: 'hi',
    });
    fediCopy.raw = { $type: 'app.bsky.feed.post', bridgyOriginalUrl: 'https://example.social/@carol/1' };
    const bskyCopy = post({
      network: 'MASTODON',
      author: {
        networkId: 'https://bsky.brid.gy/ap/did:plc:alice',
        handle: 'alice.bsky.social@bsky.brid.gy',
      },
      text: 'New blog post! example.com/p/…',
    });
    bskyCopy.uri = `https://bsky.brid.gy/convert/ap/${bsky.uri}`;
    const sameUri = post({ text: 'again' });
    sameUri.uri = bsky.uri;
    const corpus = [bsky, masto, linkOnly, withLink, fediOriginal, fediCopy, bskyCopy, sameUri];
    const keysOf = dedupeKeysOf(identities);
    let merges = 0;
    for (const stored of corpus) {
      for (const incoming of corpus) {
        if (incoming === stored) continue;
        const [result] = await runStages(
          [{ use: 'dedupe-crossposts', with: { identities, windowMinutes: 30 } }],
          [cand(incoming, 'acct')],
          { history: [{ post: stored }] },
        );
        if (result!.duplicateOf !== stored.uri) continue;
        merges++;
        const storedKeys = new Set(keysOf(stored));
        expect([stored.uri, incoming.uri, keysOf(incoming).some((k) => storedKeys.has(k))]).toEqual([
          stored.uri,
          incoming.uri,
          true,
        ]);
      }
    }
    expect(merges).toBeGreaterThanOrEqual(6); // every kind of duplicate occurs
  });
});
