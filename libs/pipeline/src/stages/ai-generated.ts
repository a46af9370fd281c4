import type { Post } from '@tributary/core';
import type { ScanKey } from '../literal-scan.js';
import { compileScan } from '../literal-scan.js';
import type { PluginRunner } from '../plugin-runner.js';
import type { BuiltinStageConfig } from '../spec.js';
import { recordPluginError, runWithinBudget, visible } from './plugin-stage.js';
import type { CompiledStage, ItemState, TextKeys, Verdict } from './stage.js';
import { applyVerdict, perPostStage, recordPass } from './stage.js';

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

// Every disclosure contains one of these (see literal-scan.ts): "ai" as a tool name or at the end
// of "this image is ai" is never followed by a letter or digit; the other forms contain a word.
// Keep in step with DISCLOSURES (the unit test expands every form).
export const AI_DISCLOSURE_KEYS: readonly ScanKey[] = [
  { text: 'ai', notBeforeWordChar: true },
  { text: 'generated' },
  { text: 'disclosure' },
  { text: 'midjourney' },
  { text: 'dall' },
  { text: 'diffusion' },
  { text: 'chatgpt' },
  { text: 'sora' },
  { text: 'firefly' },
];
const DISCLOSURE_SCAN = compileScan(AI_DISCLOSURE_KEYS);

/** Whether `text` declares AI-generated content: {@link AI_DISCLOSURE_PATTERN}, pre-checked cheaply. */
export function declaresAi(text: string): boolean {
  return DISCLOSURE_SCAN.mayMatch(text) && AI_DISCLOSURE_PATTERN.test(text);
}

/** `textKeysFound`: whether the pipeline's text scan found AI_DISCLOSURE_KEYS in `post.text`. */
function declared(post: Post, textKeysFound: boolean): boolean {
  if (textKeysFound && AI_DISCLOSURE_PATTERN.test(post.text)) return true;
  if (post.contentWarning !== null && declaresAi(post.contentWarning)) return true;
  for (const m of post.media) if (m.altText !== null && declaresAi(m.altText)) return true;
  return false;
}

export function aiGenerated(
  index: number,
  cfg: Config,
  classifier: PluginRunner | undefined,
  onError: 'skip' | 'hide',
  textKeys: TextKeys,
): CompiledStage {
  const labels = new Set((cfg.labels ?? DEFAULT_AI_LABELS).map((l) => l.toLowerCase()));
  const tags = new Set((cfg.hashtags ?? DEFAULT_AI_HASHTAGS).map((t) => t.replace(/^#/, '').toLowerCase()));
  const byLabel = new Map<string, Verdict>();
  const byTag: Verdict = { verdict: cfg.action, reason: 'AI-generated: hashtag' };
  const byDisclosure: Verdict = { verdict: cfg.action, reason: 'AI-generated: declared' };
  const use = 'ai-generated';
  const textBit = cfg.disclosures ? textKeys.register(AI_DISCLOSURE_KEYS) : 0;

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
    return cfg.disclosures && declared(post, (textKeys.mask(item) & textBit) !== 0) ? byDisclosure : null;
  };

  const applyCheck = (item: ItemState, explain: boolean): void => {
    const v = check(item);
    if (v !== null) applyVerdict(item, use, index, v);
    else if (explain && cfg.classifier === undefined) recordPass(item, use, index);
  };
  // Without a classifier the stage looks at one post at a time (the engine fuses such stages).
  if (cfg.classifier === undefined)
    return perPostStage(use, index, 'filter', (context) => {
      const explain = context.explain;
      return (item) => applyCheck(item, explain);
    });
  const hook = cfg.classifier;

  return {
    use,
    index,
    phase: 'filter',
    async run(items, context) {
      for (const item of items) if (!item.hidden) applyCheck(item, context.explain);
      // The classifier hook: a scoring plugin's output read as a probability.
      const { live, posts } = visible(items);
      if (live.length === 0) return;
      if (classifier === undefined)
        return recordPluginError(live, use, index, onError, `classifier ${hook.plugin} not installed`);
      const outcome = (await runWithinBudget(classifier, posts, hook.with ?? {}, context, index)) ?? {
        ok: false,
        error: 'plugin time budget of the batch spent',
      };
      if (!outcome.ok) return recordPluginError(live, use, index, onError, outcome.error);
      if (outcome.scores === null)
        return recordPluginError(live, use, index, onError, 'classifier has no score function');
      const threshold = hook.threshold;
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
