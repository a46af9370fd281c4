import type { Post } from '@tributary/core';
import type { PluginRunner } from '../plugin-runner.js';
import type { BuiltinStageConfig } from '../spec.js';
import { recordPluginError, visible } from './plugin-stage.js';
import type { CompiledStage, ItemState, Verdict } from './stage.js';
import { applyVerdict, recordPass } from './stage.js';

type Config = BuiltinStageConfig<'ai-generated'>;

/** Labels networks and labelers use for generated media (Bluesky labelers, Mastodon filters). */
export const DEFAULT_AI_LABELS = [
  'ai-generated',
  'ai',
  'ai-art',
  'ai-content',
  'ai-image',
  'generative-ai',
  'genai',
  'synthetic',
];
/** Hashtags people use to declare generated content, compared case-insensitively without `#`. */
export const DEFAULT_AI_HASHTAGS = [
  'aiart',
  'aiartwork',
  'aiartcommunity',
  'aigenerated',
  'aiimage',
  'generativeai',
  'genai',
  'midjourney',
  'stablediffusion',
  'dalle',
  'dalle3',
  'aiphotography',
  'sora',
  'chatgptart',
];
// Declared disclosures in text, content warnings and alt text, word-bounded with Unicode
// lookarounds so "said" or "again" never trigger. Each alternative starts with a literal and
// checks the boundary after its first letter (see text-match.ts), which keeps the scan fast.
const TOOL = '(?:ai|midjourney|dall-?e|stable diffusion|chatgpt|sora|firefly|an? ai)';
const DISCLOSURES = [
  'ai[- ]?generated',
  `generated (?:with|by|using) ${TOOL}`,
  `made (?:with|using|by) ${TOOL}`,
  `created (?:with|by|using) ${TOOL}`,
  `image (?:with|by|using) ${TOOL}`,
  `picture (?:with|by|using) ${TOOL}`,
  `art (?:with|by|using) ${TOOL}`,
  'ai disclosure',
  'this (?:image|picture|text|video) (?:is|was) ai',
  'the (?:image|picture|text|video) (?:is|was) ai',
];
export const AI_DISCLOSURE_PATTERN = new RegExp(
  `(?:${DISCLOSURES.map((alt) => `${alt[0]!}(?<![\\p{L}\\p{N}].)${alt.slice(1)}`).join('|')})(?![\\p{L}\\p{N}])`,
  'iu',
);

function declared(post: Post): boolean {
  if (AI_DISCLOSURE_PATTERN.test(post.text)) return true;
  if (post.contentWarning !== null && AI_DISCLOSURE_PATTERN.test(post.contentWarning)) return true;
  for (const m of post.media) if (m.altText !== null && AI_DISCLOSURE_PATTERN.test(m.altText)) return true;
  return false;
}

export function aiGenerated(
  index: number,
  cfg: Config,
  classifier: PluginRunner | undefined,
  onError: 'skip' | 'hide',
): CompiledStage {
  const labels = new Set((cfg.labels ?? DEFAULT_AI_LABELS).map((l) => l.toLowerCase()));
  const tags = new Set((cfg.hashtags ?? DEFAULT_AI_HASHTAGS).map((t) => t.replace(/^#/, '').toLowerCase()));
  const byLabel = new Map<string, Verdict>();
  const byTag: Verdict = { verdict: cfg.action, reason: 'AI-generated: hashtag' };
  const byDisclosure: Verdict = { verdict: cfg.action, reason: 'AI-generated: declared' };
  const use = 'ai-generated';

  const check = (item: ItemState): Verdict | null => {
    const post = item.post;
    for (const label of post.labels) {
      const value = label.value.toLowerCase();
      if (labels.has(value)) {
        let v = byLabel.get(value);
        if (v === undefined)
          byLabel.set(value, (v = { verdict: cfg.action, reason: `AI-generated: label ${value}` }));
        return v;
      }
    }
    for (const tag of post.hashtags) if (tags.has(tag.toLowerCase())) return byTag;
    return cfg.disclosures && declared(post) ? byDisclosure : null;
  };

  return {
    use,
    index,
    phase: 'filter',
    async run(items, context) {
      for (const item of items) {
        if (item.hidden) continue;
        const v = check(item);
        if (v !== null) applyVerdict(item, use, index, v);
        else if (context.explain && cfg.classifier === undefined) recordPass(item, use, index);
      }
      if (cfg.classifier === undefined) return;
      // The classifier hook: a scoring plugin's output read as a probability.
      const { live, posts } = visible(items);
      if (live.length === 0) return;
      if (classifier === undefined)
        return recordPluginError(
          live,
          use,
          index,
          onError,
          `classifier ${cfg.classifier.plugin} not installed`,
        );
      const outcome = await classifier.run(posts, cfg.classifier.with ?? {}, { now: context.nowIso });
      if (!outcome.ok) return recordPluginError(live, use, index, onError, outcome.error);
      if (outcome.scores === null)
        return recordPluginError(live, use, index, onError, 'classifier has no score function');
      const threshold = cfg.classifier.threshold;
      for (let i = 0; i < live.length; i++) {
        const p = outcome.scores[i]!;
        if (p < threshold && context.explain) recordPass(live[i]!, use, index);
        if (p >= threshold)
          applyVerdict(live[i]!, use, index, {
            verdict: cfg.action,
            reason: `AI-generated: classifier ${p.toFixed(2)}`,
          });
      }
    },
  };
}
