// What a plugin returns enters the engine here, and only here: compilePipeline wraps every runner
// it resolves. Plugin output is untrusted text and numbers that end up stored (PostgreSQL refuses a
// NUL or a lone surrogate in text and jsonb: the batch's write failed, and its job was retried for
// hours) and in rank keys (an infinite one broke timeline reads and cursors).
import type { CheckedVerdict } from '@tributary/plugin-sdk';
import type { PluginBatchOutcome, PluginRunner } from './plugin-runner.js';
import { clampFinite } from './rank-key.js';

/** Longest verdict reason kept, in UTF-16 code units. */
export const MAX_PLUGIN_REASON = 200;
/** Longest plugin error kept (`threw: TypeError: …`), in UTF-16 code units. */
export const MAX_PLUGIN_ERROR = 300;
/** A plugin's score is clamped to ±this before the stage's weight (±100) multiplies it. */
export const PLUGIN_SCORE_LIMIT = 100;

// C0 and C1 control characters and DEL: a NUL cannot be stored; the others mean nothing in a reason.
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

/**
 * Plugin text as it may be stored and shown: at most `maxLength` code units (a surrogate pair is
 * never cut in two), control characters as spaces, lone surrogates as U+FFFD.
 */
export function storableText(text: string, maxLength: number): string {
  let out = text;
  if (out.length > maxLength) {
    const end = /[\ud800-\udbff]/.test(out[maxLength - 1]!) ? maxLength - 1 : maxLength;
    out = out.slice(0, end);
  }
  if (HAS_CONTROL.test(out)) out = out.replace(CONTROL, ' ');
  return out.isWellFormed() ? out : out.toWellFormed();
}

/** A plugin score as the engine uses it: finite, within ±{@link PLUGIN_SCORE_LIMIT}. */
export function boundedScore(score: number): number {
  return clampFinite(score, PLUGIN_SCORE_LIMIT);
}

function boundedVerdict(verdict: CheckedVerdict): CheckedVerdict {
  if (verdict === null) return null;
  const reason = storableText(verdict.reason, MAX_PLUGIN_REASON);
  return reason === verdict.reason ? verdict : { action: verdict.action, reason };
}

/** The outcome with every reason and error storable and every score bounded. */
export function boundedOutcome(outcome: PluginBatchOutcome): PluginBatchOutcome {
  if (!outcome.ok) return { ok: false, error: storableText(outcome.error, MAX_PLUGIN_ERROR) };
  return {
    ok: true,
    verdicts: outcome.verdicts?.map(boundedVerdict) ?? null,
    scores: outcome.scores?.map(boundedScore) ?? null,
  };
}

/** The runner whose outcomes go through {@link boundedOutcome}. */
export function boundedRunner(runner: PluginRunner): PluginRunner {
  return {
    name: runner.name,
    version: runner.version,
    configSchema: runner.configSchema,
    hooks: runner.hooks,
    run: async (posts, config, context) => boundedOutcome(await runner.run(posts, config, context)),
    ...(runner.close && { close: () => runner.close!() }),
  };
}
