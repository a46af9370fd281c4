import { describe, expect, it } from '@jest/globals';
import { mergePersonalLabels, splitPersonalLabels, withPersonalLabels } from './personal-labels.js';
import type { Label, Post } from './post.js';

const own: Label = { value: 'sensitive', source: 'mastodon', action: 'blur' };
const filter: Label = {
  value: 'filter:Spoilers',
  source: 'mastodon-filter:5',
  action: 'hide',
  personal: true,
};
const labeler: Label = { value: 'rude', source: 'did:plc:mine', action: null, personal: true };

function post(labels: Label[], quoteLabels: Label[] | null = null): Pick<Post, 'labels' | 'quote'> {
  return {
    labels,
    quote:
      quoteLabels === null ? null : ({ text: 'quoted', labels: quoteLabels } as unknown as Post['quote']),
  };
}

describe('personal labels', () => {
  it('split off the post and its quote, leaving the post as it may be shared', () => {
    const { shared, personal } = splitPersonalLabels(post([own, filter], [labeler, own]));
    expect(shared.labels).toEqual([own]);
    expect(shared.quote).toEqual({ text: 'quoted', labels: [own] });
    expect(personal).toEqual({ post: [filter], quote: [labeler] });
  });

  it('leave a post without any untouched', () => {
    const p = post([own], [own]);
    expect(splitPersonalLabels(p)).toEqual({ shared: p, personal: null });
    expect(splitPersonalLabels(p).shared).toBe(p);
  });

  it("join the shared post again in the member's view, each label once, from every source", () => {
    const fromHome = { post: [filter], quote: [] };
    const fromList = { post: [filter, labeler], quote: [labeler] };
    const view = withPersonalLabels(post([own], [own]), fromHome, null, fromList);
    expect(view.labels).toEqual([own, filter, labeler]);
    expect(view.quote?.labels).toEqual([own, labeler]);
    expect(mergePersonalLabels([null, { post: [], quote: [] }])).toBeNull();
    const p = post([own]);
    expect(withPersonalLabels(p, null, undefined)).toBe(p);
  });
});
