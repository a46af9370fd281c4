import { describe, expect, it } from '@jest/globals';
import { makePost, runPlugin } from '@tributary/plugin-sdk';
import { quietAccountsBoost } from './quiet-accounts-boost.plugin.js';

describe('community/quiet-accounts-boost', () => {
  const by = (networkId: string) => makePost({ author: { networkId } });
  it('gives a one-post author the full amount and splits it among a prolific author’s posts', () => {
    const posts = [
      by('did:plc:loud'),
      by('did:plc:quiet'),
      by('did:plc:loud'),
      by('did:plc:loud'),
      by('did:plc:loud'),
    ];
    expect(runPlugin(quietAccountsBoost, posts).scores).toEqual([0.25, 1, 0.25, 0.25, 0.25]);
    expect(runPlugin(quietAccountsBoost, posts, { amount: 2 }).scores).toEqual([0.5, 2, 0.5, 0.5, 0.5]);
  });
  it('bounds the amount', () => {
    expect(() => runPlugin(quietAccountsBoost, [], { amount: 50 })).toThrow('with.amount');
  });
});
