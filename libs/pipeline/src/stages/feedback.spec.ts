import { describe, expect, it } from '@jest/globals';
import { post, runStages, verdicts } from '../spec-helpers.js';
import type { MemberFeedback } from './feedback.js';

const author = (networkId: string) => ({
  network: 'BLUESKY' as const,
  networkId,
  handle: `${networkId.slice(8)}.test`,
  displayName: null,
  avatarUrl: null,
  bot: false,
});
const seenPost = post({ uri: 'at://did:plc:a/app.bsky.feed.post/seen', author: author('did:plc:a') });
const freshPost = post({ uri: 'at://did:plc:a/app.bsky.feed.post/fresh', author: author('did:plc:a') });
const boring = post({ uri: 'at://did:plc:boring/app.bsky.feed.post/1', author: author('did:plc:boring') });
const liked = post({ uri: 'at://did:plc:liked/app.bsky.feed.post/1', author: author('did:plc:liked') });

const fb: MemberFeedback = {
  seen: new Set([seenPost.uri]),
  less: new Map([['did:plc:boring', 5]]),
  more: new Map([['did:plc:liked', 1]]),
};

describe('feedback stage', () => {
  it('hides, sinks or keeps posts the member has seen, as the stage says', async () => {
    expect(
      await verdicts({ use: 'feedback', with: { seen: 'hide' } }, [seenPost, freshPost], { feedback: fb }),
    ).toEqual(['hide:already seen', 'keep']);
    const [sunk, fresh] = await runStages([{ use: 'feedback' }], [seenPost, freshPost], { feedback: fb });
    expect(sunk!.hidden).toBe(false);
    expect(sunk!.decisions).toEqual([
      { stage: 'feedback', index: 0, verdict: 'demote', reason: 'already seen', score: -4 },
    ]);
    expect(fresh!.decisions).toEqual([]);
    const [kept] = await runStages([{ use: 'feedback', with: { seen: 'keep' } }], [seenPost], {
      feedback: fb,
    });
    expect(kept!.decisions).toEqual([]);
  });

  it('scores an author the member asked less (capped at 3 requests) or more of, and says why', async () => {
    const [b, l] = await runStages(
      [{ use: 'feedback', with: { less: 2, more: 1 }, weight: 2 }],
      [boring, liked],
      {
        feedback: fb,
      },
    );
    expect(b!.decisions).toEqual([
      {
        stage: 'feedback',
        index: 0,
        verdict: 'score',
        reason: 'you asked for less from this author',
        score: -12,
      },
    ]);
    expect(l!.decisions).toEqual([
      {
        stage: 'feedback',
        index: 0,
        verdict: 'score',
        reason: 'you asked for more from this author',
        score: 2,
      },
    ]);
  });

  it('does nothing without feedback, and refuses an unknown `seen`', async () => {
    const results = await runStages([{ use: 'feedback' }], [seenPost, boring]);
    expect(results.map((r) => r.decisions)).toEqual([[], []]);
    await expect(runStages([{ use: 'feedback', with: { seen: 'vanish' } }], [seenPost])).rejects.toThrow(
      /expected "hide", "sink" or "keep"/,
    );
  });
});
