import { definePlugin } from '@tributary/plugin-sdk';

export interface QuietAccountsBoostConfig {
  /** Rank-key units given to an author with a single post in the batch. */
  amount: number;
}

/**
 * Lifts people who post rarely above those who post a lot: within a batch, an author with one
 * post gets `amount`, one with n posts gets `amount / n` on each, so quiet voices are not buried
 * under the prolific. A scorer plugin, written against the plugin SDK only.
 */
export const quietAccountsBoost = definePlugin<QuietAccountsBoostConfig>({
  name: 'community/quiet-accounts-boost',
  version: '1.0.0',
  configSchema: {
    type: 'object',
    properties: { amount: { type: 'number', minimum: 0, maximum: 5, default: 1 } },
    additionalProperties: false,
  },
  score(posts, config) {
    const counts = new Map<string, number>();
    for (const post of posts) counts.set(post.author.networkId, (counts.get(post.author.networkId) ?? 0) + 1);
    return posts.map((post) => config.amount / (counts.get(post.author.networkId) ?? 1));
  },
});
