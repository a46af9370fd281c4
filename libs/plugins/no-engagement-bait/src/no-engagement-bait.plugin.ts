import { definePlugin } from '@tributary/plugin-sdk';

export interface NoEngagementBaitConfig {
  /** Extra phrases to treat as bait, matched case-insensitively. */
  phrases: string[];
  action: 'hide' | 'warn';
}

/** Phrases that ask for likes, reposts or follows instead of saying something. */
export const BAIT_PATTERNS: readonly RegExp[] = [
  /\b(?:like|rt|retweet|repost|boost|share)\s+(?:this\s+)?if\s+(?:you|u)\b/i,
  /\b(?:drop|leave)\s+a\s+(?:like|comment|❤️|🔥)/i,
  /\bfollow\s+(?:for|4)\s+follow\b/i,
  /\bf4f\b|\bl4l\b/i,
  /\btag\s+(?:a|someone|3)\s+(?:friend|friends|people)\b/i,
  /\b(?:comment|reply)\s+(?:below|["“]?yes["”]?)\s+(?:if|and)\b/i,
  /\bonly\s+\d+%\s+(?:of\s+people\s+)?(?:can|will)\b/i,
  /\bignore\s+if\s+you\s+(?:don'?t|do\s+not)\b/i,
];

/**
 * Hides (or warns about) engagement bait: "like if you agree", "follow for follow", "only 2% can
 * solve this"… A filter plugin, written against the plugin SDK only.
 */
export const noEngagementBait = definePlugin<NoEngagementBaitConfig>({
  name: 'community/no-engagement-bait',
  version: '1.0.0',
  configSchema: {
    type: 'object',
    properties: {
      phrases: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
      action: { type: 'string', enum: ['hide', 'warn'], default: 'hide' },
    },
    additionalProperties: false,
  },
  filter(posts, config) {
    const extra = config.phrases.map((p) => p.toLowerCase());
    return posts.map((post) => {
      const text = post.text;
      const lower = extra.length > 0 ? text.toLowerCase() : '';
      const bait = BAIT_PATTERNS.some((re) => re.test(text)) || extra.some((p) => lower.includes(p));
      return bait ? { action: config.action, reason: 'engagement bait' } : null;
    });
  },
});
