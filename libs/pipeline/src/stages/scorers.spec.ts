import { describe, expect, it } from '@jest/globals';
import { rankKey } from '../rank-key.js';
import { post, runStages } from '../spec-helpers.js';

const at = (iso: string) => Date.parse(iso);

describe('rank key', () => {
  it('is createdAt/τ plus contributions, so it never depends on when it is computed', async () => {
    const p = post({
      createdAt: '2026-11-23T12:00:00Z',
      counts: { likes: 7, reposts: 0, replies: 0, quotes: 0 },
    });
    const stages = [
      { use: 'score/recency', with: { halfLifeHours: 2 } },
      { use: 'score/engagement', weight: 0.5 },
    ];
    const early = await runStages(stages, [p], { now: new Date('2026-11-23T12:00:00Z') });
    const late = await runStages(stages, [p], { now: new Date('2027-01-01T00:00:00Z') });
    expect(early[0]!.rankKey).toBe(late[0]!.rankKey);
    expect(early[0]!.rankKey).toBeCloseTo(rankKey(at('2026-11-23T12:00:00Z'), 0.5 * Math.log2(8), 2), 9);
    expect(early[0]!.decisions).toEqual([
      { stage: 'score/engagement', index: 1, verdict: 'score', reason: 'engagement', score: 1.5 },
    ]);
  });

  it('lists every score stage with its contribution when the run explains itself (previews), zero included', async () => {
    const quiet = post({
      author: { networkId: 'did:plc:fav' },
      counts: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
    });
    const liked = post({ counts: { likes: 3, reposts: 0, replies: 0, quotes: 0 } });
    const stages = [
      { use: 'score/recency', with: { halfLifeHours: 2 } },
      { use: 'score/engagement' },
      { use: 'score/boost-authors', with: { authors: ['did:plc:fav'], amount: 0.5 } },
    ];
    const [q, l] = await runStages(stages, [quiet, liked], { explain: true });
    const recency = {
      stage: 'score/recency',
      index: 0,
      verdict: 'score',
      reason: 'ranked by time: one unit per 2 h half-life',
      score: 0,
    };
    expect(q!.decisions).toEqual([
      recency,
      { stage: 'score/engagement', index: 1, verdict: 'score', reason: 'no engagement', score: 0 },
      { stage: 'score/boost-authors', index: 2, verdict: 'score', reason: 'boosted author', score: 0.5 },
    ]);
    expect(l!.decisions).toEqual([
      recency,
      { stage: 'score/engagement', index: 1, verdict: 'score', reason: 'engagement', score: 2 },
      { stage: 'score/boost-authors', index: 2, verdict: 'score', reason: 'author not boosted', score: 0 },
    ]);
    // Stored entries (no explain) keep only what moved the post.
    const [qs, ls] = await runStages(stages, [quiet, liked]);
    expect(qs!.decisions.map((d) => d.stage)).toEqual(['score/boost-authors']);
    expect(ls!.decisions.map((d) => d.stage)).toEqual(['score/engagement']);
  });

  it('makes one unit worth one half-life: a newer post outranks an older one with equal score', async () => {
    const older = post({ createdAt: '2026-11-23T10:00:00Z' });
    const newer = post({ createdAt: '2026-11-23T12:00:00Z' });
    const [o, n] = await runStages([{ use: 'score/recency', with: { halfLifeHours: 2 } }], [older, newer]);
    expect(n!.rankKey - o!.rankKey).toBeCloseTo(1, 9);
  });

  it('engagement is logarithmic and weighted; reposts and quotes count double', async () => {
    const quiet = post({ counts: { likes: 0, reposts: 0, replies: 0, quotes: 0 } });
    const some = post({ counts: { likes: 1, reposts: 1, replies: 0, quotes: 0 } });
    const lots = post({ counts: { likes: 1000, reposts: 200, replies: 50, quotes: 50 } });
    const results = await runStages([{ use: 'score/engagement' }], [quiet, some, lots]);
    const scores = results.map((r) => r.decisions.reduce((s, d) => s + d.score, 0));
    expect(scores[0]).toBe(0);
    expect(scores[1]).toBeCloseTo(2, 9); // log2(1 + 1 + 2)
    expect(scores[2]).toBeCloseTo(Math.log2(1 + 1000 + 400 + 50 + 100), 9);
  });

  it('boosts listed authors by amount × weight; hidden posts earn nothing', async () => {
    const fav = post({ author: { networkId: 'did:plc:fav' } });
    const other = post();
    const hiddenFav = post({ author: { networkId: 'did:plc:fav' }, text: 'spam' });
    const results = await runStages(
      [
        { use: 'mute-words', with: { words: ['spam'] } },
        { use: 'score/boost-authors', with: { authors: ['did:plc:fav'], amount: 2 }, weight: 0.5 },
      ],
      [fav, other, hiddenFav],
    );
    const base = rankKey(at(fav.createdAt), 0);
    expect(results[0]!.rankKey - base).toBeCloseTo(1, 9);
    expect(results[1]!.rankKey - base).toBeCloseTo(0, 9);
    expect(results[2]!.rankKey - base).toBeCloseTo(0, 9);
    expect(results[2]!.decisions.map((d) => d.verdict)).toEqual(['hide']);
  });
});

describe('diversify/author-cap', () => {
  it('demotes an author beyond `max` posts within `per` ranked items', async () => {
    const times = ['12:00', '12:01', '12:02', '12:03', '12:04'];
    const prolific = times.map((t) =>
      post({ author: { networkId: 'did:plc:loud' }, createdAt: `2026-11-23T${t}:00Z` }),
    );
    const quiet = post({ author: { networkId: 'did:plc:quiet' }, createdAt: '2026-11-23T11:00:00Z' });
    const results = await runStages(
      [{ use: 'diversify/author-cap', with: { max: 2, per: 10 } }],
      [...prolific, quiet],
    );
    const demoted = results.map((r) => r.decisions.find((d) => d.verdict === 'demote')?.score ?? 0);
    // Ranked newest first: 12:04, 12:03 keep their place; 12:02 gets -1, 12:01 -2, 12:00 -3.
    expect(demoted).toEqual([-3, -2, -1, 0, 0, 0]);
    const order = results
      .map((r, i) => ({ i, k: r.rankKey }))
      .sort((a, b) => b.k - a.k)
      .map((x) => x.i);
    expect(order).toEqual([4, 3, 5, 2, 1, 0]);
  });
});

describe('parseIsoMs', () => {
  it('agrees with Date.parse on stored timestamps and falls back for other forms', async () => {
    const { parseIsoMs } = await import('../rank-key.js');
    for (const iso of [
      '2026-11-23T12:00:00.000Z',
      '2026-11-23T12:00:00Z',
      '1999-12-31T23:59:59.999Z',
      '2024-02-29T00:00:00.000Z',
      '2026-11-23T12:00:00+02:00',
      '2026-11-23',
      'garbage',
      '2026-13-01T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-04-31T10:00:00Z',
      '1900-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
    ]) {
      expect([iso, parseIsoMs(iso)]).toEqual([iso, Date.parse(iso)]);
    }
  });

  it('agrees with Date.parse over random timestamps, years 0 to 9999, and near-misses', async () => {
    const { parseIsoMs } = await import('../rank-key.js');
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const stamp =
        `${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(25), 2)}:` +
        `${pad(next(61), 2)}:${pad(next(61), 2)}${i % 2 === 0 ? `.${pad(next(1000), 3)}` : ''}Z`;
      // Every tenth one gets a character replaced: separators and digits must all be checked.
      const iso =
        i % 10 === 0
          ? `${stamp.slice(0, i % stamp.length)}${'x:-. 9'[i % 6]!}${stamp.slice((i % stamp.length) + 1)}`
          : stamp;
      expect([iso, parseIsoMs(iso)]).toEqual([iso, Date.parse(iso)]);
    }
  });
});
