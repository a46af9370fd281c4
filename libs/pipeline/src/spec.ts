import { z } from 'zod';
import { USER_REGEX_BUDGET, UserRegexError } from '@tributary/core';
import { formatPath } from '@tributary/plugin-sdk';
import { parseRule } from './filter-lists/list-format.js';
import { compileRegexTerm } from './text-match.js';

// The pipeline spec (docs/pipelines.md, whose stage reference is generated from here): data a user
// owns, validated here with errors that name the path, e.g.
// `stages[3].with.halfLifeHours: expected a positive number`.

const positive = z
  .number({ error: 'expected a positive number' })
  .positive({ error: 'expected a positive number' });
const positiveInt = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });
const nonEmpty = z
  .string({ error: 'expected a string' })
  .trim()
  .min(1, { error: 'expected a non-empty string' });
const isoDate = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date-time' });
const authorList = z.array(nonEmpty, { error: 'expected a list of author ids or handles' }).max(10_000);
const networkName = z
  .string({ error: 'expected "bluesky" or "mastodon"' })
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['BLUESKY', 'MASTODON'], { error: 'expected "bluesky" or "mastodon"' }));
const languageTag = z
  .string({ error: 'expected a language code such as "en"' })
  .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, { error: 'expected a language code such as "en"' })
  .transform((s) => s.toLowerCase());
const action3 = z.enum(['hide', 'warn', 'blur'], { error: 'expected "hide", "warn" or "blur"' });
const action2 = z.enum(['hide', 'warn'], { error: 'expected "hide" or "warn"' });

// A user's regex: JavaScript syntax, run by RE2 in linear time (text-match.ts); what RE2 cannot
// run (lookarounds, backreferences) is refused here, with the path.
const regexSource = z
  .string({ error: 'expected a regular expression' })
  .min(1, { error: 'expected a regular expression' })
  .max(500, { error: 'regular expression too long (500 characters at most)' })
  .superRefine((source, ctx) => {
    try {
      if (compileRegexTerm(source).test(''))
        ctx.addIssue({
          code: 'custom',
          message: 'regular expression matches empty text (it would mute everything)',
        });
    } catch (error) {
      if (!(error instanceof UserRegexError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

const muteField = z.enum(['text', 'contentWarning', 'altText', 'linkTitle', 'hashtags', 'quote'], {
  error: 'expected one of text, contentWarning, altText, linkTitle, hashtags, quote',
});

const muteEntry = z.union(
  [
    nonEmpty.max(200, { error: 'expected at most 200 characters' }),
    z
      .strictObject({
        word: nonEmpty.max(200, { error: 'expected at most 200 characters' }).optional(),
        regex: regexSource.optional(),
        wholeWord: z.boolean({ error: 'expected true or false' }).optional(),
        expiresAt: isoDate.optional(),
      })
      .refine((e) => (e.word === undefined) !== (e.regex === undefined), {
        error: 'expected exactly one of "word" or "regex"',
      }),
  ],
  { error: 'expected a word, or { word | regex, wholeWord?, expiresAt? }' },
);

const listId = z
  .string({ error: 'expected a filter list id' })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    error: 'expected a filter list id',
  })
  .transform((s) => s.toLowerCase());

/** A rule a member excepts from their lists, written as in a list (`domain spam.example`, `#ai`, `word "x"`…). */
const listEntry = z
  .string({ error: 'expected a filter-list entry' })
  .max(300, { error: 'expected at most 300 characters' })
  .superRefine((entry, ctx) => {
    try {
      parseRule(entry.replace(/^(word|contains) "(.*)"$/i, '$1 $2'));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  })
  .transform((entry) => entry.replace(/^(word|contains) "(.*)"$/i, '$1 $2'));

/** `with` schemas of the built-in stages. Each is strict: unknown keys are errors, not silently ignored. */
export const builtinStageConfigs = {
  'mute-words': z.strictObject({
    words: z.array(muteEntry, { error: 'expected a list of words' }).max(2_000),
    wholeWord: z.boolean({ error: 'expected true or false' }).default(true),
    fields: z.array(muteField).min(1).optional(),
    networks: z.array(networkName).optional(),
    expiresAt: isoDate.optional(),
    action: action2.default('hide'),
  }),
  'mute-authors': z.strictObject({ authors: authorList }),
  /** The filter lists the pipeline subscribes to (stored once per instance, fetched by the worker). */
  'filter-list': z.strictObject({
    lists: z
      .array(z.strictObject({ id: listId, action: action3.default('hide') }), {
        error: 'expected a list of { id, action }',
      })
      .max(50, { error: 'at most 50 filter lists per stage' }),
    except: z
      .strictObject({
        /** Never hidden by a list: DIDs, addresses, handles, actor URIs. */
        authors: authorList.default([]),
        /** Rules that never match, as a list writes them or a reason names them. */
        entries: z.array(listEntry).max(10_000).default([]),
      })
      .default({ authors: [], entries: [] }),
    /** Groups of author ids known to be one person (as for dedupe-crossposts). */
    identities: z.array(z.array(nonEmpty).min(2, { error: 'expected at least two ids' })).default([]),
  }),
  language: z
    .strictObject({
      allow: z.array(languageTag).optional(),
      deny: z.array(languageTag).optional(),
      keepUnknown: z.boolean({ error: 'expected true or false' }).default(true),
    })
    .refine((v) => v.allow !== undefined || v.deny !== undefined, { error: 'expected "allow" or "deny"' }),
  network: z.strictObject({ allow: z.array(networkName).min(1, { error: 'expected at least one network' }) }),
  'hide-reposts': z.strictObject({
    /** Reposts by these accounts stay visible. */
    except: authorList.default([]),
  }),
  'hide-replies': z.strictObject({
    /** Replies by these accounts stay visible. */
    except: authorList.default([]),
    /** Keep an author's replies to themselves (threads). */
    keepSelfThreads: z.boolean({ error: 'expected true or false' }).default(true),
  }),
  'content-warning': z.strictObject({
    action: action3.default('warn'),
    /** Also act on posts marked sensitive without a warning text (Mastodon `sensitive`). */
    includeSensitive: z.boolean({ error: 'expected true or false' }).default(true),
  }),
  labels: z.strictObject({
    rules: z
      .array(z.strictObject({ label: nonEmpty, action: action3 }), {
        error: 'expected a list of { label, action }',
      })
      .default([]),
    /** Apply the action a network or labeler attached to the label (`hide`/`warn`/`blur`). */
    honorNetworkActions: z.boolean({ error: 'expected true or false' }).default(true),
  }),
  'media-only': z.strictObject({}),
  'links-only': z.strictObject({}),
  'ai-generated': z.strictObject({
    action: action2.default('hide'),
    labels: z.array(nonEmpty).optional(),
    hashtags: z.array(nonEmpty).optional(),
    /** Look for declared disclosures ("made with AI", "#AIart", "generated with Midjourney"…) in text, warnings and alt text. */
    disclosures: z.boolean({ error: 'expected true or false' }).default(true),
    /** A scoring plugin (`name@version`) returning a probability in [0, 1]. */
    classifier: z
      .strictObject({
        plugin: z.string().regex(/^[^@\s]+@[^@\s]+$/, { error: 'expected "name@version"' }),
        threshold: z.number().min(0).max(1).default(0.8),
        with: z.unknown().optional(),
      })
      .optional(),
  }),
  'dedupe-crossposts': z.strictObject({
    /** Same-person posts of the same text or link within this many minutes are merged. */
    windowMinutes: positive.default(60),
    /** Groups of author ids (DID, Mastodon account URI) or handles known to be one person. */
    identities: z.array(z.array(nonEmpty).min(2, { error: 'expected at least two ids' })).default([]),
  }),
  'score/recency': z.strictObject({ halfLifeHours: positive }),
  'score/engagement': z.strictObject({}),
  'score/boost-authors': z.strictObject({ authors: authorList, amount: z.number().default(1) }),
  /** The member's feedback from the feed's app (sendInteractions), given to the run as input. */
  feedback: z.strictObject({
    /** What an already seen post does: `hide`, `sink` (by `sinkBy` units) or `keep`. */
    seen: z.enum(['hide', 'sink', 'keep'], { error: 'expected "hide", "sink" or "keep"' }).default('sink'),
    sinkBy: positive.default(4),
    /** Rank-key units per "show less like this" on an author's posts (at most 3 counted). */
    less: z.number().min(0).max(100).default(2),
    /** Rank-key units per "show more like this" on an author's posts (at most 3 counted). */
    more: z.number().min(0).max(100).default(1),
  }),
  'diversify/author-cap': z.strictObject({
    max: positiveInt,
    per: positiveInt.default(20),
    /** Rank-key units subtracted per post over the cap. */
    penalty: positive.default(1),
  }),
} as const;

export type BuiltinStageName = keyof typeof builtinStageConfigs;
export type BuiltinStageConfig<N extends BuiltinStageName> = z.output<(typeof builtinStageConfigs)[N]>;

export const PLUGIN_STAGE_PATTERN = /^plugin:([^@\s]+)@([^@\s]+)$/;

const stageSchema = z.strictObject({
  use: nonEmpty,
  with: z.unknown().optional(),
  /** Multiplies a scorer's contribution. */
  weight: z.number({ error: 'expected a number' }).min(-100).max(100).default(1),
  /** What a plugin failure does to the batch's posts: `skip` the stage (default) or `hide` them. */
  onError: z.enum(['skip', 'hide'], { error: 'expected "skip" or "hide"' }).default('skip'),
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
});

const sourceSchema = z
  .strictObject({
    account: nonEmpty,
    kind: z.enum(['home', 'feed', 'list', 'author', 'hashtag'], {
      error: 'expected one of home, feed, list, author, hashtag',
    }),
    id: nonEmpty.optional(),
  })
  .refine((s) => s.kind === 'home' || s.id !== undefined, {
    error: 'expected an id for this kind',
    path: ['id'],
  });

const specSchema = z.strictObject({
  name: nonEmpty.max(100),
  sources: z.array(sourceSchema, { error: 'expected a list of sources' }).default([]),
  stages: z
    .array(stageSchema, { error: 'expected a list of stages' })
    .max(64, { error: 'at most 64 stages' }),
});

/** A validated stage: `with` has the built-in stage's defaults applied (plugins are checked when compiled). */
export type StageSpec = z.output<typeof stageSchema>;
export type PipelineSpec = z.output<typeof specSchema>;
/** The spec as a user writes it (defaults optional). */
export type PipelineSpecInput = z.input<typeof specSchema>;

/** A spec that failed validation; `problems` are `path: message` lines. */
export class PipelineSpecError extends Error {
  override readonly name = 'PipelineSpecError';
  constructor(readonly problems: string[]) {
    super(`invalid pipeline spec:\n${problems.join('\n')}`);
  }
}

/**
 * Validates a pipeline spec. Returns it with defaults applied (including each built-in stage's
 * `with`); throws {@link PipelineSpecError} listing every problem as `path: message`.
 */
export function parsePipelineSpec(input: unknown): PipelineSpec {
  const parsed = specSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${formatPath([...i.path]) || '(root)'}: ${i.message}`);
  // The stages' options are checked whatever else is wrong (an unknown top-level key, a bad name),
  // so one answer lists every problem.
  const stages = (parsed.success ? parsed.data.stages : wellFormedStages(input)).map((stage, index) =>
    stage === null ? null : withStageConfig(stage, `stages[${index}]`, problems),
  );
  if (problems.length === 0) problems.push(...regexBudgetProblems(stages as StageSpec[]));
  if (!parsed.success || problems.length > 0) throw new PipelineSpecError(problems);
  return { ...parsed.data, stages: stages as StageSpec[] };
}

/** The stages of an invalid spec whose own shape is valid (null for the others, already reported). */
function wellFormedStages(input: unknown): (StageSpec | null)[] {
  const stages = (input as { stages?: unknown } | null)?.stages;
  if (!Array.isArray(stages)) return [];
  return stages.map((stage) => {
    const parsed = stageSchema.safeParse(stage);
    return parsed.success ? parsed.data : null;
  });
}

/** The stage with its built-in `with` validated and defaulted; problems go to `problems`. */
function withStageConfig(stage: StageSpec, prefix: string, problems: string[]): StageSpec {
  if (PLUGIN_STAGE_PATTERN.test(stage.use)) return stage;
  const schema = (builtinStageConfigs as Record<string, z.ZodType>)[stage.use];
  if (schema === undefined) {
    problems.push(
      `${prefix}.use: unknown stage "${stage.use}" (built-in: ${Object.keys(builtinStageConfigs).join(', ')}; or plugin:<name>@<version>)`,
    );
    return stage;
  }
  const config = schema.safeParse(stage.with ?? {});
  if (!config.success) {
    for (const issue of config.error.issues) {
      const path = formatPath([...issue.path]);
      problems.push(
        `${prefix}.with${path === '' ? '' : path.startsWith('[') ? path : `.${path}`}: ${issue.message}`,
      );
    }
    return stage;
  }
  return { ...stage, with: config.data };
}

/**
 * Every post goes through all the mute regexes of a pipeline, at a cost that grows with their RE2
 * program size: the pipeline's regexes together get {@link USER_REGEX_BUDGET} instructions.
 */
function regexBudgetProblems(stages: readonly StageSpec[]): string[] {
  let used = 0;
  for (const [index, stage] of stages.entries()) {
    if (stage.use !== 'mute-words') continue;
    const { words } = stage.with as BuiltinStageConfig<'mute-words'>;
    for (const [n, entry] of words.entries()) {
      if (typeof entry === 'string' || entry.regex === undefined) continue;
      used += compileRegexTerm(entry.regex).size;
      if (used > USER_REGEX_BUDGET)
        return [
          `stages[${index}].with.words[${n}].regex: regular expressions too large: the pipeline's mute regexes up to this one compile to ${used} RE2 instructions, at most ${USER_REGEX_BUDGET} in all`,
        ];
    }
  }
  return [];
}

/** The pipeline a new user starts with: chronological-ish, calm, nothing hidden they did not ask for. */
export const DEFAULT_PIPELINE_SPEC: PipelineSpecInput = {
  name: 'Home',
  sources: [],
  stages: [
    { use: 'content-warning', with: { action: 'warn' } },
    {
      use: 'labels',
      with: {
        rules: [
          { label: 'porn', action: 'hide' },
          { label: 'nudity', action: 'blur' },
          { label: 'graphic-media', action: 'blur' },
          { label: 'gore', action: 'hide' },
        ],
      },
    },
    { use: 'dedupe-crossposts' },
    { use: 'score/recency', with: { halfLifeHours: 6 } },
    { use: 'score/engagement', weight: 0.2 },
    { use: 'diversify/author-cap', with: { max: 3, per: 20 } },
  ],
};
