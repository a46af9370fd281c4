import type { PluginRunner, PluginResolver } from './plugin-runner.js';
import { boundedRunner } from './plugin-output.js';
import { malformation } from './post-check.js';
import { DEFAULT_HALF_LIFE_HOURS, parseIsoMs, rankKey } from './rank-key.js';
import type { BuiltinStageConfig, BuiltinStageName, PipelineSpec, StageSpec } from './spec.js';
import { PLUGIN_STAGE_PATTERN, PipelineSpecError, parsePipelineSpec } from './spec.js';
import { aiGenerated } from './stages/ai-generated.js';
import { dedupeCrossposts } from './stages/dedupe.js';
import { authorCap } from './stages/diversify.js';
import { feedback, NO_FEEDBACK } from './stages/feedback.js';
import { filterList } from './stages/filter-list.js';
import type { FilterListResolver } from './stages/filter-list.js';
import * as filters from './stages/filters.js';
import { muteWords } from './stages/mute-words.js';
import { pluginStage } from './stages/plugin-stage.js';
import { boostAuthors, engagement, recency } from './stages/scorers.js';
import type { CompiledStage, ItemState, PerPost, RunContext } from './stages/stage.js';
import { NO_DECISIONS, TextKeys, placedMs, record } from './stages/stage.js';
import type { Candidate, Decision, PipelineResult, RunOptions } from './types.js';
import { checkPluginConfig, compileConfigSchema } from '@tributary/plugin-sdk';

export interface CompileOptions {
  /** Finds plugins for `plugin:<name>@<version>` stages (and the AI classifier hook). */
  plugins?: PluginResolver;
  /** Finds the stored, compiled filter lists that `filter-list` stages name (none: they match nothing). */
  filterLists?: FilterListResolver;
}

/** A pipeline ready to run: compile once (regexes, sets, plugin configs), run over many batches. */
export interface CompiledPipeline {
  readonly spec: PipelineSpec;
  /** τ of the rank key, in hours (the recency half-life). */
  readonly halfLifeHours: number;
  /**
   * Runs the stages over one batch: hydrate → filters → scorers → diversifiers, in spec order within
   * each phase. Returns one result per candidate, in input order. Never rejects because of a plugin.
   */
  run(candidates: readonly Candidate[], options?: RunOptions): Promise<PipelineResult[]>;
}

const PHASE_ORDER = { filter: 0, score: 1, diversify: 2 } as const;

/** What a post with no warnings or blurs gets (shared, frozen). */
const NO_REASONS: string[] = Object.freeze([]) as unknown as string[];

/**
 * The stages in run order, consecutive per-post stages grouped: a group runs post by post in one
 * pass (each post goes through the group's stages in order, the same work as stage by stage).
 */
type Step = { stage: CompiledStage; group?: undefined } | { stage?: undefined; group: CompiledStage[] };

function planSteps(stages: readonly CompiledStage[]): Step[] {
  const steps: Step[] = [];
  for (const stage of stages) {
    const last = steps[steps.length - 1];
    if (stage.perPost === undefined) steps.push({ stage });
    else if (last?.group !== undefined) last.group.push(stage);
    else steps.push({ group: [stage] });
  }
  return steps;
}

/**
 * Where the check pass leaves the last code unit of each post text it read. JavaScript has no
 * prefetch: reading the end of every text of the batch in that tight pass loads its cache lines
 * while many misses can be in flight, before the word scan reads the whole text one post at a
 * time (about -40 ns/post on the 1M-post bench, whose mute words and disclosures scan every
 * text). Kept in a variable so the compiler cannot drop the read.
 */
let _textTouch = 0;

/**
 * Hides a post the stages cannot read (see post-check.ts). It keeps a time position for its rank
 * key: when it was indexed if that parses, else the run's clock.
 */
function hideMalformed(item: ItemState, problem: string, nowMs: number): void {
  const reason = `malformed post: ${problem}`;
  const indexedAt: unknown = item.post.indexedAt;
  const indexedMs = typeof indexedAt === 'string' ? parseIsoMs(indexedAt) : NaN;
  item.createdMs = Number.isNaN(indexedMs) ? nowMs : indexedMs;
  item.hidden = true;
  item.hiddenReason = reason;
  record(item, { stage: 'input', index: -1, verdict: 'hide', reason, score: 0 });
}

/** The network says the post is gone: it leaves the timeline, the audit keeps it with the reason. */
export const DELETED_AT_ORIGIN = 'deleted at origin';

/**
 * The one decision a post deleted at origin gets (it is hidden before any stage). Entries already
 * written are hidden in place with it (libs/timeline hideDeletedPosts), so they read as a run would.
 */
export const DELETED_AT_ORIGIN_DECISION: Readonly<Decision> = Object.freeze({
  stage: 'input',
  index: -1,
  verdict: 'hide',
  reason: DELETED_AT_ORIGIN,
  score: 0,
});

function hideDeleted(item: ItemState): void {
  item.hidden = true;
  item.hiddenReason = DELETED_AT_ORIGIN;
  record(item, DELETED_AT_ORIGIN_DECISION);
}

function builtin<N extends BuiltinStageName>(stage: StageSpec, _name: N): BuiltinStageConfig<N> {
  return stage.with as BuiltinStageConfig<N>;
}

/**
 * Validates and compiles a pipeline spec. Throws {@link PipelineSpecError} (every problem as
 * `path: message`) for an invalid spec or a plugin stage whose `with` its schema rejects.
 */
export function compilePipeline(input: unknown, options: CompileOptions = {}): CompiledPipeline {
  const spec = parsePipelineSpec(input);
  // Every plugin's output goes through one door on its way into the engine (plugin-output.ts).
  const resolve = (name: string, version: string): PluginRunner | undefined => {
    const runner = options.plugins?.(name, version);
    return runner === undefined ? undefined : boundedRunner(runner);
  };
  const problems: string[] = [];

  const pluginConfig = (runner: PluginRunner, config: unknown, prefix: string): unknown => {
    try {
      const checked = checkPluginConfig(compileConfigSchema(runner.configSchema), config, prefix);
      if (checked.ok) return checked.config;
      problems.push(...checked.problems);
    } catch (error) {
      problems.push(
        `${prefix}: plugin ${runner.name}@${runner.version} has an unusable configSchema (${(error as Error).message})`,
      );
    }
    return undefined;
  };

  const recencyStage = spec.stages.find((s) => s.enabled && s.use === 'score/recency');
  const halfLifeHours = recencyStage
    ? builtin(recencyStage, 'score/recency').halfLifeHours
    : DEFAULT_HALF_LIFE_HOURS;

  const stages: CompiledStage[] = [];
  const textKeys = new TextKeys();
  spec.stages.forEach((stage, index) => {
    if (!stage.enabled) return;
    const plugin = PLUGIN_STAGE_PATTERN.exec(stage.use);
    if (plugin) {
      const runner = resolve(plugin[1]!, plugin[2]!);
      const config = runner ? pluginConfig(runner, stage.with, `stages[${index}].with`) : stage.with;
      stages.push(
        pluginStage({ use: stage.use, index, runner, config, weight: stage.weight, onError: stage.onError }),
      );
      return;
    }
    switch (stage.use as BuiltinStageName) {
      case 'mute-words':
        return void stages.push(muteWords(index, builtin(stage, 'mute-words'), textKeys));
      case 'mute-authors':
        return void stages.push(filters.muteAuthors(index, builtin(stage, 'mute-authors')));
      case 'filter-list':
        return void stages.push(
          filterList(index, builtin(stage, 'filter-list'), options.filterLists, textKeys),
        );
      case 'language':
        return void stages.push(filters.language(index, builtin(stage, 'language')));
      case 'network':
        return void stages.push(filters.network(index, builtin(stage, 'network')));
      case 'hide-reposts':
        return void stages.push(filters.hideReposts(index, builtin(stage, 'hide-reposts')));
      case 'hide-replies':
        return void stages.push(filters.hideReplies(index, builtin(stage, 'hide-replies')));
      case 'content-warning':
        return void stages.push(filters.contentWarning(index, builtin(stage, 'content-warning')));
      case 'labels':
        return void stages.push(filters.labels(index, builtin(stage, 'labels')));
      case 'media-only':
        return void stages.push(filters.mediaOnly(index));
      case 'links-only':
        return void stages.push(filters.linksOnly(index));
      case 'ai-generated': {
        let cfg = builtin(stage, 'ai-generated');
        let classifier: PluginRunner | undefined;
        if (cfg.classifier) {
          const [name, version] = cfg.classifier.plugin.split('@') as [string, string];
          classifier = resolve(name, version);
          if (classifier) {
            const checked = pluginConfig(
              classifier,
              cfg.classifier.with,
              `stages[${index}].with.classifier.with`,
            );
            cfg = { ...cfg, classifier: { ...cfg.classifier, with: checked } };
          }
        }
        return void stages.push(aiGenerated(index, cfg, classifier, stage.onError, textKeys));
      }
      case 'dedupe-crossposts':
        return void stages.push(dedupeCrossposts(index, builtin(stage, 'dedupe-crossposts')));
      case 'score/recency':
        return void stages.push(recency(index, halfLifeHours));
      case 'score/engagement':
        return void stages.push(engagement(index, stage.weight));
      case 'score/boost-authors':
        return void stages.push(boostAuthors(index, builtin(stage, 'score/boost-authors'), stage.weight));
      case 'feedback':
        return void stages.push(feedback(index, builtin(stage, 'feedback'), stage.weight));
      case 'diversify/author-cap':
        return void stages.push(authorCap(index, builtin(stage, 'diversify/author-cap'), halfLifeHours));
    }
  });
  if (problems.length > 0) throw new PipelineSpecError(problems);
  textKeys.seal();
  // Stable: spec order is kept within a phase.
  stages.sort((a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase]);
  const steps = planSteps(stages);
  const scansText = textKeys.used;

  return {
    spec,
    halfLifeHours,
    async run(candidates, runOptions = {}) {
      const now = runOptions.now ?? new Date();
      const context: RunContext = {
        nowMs: now.getTime(),
        nowIso: now.toISOString(),
        history: runOptions.history ?? [],
        explain: runOptions.explain ?? false,
        feedback: runOptions.feedback ?? NO_FEEDBACK,
        pluginBudget: { leftMs: runOptions.pluginBudgetMs ?? Infinity, spentAt: null },
      };
      const items: ItemState[] = new Array<ItemState>(candidates.length);
      let touched = 0;
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates[i]!;
        const post = candidate.post;
        let problem = malformation(post);
        const createdMs = problem === null ? parseIsoMs(post.createdAt) : NaN;
        if (problem === null && Number.isNaN(createdMs))
          problem = `createdAt ${JSON.stringify(post.createdAt.slice(0, 40))} is not a timestamp`;
        const item: ItemState = {
          candidate,
          post,
          reason: candidate.reason,
          createdMs,
          hidden: false,
          hiddenReason: null,
          warn: null,
          blur: null,
          decisions: NO_DECISIONS,
          score: 0,
          seenIn: candidate.seenIn,
          duplicateOf: null,
          textMask: -1,
        };
        if (problem !== null) hideMalformed(item, problem, context.nowMs);
        else if (post.deletedAt !== undefined) hideDeleted(item);
        else if (scansText) touched ^= post.text.charCodeAt(post.text.length - 1);
        items[i] = item;
      }
      _textTouch = touched;
      for (const step of steps) {
        if (step.group === undefined) {
          const pending = step.stage.run(items, context);
          if (pending !== undefined) await pending;
          continue;
        }
        const apply: PerPost[] = [];
        for (const stage of step.group) {
          const perPost = stage.perPost!(context);
          if (perPost !== null) apply.push(perPost);
        }
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          for (let k = 0; k < apply.length && !item.hidden; k++) apply[k]!(item);
        }
      }
      const results: PipelineResult[] = new Array<PipelineResult>(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        results[i] = {
          uri: item.post.uri,
          hidden: item.hidden,
          hiddenReason: item.hiddenReason,
          warn: item.warn ?? NO_REASONS,
          blur: item.blur ?? NO_REASONS,
          // Hidden items keep their time position but earn nothing.
          rankKey: rankKey(placedMs(item), item.hidden ? 0 : item.score, halfLifeHours),
          decisions: item.decisions,
          seenIn: item.seenIn,
          reason: item.reason,
          duplicateOf: item.duplicateOf,
        };
      }
      return results;
    },
  };
}
